/** `actool fetch`: discover, download, verify and validate an image, then write it (spec/discovery.md; checklist S-1..S-5). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../io.js';
import { catchInterrupts } from '../interrupt.js';
import { exitCodeFor, KEYSTORE_HELP, openKeystore } from '../keystore-option.js';
import { parseSeconds, parseSize, readAuthConfigFlag } from '../network-flags.js';
import { readPassphrase } from '../passphrase.js';
import { parseAppString } from '../../discovery/app-string.js';
import { DEFAULT_TIMEOUT_MS, discoverEndpoints, transportFailure } from '../../discovery/discover.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_DOWNLOAD_BYTES, isHttpGetError } from '../../discovery/http-get.js';
import { isAppcError } from '../../issues/appc-error.js';
import type { Issue } from '../../issues/issue.js';
import type { DownloadProgress, FetchImageResult } from '../../node/fetch-image.js';
import { fetchImage } from '../../node/fetch-image.js';
import { hostLabels } from '../../node/host-labels.js';
import { createInsecureFetch } from '../../node/insecure-fetch.js';
import { formatFingerprint } from '../../signature/keys.js';
import { formatScope } from '../../signature/keystore.js';

const INSECURE = ['none', 'http', 'tls', 'image', 'all'] as const;

const HELP = `Usage: actool fetch [--keystore=DIR] [--insecure-options=LIST] [--no-signature] [--passphrase-file=FILE]
                    [--output=DIR] [--overwrite] [--auth-config=FILE] [--os=OS] [--arch=ARCH] [--port=N]
                    [--max-size=SIZE] [--timeout=SECONDS] [--idle-timeout=SECONDS] [--json] APP

Discovers APP (NAME[:VERSION][,LABEL=VALUE]..., such as example.com/app:1.0.0), downloads its
signature and image, and keeps the image only if all of this holds:
  1. the signature is made by a key the keystore trusts for NAME (checked before the image is
     downloaded when the signer is unknown or untrusted), and matches the downloaded bytes;
  2. the image (decrypted with --passphrase-file if it is encrypted) is a valid ACI;
  3. its manifest has NAME and every label used for discovery (version=latest excepted).
Then IMAGE.aci and IMAGE.aci.asc are moved into the output directory and the path is printed.
Every request (discovery, signature, image) follows the same rules: https only (unless
--insecure-options=http), no https->http redirect, at most 10 redirects, credentials only to their
own host. Ctrl-C (SIGINT) or SIGTERM stops the fetch and removes the partial download.
A progress bar is shown on stderr when it is a terminal.

Flags:
${KEYSTORE_HELP}
  --insecure-options=LIST  comma-separated: http (allow plain http), tls (do not check certificates),
                           image (do not fetch or verify the signature), all, none
  --no-signature           same as --insecure-options=image
  --passphrase-file=FILE   passphrase of an encrypted image (first line of FILE)
  --output=DIR             where to write the image (default: the current directory)
  --overwrite              replace IMAGE.aci and IMAGE.aci.asc if they exist (default: refuse)
  --auth-config=FILE       credentials per host, sent over https to that host only (as actool discover)
  --os=OS, --arch=ARCH     labels used when APP has none (default: this machine)
  --port=N                 port for discovery URLs
  --max-size=SIZE          largest image accepted (default 8GiB; units KiB MiB GiB or KB MB GB); a
                           larger Content-Length fails before the download starts
  --timeout=SECONDS        time limit of each download with its redirects (default 3600; discovery
                           pages: 20 or this, whichever is less)
  --idle-timeout=SECONDS   longest wait for the server to send anything (default 30)
  --json                   print the result as JSON

Exit codes: 0 fetched, 1 signature, validation or manifest check failed or the output exists
(nothing written), 2 usage, 3 network or I/O failure (server unreachable, TLS, time-out, too large,
refused redirect), 130/143 stopped by SIGINT/SIGTERM (nothing written).
`;

const OPTIONS = {
  keystore: { type: 'string' },
  'insecure-options': { type: 'string' },
  'no-signature': { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  output: { type: 'string' },
  overwrite: { type: 'boolean' },
  'auth-config': { type: 'string' },
  os: { type: 'string' },
  arch: { type: 'string' },
  port: { type: 'string' },
  'max-size': { type: 'string' },
  timeout: { type: 'string' },
  'idle-timeout': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

function parseInsecure(list: string | undefined): { http: boolean; tls: boolean; image: boolean } {
  const out = { http: false, tls: false, image: false };
  for (const raw of (list ?? '').split(',').filter((s) => s.trim() !== '')) {
    const o = raw.trim();
    if (!(INSECURE as readonly string[]).includes(o)) throw new UsageError(`--insecure-options: unknown option ${JSON.stringify(o)} (known: ${INSECURE.join(', ')})`);
    if (o === 'http' || o === 'all') out.http = true;
    if (o === 'tls' || o === 'all') out.tls = true;
    if (o === 'image' || o === 'all') out.image = true;
  }
  return out;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port must be 1-65535 (got ${JSON.stringify(text)})`);
  return n;
}

/** A progress display on stderr: cli-progress on a terminal, nothing otherwise. */
async function progressReporter(io: CliIO): Promise<{ onProgress: (p: DownloadProgress) => void; stop: () => void }> {
  if (!io.stderrIsTTY) return { onProgress: () => undefined, stop: () => undefined };
  const { default: progress } = await import('cli-progress');
  let bar: InstanceType<typeof progress.SingleBar> | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    onProgress(p) {
      if (p.url !== current) {
        stop();
        current = p.url;
        bar = new progress.SingleBar(
          { format: ' {bar} {percentage}% | {value}/{total} bytes | {file}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
          progress.Presets.shades_classic,
        );
        bar.start(p.total ?? 0, p.received, { file: p.url.split('/').pop() ?? p.url });
      }
      if (p.total === undefined) bar?.setTotal(p.received);
      bar?.update(p.received);
      if (p.done) stop();
    },
  };
}

