/** `actool discover`: prints the ACI, signature and public key URLs of apps, and why discovery failed (spec/discovery.md). */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { readAuthConfigFlag } from '../network-flags.js';
import { formatIssues } from '../format-issues.js';
import { OS_ARCH_HELP, parseInsecureOptions, parsePort, PORT_HELP, osArchLabels } from '../flags.js';
import { escapeTerminalText } from '../terminal-text.js';
import { parseAppString } from '../../discovery/app-string.js';
import type { DiscoverOptions, DiscoveryAttempt, DiscoveryResult } from '../../discovery/discover.js';
import { discover, transportFailure } from '../../discovery/discover.js';
import { createInsecureFetch } from '../../node/insecure-fetch.js';

/** The discover command. */
export const command: Command = {
  name: 'discover',
  help: `Usage: actool discover [--json] [--insecure] [--insecure-options=http,tls] [--port=N]
                       [--auth-config=FILE] [--os=OS] [--arch=ARCH] [--prefix-match=segment|text]
                       [--timeout=SECONDS] [--debug] APP...

Runs appc meta discovery for each APP, written NAME[:VERSION][,LABEL=VALUE]... such as
example.com/app:1.0.0 or example.com/app,channel=beta. It fetches https://NAME?ac-discovery=1, then
the parent paths of NAME, and prints the image and signature URLs of the nearest page with usable
ac-discovery templates, and the key URLs of the nearest page with ac-discovery-pubkeys tags:
  ACI: https://.../app-1.0.0-linux-amd64.aci, ASC: https://.../app-1.0.0-linux-amd64.aci.asc
  PublicKeys: https://example.com/pubkeys.gpg
When discovery fails, the reason for every URL tried is printed (templates skipped because a label
is missing, 404s, refused connections, 401s with the host to add credentials for).

Flags:
  --json                   print {"ACIEndpoints": [{"ACI", "ASC"}], "PublicKeys": [...], "Attempts": [...],
                           "Issues": [...]} per APP (Go's shape plus the trace and issues)
  --insecure               same as --insecure-options=http,tls
  --insecure-options=LIST  comma-separated: http (fall back to plain http, follow https->http redirects),
                           tls (do not check certificates), all, none
${PORT_HELP}
  --auth-config=FILE       credentials per host, sent over https only (JSON; see docs/discovery.md):
                           {"example.com": {"type": "basic", "user": "u", "password": "p"},
                            "registry.example.com:8443": {"type": "bearer", "token": "t"}}
                           rkt auth.d files ({"rktKind": "auth", "domains": [...], ...}) work too
${OS_ARCH_HELP}
  --prefix-match=MODE      segment (default): a tag prefix matches whole path segments of the name;
                           text: plain text prefix, as the Go actool (example.com/foo matches example.com/foobar)
  --timeout=SECONDS        time-out per discovery URL (default 20)
  --debug                  print the trace of every request and tag to stderr

Exit codes: 0 found endpoints and keys for every APP, 1 an APP is invalid or discovery found no
endpoint or no public key, 2 usage error, 3 the auth config cannot be read or no server answered
(refused connection, DNS, TLS certificate, time-out, oversized page, refused redirect).
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      json: { type: 'boolean' },
      insecure: { type: 'boolean' },
      'insecure-options': { type: 'string' },
      port: { type: 'string' },
      'auth-config': { type: 'string' },
      os: { type: 'string' },
      arch: { type: 'string' },
      'prefix-match': { type: 'string' },
      timeout: { type: 'string' },
      debug: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('at least one APP is required');
    const insecure = parseInsecureOptions(values['insecure-options'], ['http', 'tls'], values.insecure === true);
    const port = parsePort(values.port);
    const prefixMatch = values['prefix-match'] ?? 'segment';
    if (prefixMatch !== 'segment' && prefixMatch !== 'text') throw new UsageError(`--prefix-match must be segment or text (got ${JSON.stringify(prefixMatch)})`);
    const timeoutMs = parseTimeout(values.timeout);
    const debug = values.debug === true;

    const authFlag = await readAuthConfigFlag('discover', values['auth-config'], io);
    if ('exit' in authFlag) return authFlag.exit;
    const auth = authFlag.auth;

    const defaults = osArchLabels(values);
    const fetchImpl = insecure.tls ? createInsecureFetch() : io.fetch;
    const options: DiscoverOptions = {
      insecure,
      ...(port === undefined ? {} : { port }),
      prefixMatch,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      defaultLabels: defaults,
      ...(auth ? { auth } : {}),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    };

    let exit: number = EXIT.OK;
    for (const text of positionals) {
      const app = parseAppString(text);
      if (!app.ok) {
        io.stderr(formatIssues(`discover: ${text}`, app.issues));
        exit = EXIT.INVALID;
        continue;
      }
      io.stderr(formatIssues(`discover: ${text}`, app.warnings));
      if (debug) {
        for (const label of ['os', 'arch'] as const) {
          if (Object.hasOwn(app.value.labels, label) && app.value.labels[label] !== '') continue;
          const from = values[label] !== undefined ? `--${label}` : 'this machine; choose with --' + label;
          io.stderr(`discover: ${escapeTerminalText(text)}: using ${label}=${defaults[label]} (from ${from})\n`);
        }
      }
      const result = await discover(app.value, options);
      if (debug) for (const a of result.attempts) io.stderr(formatAttempt(text, a));
      if (values.json) io.stdout(JSON.stringify(toJson(result), null, 4) + '\n');
      else {
        for (const e of result.endpoints) io.stdout(escapeTerminalText(`ACI: ${e.aci}, ASC: ${e.asc}`) + '\n');
        if (result.publicKeys.length > 0) io.stdout(escapeTerminalText(`PublicKeys: ${result.publicKeys.join(',')}`) + '\n');
      }
      io.stderr(formatIssues(`discover: ${text}`, result.issues));
      if (!result.ok) {
        // No server answered at all: the registry is down or unreachable, not an app without images.
        const down = result.endpoints.length === 0 ? transportFailure(result.attempts) : undefined;
        exit = down !== undefined || exit === EXIT.IO ? EXIT.IO : EXIT.INVALID;
        if (!debug) io.stderr(`discover: ${escapeTerminalText(text)}: run "actool --debug discover ..." to see every request\n`);
      }
    }
    return exit;
  },
};

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout must be a positive number of seconds (got ${JSON.stringify(text)})`);
  return Math.max(1, Math.round(n * 1000));
}

function formatAttempt(app: string, a: DiscoveryAttempt): string {
  const status = a.status === undefined ? '' : ` ${a.status}`;
  const walk = a.walk === 'endpoints' ? 'endpoints' : 'keys';
  return escapeTerminalText(`discover: ${app}: [${walk}] ${a.prefix}: ${a.url}${status} ${a.outcome}${a.cached ? ' (reused)' : ''}: ${a.detail}`) + '\n';
}

/** Go's JSON shape (ACIEndpoints with ACI and ASC, PublicKeys), plus the trace and the issues. */
function toJson(r: DiscoveryResult): Record<string, unknown> {
  return {
    ACIEndpoints: r.endpoints.map((e) => ({ ACI: e.aci, ASC: e.asc })),
    PublicKeys: r.publicKeys,
    Name: r.app.name,
    Labels: r.app.labels,
    Attempts: r.attempts,
    Issues: r.issues,
  };
}
