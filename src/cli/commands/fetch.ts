/** `actool fetch`: discover, download, verify and validate an image, then write it (spec/discovery.md; checklist S-1..S-5). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../io.js';
import { exitCodeFor } from '../aci-errors.js';
import { KEYSTORE_HELP, openKeystore, OS_ARCH_HELP, osArchLabels, parseInsecureOptions, parsePort, PASSPHRASE_HELP, PORT_HELP, readPassphraseFile } from '../flags.js';
import { formatIssues } from '../format-issues.js';
import { catchInterrupts } from '../interrupt.js';
import { parseSeconds, parseSize, readAuthConfigFlag } from '../network-flags.js';
import type { Progress, ProgressBar } from '../progress.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import { parseAppString } from '../../discovery/app-string.js';
import { DEFAULT_TIMEOUT_MS, discoverEndpoints, transportFailure } from '../../discovery/discover.js';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_DOWNLOAD_BYTES, isHttpGetError } from '../../discovery/http-get.js';
import { isAppcError } from '../../issues/appc-error.js';
import type { Issue } from '../../issues/issue.js';
import type { DownloadProgress, FetchImageResult } from '../../node/fetch-image.js';
import { fetchImage } from '../../node/fetch-image.js';
import { createInsecureFetch } from '../../node/insecure-fetch.js';
import { formatFingerprint } from '../../signature/keys.js';
import { formatScope } from '../../signature/keystore.js';

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
${PASSPHRASE_HELP}
  --output=DIR             where to write the image (default: the current directory)
  --overwrite              replace IMAGE.aci and IMAGE.aci.asc if they exist (default: refuse)
  --auth-config=FILE       credentials per host, sent over https to that host only (as actool discover)
${OS_ARCH_HELP}
${PORT_HELP}
  --max-size=SIZE          largest image accepted (default 8GiB; units KiB MiB GiB or KB MB GB); a
                           larger Content-Length fails before the download starts
  --timeout=SECONDS        time limit of each download with its redirects (default 3600; discovery
                           pages: 20 or this, whichever is less)
  --idle-timeout=SECONDS   longest wait for the server to send anything (default 30); a body slower
                           than 1 KiB/s over this long is stalled too
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

/** One byte bar per download (signature, then image), labelled with the file name of its URL. */
function downloadProgress(progress: Progress): { onProgress: (p: DownloadProgress) => void; stop: () => void } {
  let bar: ProgressBar | undefined;
  let current = '';
  const stop = (): void => {
    bar?.finish();
    bar = undefined;
  };
  return {
    stop() {
      stop();
      progress.stop();
    },
    onProgress(p) {
      if (p.url !== current) {
        stop();
        current = p.url;
        bar = progress.bytes(p.url.split('/').pop() || p.url, p.total);
      }
      bar?.update(p.received, p.total);
      if (p.done) stop();
    },
  };
}

function printIssues(io: CliIO, label: string, issues: readonly Issue[]): void {
  io.stderr(formatIssues(`fetch: ${label}`, issues));
}

/** Exit code for an error of the fetch command: downloads and file system failures are 3. */
function fetchExitCode(e: unknown): number {
  if (isAppcError(e) && e.code === 'ACI_OUTPUT_EXISTS') return EXIT.INVALID;
  return exitCodeFor(e);
}

/** The fetch command. */
export const command: Command = {
  name: 'fetch',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('expected exactly one APP');
    const text = positionals[0]!;
    const insecure = parseInsecureOptions(values['insecure-options'], ['http', 'tls', 'image']);
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
    const progress = downloadProgress(await createProgress(io));
    const interrupt = catchInterrupts();
    const signal = interrupt.signal;
    try {
      const passphrase = await readPassphraseFile(values['passphrase-file'], io);
      const fetchImpl = insecure.tls ? createInsecureFetch() : io.fetch;
      const pageTimeout = Math.min(DEFAULT_TIMEOUT_MS, timeoutMs);
      const found = await discoverEndpoints(app.value, {
        insecure: { http: insecure.http, tls: insecure.tls },
        ...(port === undefined ? {} : { port }),
        defaultLabels: osArchLabels(values),
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
          io.stderr(escapeTerminalText(`fetch: ${text}: discovery reached no server (${down.url}: ${down.detail}); run "actool --debug discover ${text}" to see every request`) + '\n');
          return EXIT.IO;
        }
        io.stderr(`fetch: ${escapeTerminalText(text)}: no image endpoint was discovered; run "actool --debug discover ${text}" to see every request\n`);
        return EXIT.INVALID;
      }
      if (noSignature) io.stderr(`fetch: ${escapeTerminalText(text)}: WARNING: signature verification is off; the image is not authenticated\n`);
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
        io.stderr(`fetch: ${escapeTerminalText(text)}: the ${result.stage} check failed; nothing was written\n`);
        return EXIT.INVALID;
      }
      printIssues(io, result.url, result.warnings);
      if (result.signature) {
        const s = result.signature;
        io.stderr(escapeTerminalText(`fetch: ${text}: signed by ${formatFingerprint(s.fingerprint)} (${s.userIds.join(', ') || 'no user ID'}), trusted for ${formatScope(s.keyPrefix)}`) + '\n');
      }
      if (!values.json) io.stdout(`${escapeTerminalText(result.path)}\n`);
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      const sig = interrupt.received();
      if (sig !== undefined) {
        io.stderr(`fetch: ${escapeTerminalText(text)}: interrupted by ${sig}; partial files removed, nothing was written\n`);
        return interrupt.exitCode();
      }
      io.stderr(`fetch: ${formatError(e)}\n`);
      return fetchExitCode(e);
    } finally {
      interrupt.dispose();
    }
  },
};