function printIssues(io: CliIO, label: string, issues: readonly Issue[]): void {
  for (const i of issues) io.stderr(`fetch: ${label}: ${i.severity} ${i.code}${i.entry ? ` ${i.entry}` : ''}${i.path ? ' ' + i.path : ''}: ${i.message}\n`);
}

/** Exit code for an error of the fetch command: downloads and file system failures are 3. */
function fetchExitCode(e: unknown): number {
  if (isAppcError(e) && e.code === 'ACI_OUTPUT_EXISTS') return EXIT.INVALID;
  return exitCodeFor(e);
}

/** The fetch command. */
export const command: Command = {
  name: 'fetch',
  summary: 'Discover, download and verify an image',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('expected exactly one APP');
    const text = positionals[0]!;
    const insecure = parseInsecure(values['insecure-options']);
    const noSignature = values['no-signature'] === true || insecure.image;
    const port = parsePort(values.port);
    const maxBytes = parseSize('--max-size', values['max-size'], DEFAULT_MAX_DOWNLOAD_BYTES);
    const timeoutMs = parseSeconds('--timeout', values.timeout, DEFAULT_DOWNLOAD_TIMEOUT_MS);
    const idleTimeoutMs = parseSeconds('--idle-timeout', values['idle-timeout'], DEFAULT_IDLE_TIMEOUT_MS);
    const app = parseAppString(text);
    if (!app.ok) {
      printIssues(io, text, app.issues);
      return EXIT.INVALID;
    }
    const authFlag = await readAuthConfigFlag('fetch', values['auth-config'], io);
    if ('exit' in authFlag) return authFlag.exit;
    const auth = authFlag.auth;
    const progress = await progressReporter(io);
    const interrupt = catchInterrupts();
    const signal = interrupt.signal;
    try {
      let passphrase: string | undefined;
      if (values['passphrase-file'] !== undefined) passphrase = await readPassphrase(resolve(io.cwd, values['passphrase-file']));
      const host = hostLabels();
      const fetchImpl = insecure.tls ? createInsecureFetch() : io.fetch;
      const pageTimeout = Math.min(DEFAULT_TIMEOUT_MS, timeoutMs);
      const found = await discoverEndpoints(app.value, {
        insecure: { http: insecure.http, tls: insecure.tls },
        port,
        defaultLabels: { os: values.os ?? host.os, arch: values.arch ?? host.arch },
        timeoutMs: pageTimeout,
        idleTimeoutMs: Math.min(pageTimeout, idleTimeoutMs),
        signal,
        ...(auth ? { auth } : {}),
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
      if (found.endpoints.length === 0) {
        printIssues(io, text, found.issues);
        const down = transportFailure(found.attempts);
        if (down !== undefined) {
          io.stderr(`fetch: ${text}: discovery reached no server (${down.url}: ${down.detail}); run "actool --debug discover ${text}" to see every request\n`);
          return EXIT.IO;
        }
        io.stderr(`fetch: ${text}: no image endpoint was discovered; run "actool --debug discover ${text}" to see every request\n`);
        return EXIT.INVALID;
      }
      if (noSignature) io.stderr(`fetch: ${text}: WARNING: signature verification is off; the image is not authenticated\n`);
      const keyring = noSignature ? undefined : openKeystore(values.keystore, io);
      let result: FetchImageResult | undefined;
      for (const [i, endpoint] of found.endpoints.entries()) {
        try {
          result = await fetchImage(found.app, endpoint, {
            outputDir: resolve(io.cwd, values.output ?? '.'),
            ...(keyring ? { keyring } : {}),
            noSignature,
            allowHttp: insecure.http,
            overwrite: values.overwrite === true,
            maxBytes,
            timeoutMs,
            idleTimeoutMs,
            signal,
            ...(auth ? { auth } : {}),
            ...(fetchImpl ? { fetch: fetchImpl } : {}),
            ...(passphrase === undefined ? {} : { passphrase }),
            onProgress: progress.onProgress,
          });
          break;
        } catch (e) {
          progress.stop();
          // Another endpoint (another mirror or scheme) may work after a download failure; anything else ends the fetch.
          if (!isHttpGetError(e) || e.code === 'HTTP_ABORTED' || i === found.endpoints.length - 1) throw e;
          io.stderr(`fetch: ${formatError(e)}; trying the next endpoint\n`);
        }
      }
      progress.stop();
      if (result === undefined) throw new Error('no endpoint was tried');
      if (values.json) io.stdout(JSON.stringify(result, null, 2) + '\n');
      if (!result.ok) {
        printIssues(io, result.url, result.issues);
        io.stderr(`fetch: ${text}: the ${result.stage} check failed; nothing was written\n`);
        return EXIT.INVALID;
      }
      for (const w of result.warnings) io.stderr(`fetch: ${result.url}: ${w.severity} ${w.code}: ${w.message}\n`);
      if (result.signature) {
        const s = result.signature;
        io.stderr(`fetch: ${text}: signed by ${formatFingerprint(s.fingerprint)} (${s.userIds.join(', ') || 'no user ID'}), trusted for ${formatScope(s.keyPrefix)}\n`);
      }
      if (!values.json) io.stdout(`${result.path}\n`);
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      const sig = interrupt.received();
      if (sig !== undefined) {
        io.stderr(`fetch: ${text}: interrupted by ${sig}; partial files removed, nothing was written\n`);
        return interrupt.exitCode();
      }
      io.stderr(`fetch: ${formatError(e)}\n`);
      return fetchExitCode(e);
    } finally {
      interrupt.dispose();
    }
  },
};
