/** `actool publish`: writes a static discovery site for ACIs (spec/discovery.md; checklist D-WK-*, D-TP-*, S-2). */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError, withPath } from '../format-error.js';
import { EXIT } from '../io.js';
import type { CliIO } from '../io.js';
import { parseImageRef } from '../image-ref.js';
import { loadSigningKey, signingExitCode } from '../signing-key-option.js';
import { publishSite } from '../../publish/publish-site.js';
import type { PublishSource } from '../../publish/publish-site.js';
import { DirStore } from '../../render/dir-store.js';
import { findImage } from '../../render/render.js';
import { formatFingerprint } from '../../signature/keys.js';
import { escapeTerminalText } from '../terminal-text.js';

const HELP = `Usage: actool publish [--base-url=URL] [--key=FILE [--passphrase-file=FILE]] [--pubkey=FILE]...
                      [--store=DIR] [--no-latest] [--json] SOURCE... SITE

Writes (or updates) SITE, a directory any static web server, CDN or object store can serve at URL:
  index.html, NAME/.../index.html  discovery pages with ac-discovery and ac-discovery-pubkeys meta
                                   tags, at every path a client asks for (https://HOST/NAME?ac-discovery=1
                                   resolves to NAME/index.html on a static host)
  _appc/images/NAME-VERSION-OS-ARCH.aci and .aci.asc   the images and their signatures, as the
                                   template URL/_appc/images/{name}-{version}-{os}-{arch}.{ext} names them
                                   (and NAME-latest-OS-ARCH for the newest version)
  _appc/pubkeys.gpg                the public keys;   _appc/site.json   what the site holds

SOURCE is an ACI file, or with --store an image ID or NAME[:VERSION][,LABEL=VALUE] in the image store.
Each image must be valid, named under the base URL's host and path, and have version, os and arch
labels. With --key every new image is signed on the way; without it IMAGE.aci.asc next to each ACI is
copied and must verify with the site's keys (add its signer with --pubkey). Publishing again adds
images and keeps every old URL working; an image already there with the same bytes is left alone.
The new site is written into a temporary directory and swapped in, so on any error SITE is unchanged.

Flags:
  --base-url=URL          where SITE will be served (https://HOST[:PORT][/PATH]/); needed the first
                          time, then read from the site
  --key=FILE              private key to sign new images with (its public part is published)
  --passphrase-file=FILE  passphrase of a protected key (first line of FILE)
  --pubkey=FILE           a public key to publish as well (repeatable): the signer of copied signatures
  --store=DIR             image store to take non-file SOURCEs from (default $ACTOOL_STORE or ./.actool-store)
  --no-latest             do not publish version "latest" copies
  --json                  print the report as JSON

Exit codes: 0 published, 1 invalid input (image, name, label, signature, key, conflict; nothing
changed), 2 usage, 3 I/O failure (nothing changed).
`;

const OPTIONS = {
  'base-url': { type: 'string' },
  key: { type: 'string' },
  'passphrase-file': { type: 'string' },
  pubkey: { type: 'string', multiple: true },
  store: { type: 'string' },
  'no-latest': { type: 'boolean' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A SOURCE as a file, or an image of the store. */
async function resolveSource(text: string, storeDir: string, io: CliIO): Promise<PublishSource> {
  const path = resolve(io.cwd, text);
  if ((await isFile(path)) || text.endsWith('.aci')) return { aci: path, label: text };
  const store = new DirStore(storeDir);
  const image = await findImage(store, parseImageRef(text));
  return { aci: String(await store.source(image.id)), label: `${text} (store ${image.id.slice(0, 19)})` };
}

/** The publish command. */
export const command: Command = {
  name: 'publish',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length < 2) throw new UsageError('expected at least one SOURCE and the SITE directory');
    if (values['passphrase-file'] !== undefined && values.key === undefined) throw new UsageError('--passphrase-file needs --key');
    const site = resolve(io.cwd, positionals.at(-1)!);
    const storeDir = resolve(io.cwd, values.store ?? io.env['ACTOOL_STORE'] ?? '.actool-store');
    try {
      const signingKey = values.key === undefined ? undefined : await loadSigningKey(values.key, values['passphrase-file'], io);
      const publicKeys = [];
      for (const file of values.pubkey ?? []) publicKeys.push({ data: new Uint8Array(await readFile(resolve(io.cwd, file)).catch((e: unknown) => Promise.reject(withPath(e, file)))), source: file });
      const sources: PublishSource[] = [];
      for (const text of positionals.slice(0, -1)) sources.push(await resolveSource(text, storeDir, io));
      const report = await publishSite(sources, site, {
        ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
        ...(signingKey === undefined ? {} : { signingKey }),
        publicKeys,
        latest: values['no-latest'] !== true,
      });
      if (values.json) {
        io.stdout(JSON.stringify(report, null, 2) + '\n');
        return EXIT.OK;
      }
      // Names and labels come from manifests: escaped, so an image cannot write terminal controls.
      for (const i of report.added) io.stdout(`added ${escapeTerminalText(`${i.name}:${i.version} ${i.os}/${i.arch}`)} ${i.imageId.slice(0, 19)} signed by ${formatFingerprint(i.signedBy)}\n`);
      for (const i of report.unchanged) io.stdout(`unchanged ${escapeTerminalText(`${i.name}:${i.version} ${i.os}/${i.arch}`)}\n`);
      io.stderr(
        `${positionals.at(-1)}: ${report.images.length} image${report.images.length === 1 ? '' : 's'}, ${report.pages.length} page${report.pages.length === 1 ? '' : 's'}, ${report.keys.length} key${report.keys.length === 1 ? '' : 's'}; serve it at ${report.baseUrl}\n`,
      );
      return EXIT.OK;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      io.stderr(`publish: ${formatError(e)}\n`);
      const code = (e as { code?: unknown }).code;
      return typeof code === 'string' && (code.startsWith('RENDER_') || code.startsWith('STORE_')) ? EXIT.INVALID : signingExitCode(e);
    }
  },
};
