/** `actool trust`: add, list and remove trusted signing keys in an rkt-compatible keystore (checklist S-4). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../io.js';
import { exitCodeFor } from '../aci-errors.js';
import { KEYSTORE_HELP, openKeystore, parsePort, PORT_HELP } from '../flags.js';
import { withPath } from '../format-error.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { PublicKeyInfo } from '../../signature/keys.js';
import { formatFingerprint, readPublicKeys } from '../../signature/keys.js';
import type { TrustScope } from '../../signature/keystore.js';
import { formatScope, validatePrefix } from '../../signature/keystore.js';
import type { FetchPublicKeysOptions } from '../../signature/trust.js';
import { discoverPublicKeysToTrust, fetchPublicKeys } from '../../signature/trust.js';
import { DEFAULT_TIMEOUT_MS } from '../../discovery/discover.js';
import { parseSeconds, readAuthConfigFlag } from '../network-flags.js';
import type { Keystore } from '../../node/keystore.js';

const HELP = `Usage: actool trust [--keystore=DIR] (--prefix=PREFIX | --root) [--skip-fingerprint-review] [--insecure-allow-http] [--port=N]
                    [--auth-config=FILE] [--timeout=SECONDS] [KEYFILE|URL...]
       actool trust [--keystore=DIR] --list [--json]
       actool trust [--keystore=DIR] --remove=FINGERPRINT [--prefix=PREFIX | --root]

Trusts OpenPGP public keys to sign images whose names start with PREFIX (on whole path segments),
or every image with --root. Keys come from files, https URLs, or, when none is given, from the
ac-discovery-pubkeys URL that discovery finds for PREFIX. Each key's fingerprint and user IDs are
shown and you are asked to confirm; without a terminal, nothing is trusted unless
--skip-fingerprint-review is given. Trusting a key again changes nothing.

Flags:
${KEYSTORE_HELP}
  --prefix=PREFIX            Trust for image names equal to or under PREFIX (example.com/app).
  --root                     Trust for every image name.
  --skip-fingerprint-review  Trust without asking (only for keys checked another way).
  --insecure-allow-http      Allow plain http:// key URLs and discovery.
${PORT_HELP}
  --auth-config=FILE         Credentials per host for discovery and key URLs (as actool discover), sent
                             over https to that host only.
  --timeout=SECONDS          Time limit of each key download (default 60) and discovery page (20 or this,
                             whichever is less).
  --list                     List trusted keys: fingerprint, scope, origin (system/local), user IDs.
  --remove=FINGERPRINT       Stop trusting a key (deletes the local file, masks a system key).
  --json                     With --list: print JSON.

Key URLs are downloaded like every download of actool: no https->http redirect, at most 10
redirects, 1 MiB per key file.

Exit codes: 0 done, 1 bad key, refused or keystore conflict, 2 usage, 3 I/O or network failure.
`;

const OPTIONS = {
  keystore: { type: 'string' },
  prefix: { type: 'string' },
  root: { type: 'boolean' },
  'skip-fingerprint-review': { type: 'boolean' },
  'insecure-allow-http': { type: 'boolean' },
  list: { type: 'boolean' },
  remove: { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  'auth-config': { type: 'string' },
  timeout: { type: 'string' },
  debug: { type: 'boolean' },
} as const;

/** Asks a yes/no question on the terminal. */
async function ask(io: CliIO, question: string): Promise<string | undefined> {
  if (io.prompt) return io.prompt(question);
  if (!io.stdinIsTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function describeKey(key: PublicKeyInfo, source: string, scope: TrustScope): string {
  const lines = [
    `Prefix: ${'prefix' in scope ? JSON.stringify(scope.prefix) : '(root) every image'}`,
    `Key: ${JSON.stringify(source)}`,
    `GPG key fingerprint is: ${formatFingerprint(key.fingerprint)}`,
    ...key.userIds.map((u) => `\t${escapeTerminalText(u)}`),
  ];
  if (key.revoked) lines.push('\tWARNING: this key is REVOKED; signatures made with it will be rejected.');
  if (key.expires !== null && key.expires.getTime() < Date.now()) lines.push(`\tWARNING: this key EXPIRED on ${key.expires.toISOString()}.`);
  else if (key.expires !== null) lines.push(`\tExpires: ${key.expires.toISOString()}`);
  return lines.join('\n') + '\n';
}

/** Loads keys from a file path, an https URL, or a plain http URL when allowed. */
async function loadKeys(source: string, io: CliIO, net: FetchPublicKeysOptions): Promise<PublicKeyInfo[]> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:/i.test(source)) {
    return fetchPublicKeys(source, { ...net, ...(io.fetch ? { fetch: io.fetch } : {}) });
  }
  const path = resolve(io.cwd, source.replace(/^file:\/\//i, ''));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw withPath(e, source);
  }
  return readPublicKeys(bytes, { source });
}

async function listKeys(ks: Keystore, io: CliIO, json: boolean): Promise<number> {
  const keys = await ks.list();
  const rows = await Promise.all(
    keys.map(async (k) => {
      const [info] = await readPublicKeys(k.armored, { source: k.source });
      return { fingerprint: k.fingerprint, prefix: k.prefix, origin: k.origin, path: k.source, userIds: info?.userIds ?? [] };
    }),
  );
  if (json) {
    io.stdout(JSON.stringify(rows, null, 2) + '\n');
    return EXIT.OK;
  }
  if (rows.length === 0) {
    io.stdout(`No trusted keys in ${ks.describe()}\n`);
    return EXIT.OK;
  }
  for (const r of rows) {
    io.stdout(`${r.fingerprint}  ${r.prefix === null ? '(root)' : r.prefix}  ${r.origin}\n`);
    for (const u of r.userIds) io.stdout(`\t${escapeTerminalText(u)}\n`);
  }
  return EXIT.OK;
}

/** The trust command. */
export const command: Command = {
  name: 'trust',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.prefix !== undefined && values.root) throw new UsageError('--prefix and --root exclude each other');
    const ks = openKeystore(values.keystore, io);
    try {
      if (values.list) {
        if (positionals.length > 0 || values.remove !== undefined) throw new UsageError('--list takes no other arguments');
        return await listKeys(ks, io, Boolean(values.json));
      }
      const scope: TrustScope | undefined = values.root ? { root: true } : values.prefix !== undefined ? { prefix: validatePrefix(values.prefix) } : undefined;
      if (values.remove !== undefined) {
        if (positionals.length > 0) throw new UsageError('--remove takes one fingerprint and no other arguments');
        for (const r of await ks.remove(values.remove, scope)) {
          io.stdout(`${r.action === 'deleted' ? 'Removed' : 'Masked system key'} ${r.fingerprint} for ${formatScope(r.scope)} (${r.path})\n`);
        }
        return EXIT.OK;
      }
      if (scope === undefined) throw new UsageError('give --prefix=PREFIX or --root (keys are trusted per image-name prefix)');
      const allowHttp = Boolean(values['insecure-allow-http']);
      const port = parsePort(values.port);
      const timeoutMs = values.timeout === undefined ? undefined : parseSeconds('--timeout', values.timeout, 0);
      const authFlag = await readAuthConfigFlag('trust', values['auth-config'], io);
      if ('exit' in authFlag) return authFlag.exit;
      const auth = authFlag.auth;
      const batches: { source: string; keys: readonly PublicKeyInfo[] }[] = [];
      if (positionals.length === 0) {
        if (!('prefix' in scope)) throw new UsageError('--root needs a KEYFILE or URL (discovery finds keys for a prefix only)');
        const found = await discoverPublicKeysToTrust(scope.prefix, {
          insecure: { http: allowHttp },
          allowHttpKeys: allowHttp,
          ...(port === undefined ? {} : { port }),
          ...(auth ? { auth } : {}),
          ...(timeoutMs === undefined ? {} : { timeoutMs: Math.min(DEFAULT_TIMEOUT_MS, timeoutMs), keyTimeoutMs: timeoutMs }),
          ...(io.fetch ? { fetch: io.fetch } : {}),
        });
        io.stderr(`Discovered key URLs for ${scope.prefix}${found.from ? ` at ${found.from}` : ''}: ${found.sources.map((s) => s.url).join(', ')}\n`);
        for (const { url, keys } of found.sources) batches.push({ source: url, keys });
      } else {
        const net: FetchPublicKeysOptions = { allowHttp, ...(auth ? { auth } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
        for (const source of positionals) batches.push({ source, keys: await loadKeys(source, io, net) });
      }
      let trusted = 0;
      let refused = 0;
      for (const { source, keys } of batches) {
        for (const key of keys) {
          io.stderr(describeKey(key, source, scope));
          if (!values['skip-fingerprint-review']) {
            const answer = await ask(io, 'Are you sure you want to trust this key (yes/no)? ');
            if (answer === undefined) {
              io.stderr('trust: refusing to trust a key without review: stdin is not a terminal. Check the fingerprint above with the key owner, then run again with --skip-fingerprint-review.\n');
              return EXIT.INVALID;
            }
            if (!/^\s*y(es)?\s*$/i.test(answer)) {
              io.stderr('Key NOT trusted.\n');
              refused++;
              continue;
            }
          }
          const [added] = await ks.add(key.armored, scope, { source });
          if (added === undefined) continue;
          const verb = added.status === 'unchanged' ? 'Already trusted' : added.status === 'updated' ? 'Updated' : 'Trusted';
          io.stdout(`${verb} key ${added.fingerprint} for ${formatScope(scope)} (${added.path})\n`);
          trusted++;
        }
      }
      return trusted === 0 && refused > 0 ? EXIT.INVALID : EXIT.OK;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      io.stderr(`trust: ${formatError(e)}\n`);
      return exitCodeFor(e);
    }
  },
};
