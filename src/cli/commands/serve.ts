/** `actool serve`: a small HTTP/HTTPS server for a discovery site, optionally converting OCI images on request. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import { EXIT } from '../io.js';
import { loadSigningKey, signingExitCode } from '../signing-key-option.js';
import { AppcError } from '../../issues/appc-error.js';
import { escapeTerminalText } from '../terminal-text.js';
import { serveSite } from '../../serve/serve-site.js';
import type { FallbackHandler } from '../../serve/serve-site.js';

const HELP = `Usage: actool serve [--listen=[HOST:]PORT] [--cert=FILE --key=FILE] [--quiet]
                    [--convert=OCI-LAYOUT-DIR --convert-key=FILE [--convert-passphrase-file=FILE] [--base-url=URL]] SITE

Serves SITE (a directory written by actool publish) over HTTP, or HTTPS with --cert and --key:
GET and HEAD, content types, single byte ranges, ETag and Last-Modified (304 answers), no caching
of pages and keys. A directory path is answered with its index.html, so HOST/NAME?ac-discovery=1
finds its page without a redirect. One access-log line per request goes to standard output.
SIGINT or SIGTERM stops accepting connections and lets requests in flight finish.
Meant for tests, demos and small teams; any static web server can serve SITE as well.

With --convert, names under the site's prefix that the site does not hold are answered from an OCI
image layout: IMAGE:TAG of the layout is discoverable as PREFIX/IMAGE:TAG, converted to an ACI on
first request (cached by image digest under SITE's sibling .NAME.convert-cache), and signed with
--convert-key, whose public key the converter's pages name. This is how Quay served Docker images.

Flags:
  --listen=[HOST:]PORT    address (default 127.0.0.1:8080; port 0 picks a free one)
  --cert=FILE, --key=FILE PEM certificate (chain) and private key for HTTPS
  --quiet                 no access log
  --convert=DIR           an OCI image layout to convert images from on request
  --convert-key=FILE      OpenPGP private key that signs converted images
  --convert-passphrase-file=FILE  its passphrase
  --base-url=URL          the URL clients use (default: the one recorded in SITE)

Exit codes: 0 stopped by a signal, 1 bad key or site, 2 usage, 3 cannot listen or read the TLS files.
`;

const OPTIONS = {
  listen: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  quiet: { type: 'boolean' },
  convert: { type: 'string' },
  'convert-key': { type: 'string' },
  'convert-passphrase-file': { type: 'string' },
  'base-url': { type: 'string' },
  debug: { type: 'boolean' },
} as const;

/** Reads `[HOST:]PORT` (`[::1]:8080` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen must be [HOST:]PORT with PORT 0-65535 (got ${JSON.stringify(text)})`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/** The serve command. */
export const command: Command = {
  name: 'serve',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('expected exactly one SITE directory');
    if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
    if ((values.convert === undefined) !== (values['convert-key'] === undefined)) throw new UsageError('--convert and --convert-key go together');
    const { host, port } = parseListen(values.listen ?? '127.0.0.1:8080');
    const site = resolve(io.cwd, positionals[0]!);
    try {
      let tls: { cert: Buffer; key: Buffer } | undefined;
      if (values.cert !== undefined && values.key !== undefined) {
        try {
          tls = { cert: await readFile(resolve(io.cwd, values.cert)), key: await readFile(resolve(io.cwd, values.key)) };
        } catch (e) {
          throw new AppcError('SERVE_TLS_UNREADABLE', `cannot read the TLS certificate or key: ${formatError(e)}`, { cause: e });
        }
      }
      let fallback: FallbackHandler | undefined;
      if (values.convert !== undefined && values['convert-key'] !== undefined) {
        const { createConvertRoute } = await import('../../serve/convert-route.js');
        const key = await loadSigningKey(values['convert-key'], values['convert-passphrase-file'], io);
        fallback = await createConvertRoute({
          site,
          layout: resolve(io.cwd, values.convert),
          key,
          ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
          log: (line) => io.stderr(`serve: ${escapeTerminalText(line)}\n`),
        });
      }
      const server = await serveSite(site, {
        host,
        port,
        ...(tls === undefined ? {} : { tls }),
        // Request paths come from clients: escaped, so a request cannot forge log lines or send terminal controls.
        ...(values.quiet ? {} : { log: (line: string) => io.stdout(escapeTerminalText(line) + '\n') }),
        ...(fallback === undefined ? {} : { fallback }),
      });
      io.stderr(`serve: serving ${positionals[0]} at ${server.url} (stop with Ctrl-C)\n`);
      await new Promise<void>((done) => {
        const stop = (signal: string): void => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          io.stderr(`serve: ${signal}: finishing requests in flight\n`);
          void server.close().then(done);
        };
        const onInt = (): void => stop('SIGINT');
        const onTerm = (): void => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
      io.stderr('serve: stopped\n');
      return EXIT.OK;
    } catch (e) {
      io.stderr(`serve: ${formatError(e)}\n`);
      const code = (e as { code?: unknown }).code;
      if (code === 'SERVE_TLS_UNREADABLE' || code === 'EADDRINUSE' || code === 'EACCES') return EXIT.IO;
      return signingExitCode(e);
    }
  },
};
