/** Meta discovery: walking up an image name to find ACI, signature and public key URLs (spec/discovery.md; checklist D-WK-1..4). */
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { hasErrors, promoteWarnings } from '../issues/issue.js';
import type { DiscoveryApp } from './app-string.js';
import { parseAppString, validateDiscoveryApp, withDefaultLabels } from './app-string.js';
import type { AuthConfig } from './auth.js';
import type { DiscoveryCode } from './codes.js';
import { DISCOVERY_CODES } from './codes.js';
import type { AttemptOutcome, PageFetch, PageFetchSettings } from './fetch-page.js';
import { fetchDiscoveryPage } from './fetch-page.js';
import type { MetaTagScan, PrefixMatch } from './meta-tags.js';
import { extractMetaTags, matchesPrefix } from './meta-tags.js';
import type { ACIEndpoint } from './template.js';
import { renderEndpoint } from './template.js';

/** Options of discover, discoverEndpoints and discoverPublicKeys. Every field is optional. */
export interface DiscoverOptions {
  /** The fetch to use (default: the global fetch). It must support `redirect: 'manual'` and `signal`. */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * Insecure transport, off by default. `http`: when https fails in any way, try plain http (and follow
   * https-to-http redirects). `tls`: do not check certificates, which needs a `fetch` that skips the checks
   * (`createInsecureFetch()` from `appc/node`). These are Go's InsecureHTTP and InsecureTLS.
   */
  readonly insecure?: { readonly http?: boolean; readonly tls?: boolean };
  /** A port for every discovery URL (1-65535); 0 or absent uses the scheme's default. */
  readonly port?: number;
  /** Credentials by host, sent as an Authorization header over https only (see parseAuthConfig). */
  readonly auth?: AuthConfig;
  /** More headers per host (`host` or `host:port`), also sent over https only. */
  readonly headers?: (host: string) => HeadersInit | undefined;
  /**
   * Labels to use when the app lacks them or leaves them empty, typically `{ os, arch }` of the target
   * machine. Nothing is taken from the host running the library. `version` defaults to `latest` after these.
   */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** How a meta tag prefix must match the name: `'segment'` (default) or Go's plain-text `'text'`. */
  readonly prefixMatch?: PrefixMatch;
  /** Time-out per discovery URL, covering its redirects and the body, in ms (default 20000). */
  readonly timeoutMs?: number;
  /** Longest wait for a server's headers or next body bytes, in ms (default: the time-out). */
  readonly idleTimeoutMs?: number;
  /** Largest discovery page read, in bytes (default 1 MiB). */
  readonly maxBytes?: number;
  /** Most redirects followed per discovery URL (default 10, as Go). */
  readonly maxRedirects?: number;
  /** Stops discovery: the promise rejects with AppcError `DISCOVERY_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Promote warnings of the result to errors. */
  readonly strict?: boolean;
}

/** Which walk an attempt belongs to. */
export type DiscoveryWalk = 'endpoints' | 'publicKeys';

/** One step of the trace: a request, its redirect, or a verdict on a page or one of its tags. */
export interface DiscoveryAttempt {
  readonly walk: DiscoveryWalk;
  /** The name prefix being tried (`example.com/app`, then `example.com`). */
  readonly prefix: string;
  /** The URL requested, or the page the verdict is about. */
  readonly url: string;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  readonly outcome: AttemptOutcome;
  /** The code of a failed or skipped step (absent for `ok`, `fetched` and `redirect`). */
  readonly code?: DiscoveryCode;
  /** What happened, for a person. */
  readonly detail: string;
  /** True when the page had been fetched by the other walk of the same discover() call and was reused. */
  readonly cached?: boolean;
}

/** What discovery found, with the whole trace and the issues. */
export interface DiscoveryResult {
  /** True when there is no error issue (with `strict`, no issue at all). */
  readonly ok: boolean;
  /** The app as used for the templates: with default labels and `version` filled in. */
  readonly app: DiscoveryApp;
  /** Image and signature URLs, in document order, from the nearest page that has any (D-WK-3). */
  readonly endpoints: readonly ACIEndpoint[];
  /** Public key URLs, in document order, from the nearest page that has any. */
  readonly publicKeys: readonly string[];
  /** The page the endpoints came from. */
  readonly endpointsFrom?: string;
  /** The page the public keys came from. */
  readonly publicKeysFrom?: string;
  /** Every step of the walks, in order. */
  readonly attempts: readonly DiscoveryAttempt[];
  /** DISCOVERY_NO_ENDPOINT, DISCOVERY_NO_PUBLIC_KEYS, DISCOVERY_UNAUTHORIZED, DISCOVERY_TEMPLATE_NO_EXT, DISCOVERY_INSECURE_PAGE. */
  readonly issues: readonly Issue[];
}

/** The result of the endpoint walk alone. */
export type EndpointsResult = Omit<DiscoveryResult, 'publicKeys' | 'publicKeysFrom'>;
/** The result of the public key walk alone. */
export type PublicKeysResult = Omit<DiscoveryResult, 'endpoints' | 'endpointsFrom'>;

/** Default per-URL time-out (ms). */
export const DEFAULT_TIMEOUT_MS = 20_000;
/** Default size limit of a discovery page (bytes). */
export const DEFAULT_MAX_PAGE_BYTES = 1024 * 1024;
/** Default redirect limit (Go's http.Client allows 10). */
export const DEFAULT_MAX_REDIRECTS = 10;

interface Session {
  readonly app: DiscoveryApp;
  readonly settings: PageFetchSettings;
  readonly prefixMatch: PrefixMatch;
  readonly strict: boolean;
  readonly pages: Map<string, { readonly page: PageFetch; readonly scan?: MetaTagScan; readonly by: DiscoveryWalk }>;
}

interface WalkOutcome<T> {
  readonly found: readonly T[];
  readonly from?: string;
  readonly attempts: readonly DiscoveryAttempt[];
  readonly issues: readonly Issue[];
}

const issue = (code: DiscoveryCode, message: string, params?: Readonly<Record<string, string | number | boolean>>): Issue =>
  params === undefined ? { code, severity: DISCOVERY_CODES[code].severity, path: '', message } : { code, severity: DISCOVERY_CODES[code].severity, path: '', message, params };

function optionError(message: string): AppcError {
  return new AppcError('DISCOVERY_INVALID_OPTION', message);
}

/** Checks options and the app, and fills every default. Throws AppcError on misuse. */
function openSession(input: DiscoveryApp | string, options: DiscoverOptions): Session {
  const parsed = typeof input === 'string' ? parseAppString(input) : validateDiscoveryApp(input);
  if (!parsed.ok) {
    const what = typeof input === 'string' ? JSON.stringify(input) : 'the app';
    throw new AppcError(
      'DISCOVERY_INVALID_APP',
      `${what} is not a valid app: ${parsed.issues
        .filter((i) => i.severity === 'error')
        .map((i) => i.message)
        .join('; ')}`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw optionError(`port must be an integer from 1 to 65535 (0 for the default), got ${String(port)}`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw optionError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  const idleTimeoutMs = options.idleTimeoutMs ?? timeoutMs;
  if (!(idleTimeoutMs > 0) || !Number.isFinite(idleTimeoutMs)) throw optionError(`idleTimeoutMs must be a positive number, got ${String(idleTimeoutMs)}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PAGE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw optionError(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw optionError(`maxRedirects must be a non-negative integer, got ${String(maxRedirects)}`);
  const prefixMatch = options.prefixMatch ?? 'segment';
  if (prefixMatch !== 'segment' && prefixMatch !== 'text') throw optionError(`prefixMatch must be "segment" or "text", got ${JSON.stringify(prefixMatch)}`);
  if (options.insecure?.tls && options.fetch === undefined) {
    throw new AppcError('DISCOVERY_OPTION_NEEDS_FETCH', 'insecure tls needs a fetch that skips certificate checks: pass { fetch: createInsecureFetch() } from appc/node');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new AppcError('DISCOVERY_OPTION_NEEDS_FETCH', 'no global fetch in this environment: pass the fetch option');
  if (options.signal?.aborted) throw new AppcError('DISCOVERY_ABORTED', 'discovery was aborted', { cause: options.signal.reason });
  return {
    app: withDefaultLabels(parsed.value, options.defaultLabels),
    prefixMatch,
    strict: options.strict === true,
    pages: new Map(),
    settings: {
      fetch: fetchImpl,
      insecureHttp: options.insecure?.http === true,
      port,
      auth: options.auth,
      headers: options.headers,
      timeoutMs,
      idleTimeoutMs,
      maxBytes,
      maxRedirects,
      signal: options.signal,
    },
  };
}

/** The name prefixes to try, longest first: `a.com/p/s`, `a.com/p`, `a.com` (D-WK-1). */
export function namePrefixes(name: string): string[] {
  const parts = name.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

async function getPage(session: Session, prefix: string, walk: DiscoveryWalk): Promise<{ page: PageFetch; scan?: MetaTagScan; cached: boolean }> {
  const known = session.pages.get(prefix);
  if (known !== undefined) return { page: known.page, ...(known.scan ? { scan: known.scan } : {}), cached: known.by !== walk };
  const page = await fetchDiscoveryPage(prefix, session.settings);
  const scan = page.ok ? extractMetaTags(page.html) : undefined;
  session.pages.set(prefix, { page, ...(scan ? { scan } : {}), by: walk });
  return { page, ...(scan ? { scan } : {}), cached: false };
}

const TAG_OF: Readonly<Record<DiscoveryWalk, string>> = { endpoints: 'ac-discovery', publicKeys: 'ac-discovery-pubkeys' };

/** Runs one walk up the name; `pick` turns a matching tag into results or a skip reason. */
async function walk<T>(
  session: Session,
  kind: DiscoveryWalk,
  pick: (uri: string, prefix: string, url: string, record: (a: Omit<DiscoveryAttempt, 'walk' | 'prefix' | 'url'>) => void, issues: Issue[]) => T | undefined,
): Promise<WalkOutcome<T>> {
  const attempts: DiscoveryAttempt[] = [];
  const issues: Issue[] = [];
  const name = session.app.name;
  const tagName = TAG_OF[kind];
  const prefixes = namePrefixes(name);
  for (const prefix of prefixes) {
    const { page, scan, cached } = await getPage(session, prefix, kind);
    for (const hop of page.hops) attempts.push({ walk: kind, prefix, ...hop, ...(cached ? { cached } : {}) });
    if (!page.ok || scan === undefined) continue;
    const at = (a: Omit<DiscoveryAttempt, 'walk' | 'prefix' | 'url'>): void => void attempts.push({ walk: kind, prefix, url: page.url, ...a });
    for (const ignored of scan.ignored) {
      if (ignored.name !== tagName) continue;
      at({ outcome: 'tag-ignored', code: 'DISCOVERY_TAG_MALFORMED', detail: `<meta name="${ignored.name}" content=${JSON.stringify(ignored.content)}> ignored: ${ignored.reason}` });
    }
    const found: T[] = [];
    for (const tag of scan.tags) {
      if (tag.name !== tagName) continue;
      if (!matchesPrefix(name, tag.prefix, session.prefixMatch)) {
        const textOnly = session.prefixMatch === 'segment' && matchesPrefix(name, tag.prefix, 'text');
        const why = textOnly
          ? `prefix ${JSON.stringify(tag.prefix)} matches ${name} only as text, not on a whole path segment (prefixMatch "text" accepts it, as Go does)`
          : `prefix ${JSON.stringify(tag.prefix)} does not match ${name}`;
        at({ outcome: 'prefix-mismatch', code: 'DISCOVERY_PREFIX_MISMATCH', detail: `${tagName} ${JSON.stringify(tag.uri)} ignored: ${why}` });
        continue;
      }
      const value = pick(tag.uri, prefix, page.url, at, issues);
      if (value !== undefined) found.push(value);
    }
    if (found.length > 0) {
      at({ outcome: 'ok', detail: `${found.length} ${kind === 'endpoints' ? 'endpoint' : 'public key URL'}${found.length === 1 ? '' : 's'} found` });
      if (page.plainHttp)
        issues.push(issue('DISCOVERY_INSECURE_PAGE', `the ${kind === 'endpoints' ? 'ACI endpoints' : 'public keys'} come from ${page.url}, fetched over plain http`, { url: page.url }));
      return { found, from: page.url, attempts, issues };
    }
    at({ outcome: 'no-tags', code: 'DISCOVERY_NO_TAGS', detail: `no usable ${tagName} tag for ${name} on this page${prefix === prefixes.at(-1) ? '' : '; trying the parent path'}` });
  }
  return { found: [], attempts, issues };
}

/** One reason per prefix, in walk order, for the message of a failed walk. */
function summarize(attempts: readonly DiscoveryAttempt[]): string {
  const byPrefix = new Map<string, { url: string; reasons: string[] }>();
  for (const a of attempts) {
    const entry = byPrefix.get(a.prefix) ?? { url: a.url, reasons: [] };
    byPrefix.set(a.prefix, entry);
    if (a.outcome === 'ok' || a.outcome === 'fetched' || a.outcome === 'redirect' || a.outcome === 'no-tags') continue;
    const request = a.outcome !== 'tag-ignored' && a.outcome !== 'prefix-mismatch' && a.outcome !== 'template-skipped';
    entry.reasons.push(request ? `${a.url}: ${a.detail}` : a.detail);
  }
  return [...byPrefix.values()].map((e) => (e.reasons.length ? e.reasons.join('; ') : `${e.url}: no matching tags`)).join(' | ');
}

function failedWalkIssues(kind: DiscoveryWalk, name: string, attempts: readonly DiscoveryAttempt[]): Issue[] {
  const out: Issue[] = [];
  const summary = summarize(attempts);
  const tried = namePrefixes(name).length;
  if (kind === 'endpoints') out.push(issue('DISCOVERY_NO_ENDPOINT', `no ACI endpoint found for ${name} (${tried} prefix${tried === 1 ? '' : 'es'} tried)${summary ? ': ' + summary : ''}`, { name }));
  else out.push(issue('DISCOVERY_NO_PUBLIC_KEYS', `no public keys found for ${name} (${tried} prefix${tried === 1 ? '' : 'es'} tried)${summary ? ': ' + summary : ''}`, { name }));
  const hosts = new Set<string>();
  for (const a of attempts) {
    if (a.outcome !== 'unauthorized') continue;
    const host = new URL(a.url).host;
    if (hosts.has(host)) continue;
    hosts.add(host);
    out.push(issue('DISCOVERY_UNAUTHORIZED', a.detail, { host, url: a.url }));
  }
  return out;
}

async function runEndpoints(session: Session): Promise<WalkOutcome<ACIEndpoint>> {
  const outcome = await walk<ACIEndpoint>(session, 'endpoints', (uri, _prefix, url, record, issues) => {
    const r = renderEndpoint(uri, session.app);
    if (!r.ok) {
      const needs: string[] = [];
      if (r.missing.length) needs.push(`needs ${r.missing.map((m) => `{${m}}`).join(', ')}: add the label${r.missing.length === 1 ? '' : 's'} ${r.missing.map((m) => `${m}=...`).join(',')}`);
      if (r.bracedLabels.length) needs.push(`the value of label${r.bracedLabels.length === 1 ? '' : 's'} ${r.bracedLabels.join(', ')} contains {...}`);
      if (!needs.length) needs.push(`${r.unfilled.join(', ')} is left after rendering`);
      record({ outcome: 'template-skipped', code: 'DISCOVERY_TEMPLATE_UNFILLED', detail: `template ${JSON.stringify(uri)} skipped: ${needs.join('; ')}` });
      return undefined;
    }
    if (!r.hasExt) issues.push(issue('DISCOVERY_TEMPLATE_NO_EXT', `template ${JSON.stringify(uri)} on ${url} has no {ext}, so the ACI and signature URLs are the same`, { template: uri, url }));
    return r.endpoint;
  });
  return outcome.found.length ? outcome : { ...outcome, issues: [...outcome.issues, ...failedWalkIssues('endpoints', session.app.name, outcome.attempts)] };
}

async function runPublicKeys(session: Session): Promise<WalkOutcome<string>> {
  // Public key URLs are returned as written: they are not templates (D-TP-5).
  const outcome = await walk<string>(session, 'publicKeys', (uri) => uri);
  return outcome.found.length ? outcome : { ...outcome, issues: [...outcome.issues, ...failedWalkIssues('publicKeys', session.app.name, outcome.attempts)] };
}

// Both walks report a 401 from the same host; say it once.
function dedupe(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.code} ${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function finishIssues(session: Session, issues: readonly Issue[]): { ok: boolean; issues: readonly Issue[] } {
  const final = session.strict ? promoteWarnings(issues) : issues;
  return { ok: !hasErrors(final), issues: final };
}

/**
 * Finds the ACI endpoints of an app: walks up its name (`a.com/p/s`, `a.com/p`, `a.com`), fetching
 * `https://PREFIX?ac-discovery=1` and stopping at the first page whose `ac-discovery` templates render
 * (D-WK-1..3). Never throws for network or server problems: they are in `attempts` and `issues`.
 *
 * @throws AppcError DISCOVERY_INVALID_APP, DISCOVERY_INVALID_OPTION, DISCOVERY_OPTION_NEEDS_FETCH, DISCOVERY_ABORTED
 */
export async function discoverEndpoints(app: DiscoveryApp | string, options: DiscoverOptions = {}): Promise<EndpointsResult> {
  const session = openSession(app, options);
  const e = await runEndpoints(session);
  return { ...finishIssues(session, e.issues), app: session.app, endpoints: e.found, ...(e.from ? { endpointsFrom: e.from } : {}), attempts: e.attempts };
}

/**
 * Finds the public key URLs of an app with its own walk up the name, stopping at the first page with an
 * `ac-discovery-pubkeys` tag (D-WK-3).
 *
 * @throws AppcError DISCOVERY_INVALID_APP, DISCOVERY_INVALID_OPTION, DISCOVERY_OPTION_NEEDS_FETCH, DISCOVERY_ABORTED
 */
export async function discoverPublicKeys(app: DiscoveryApp | string, options: DiscoverOptions = {}): Promise<PublicKeysResult> {
  const session = openSession(app, options);
  const k = await runPublicKeys(session);
  return { ...finishIssues(session, k.issues), app: session.app, publicKeys: k.found, ...(k.from ? { publicKeysFrom: k.from } : {}), attempts: k.attempts };
}

/**
 * Discovers the ACI endpoints and the public keys of an app. The two walks are independent, as in Go
 * (the nearest page with endpoints and the nearest page with keys may differ), but a page fetched by
 * the first walk is reused by the second instead of being fetched again.
 *
 * @example
 * const r = await discover('example.com/app:1.0.0', { defaultLabels: { os: 'linux', arch: 'amd64' } });
 * if (r.ok) console.log(r.endpoints[0]?.aci, r.publicKeys);
 * else for (const a of r.attempts) console.log(a.prefix, a.url, a.outcome, a.detail);
 * @throws AppcError DISCOVERY_INVALID_APP, DISCOVERY_INVALID_OPTION, DISCOVERY_OPTION_NEEDS_FETCH, DISCOVERY_ABORTED
 * @see spec/discovery.md
 */
export async function discover(app: DiscoveryApp | string, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const session = openSession(app, options);
  const e = await runEndpoints(session);
  const k = await runPublicKeys(session);
  return {
    ...finishIssues(session, dedupe([...e.issues, ...k.issues])),
    app: session.app,
    endpoints: e.found,
    publicKeys: k.found,
    ...(e.from ? { endpointsFrom: e.from } : {}),
    ...(k.from ? { publicKeysFrom: k.from } : {}),
    attempts: [...e.attempts, ...k.attempts],
  };
}

const TRANSPORT_OUTCOMES: ReadonlySet<AttemptOutcome> = new Set(['network-error', 'timeout', 'too-large', 'redirect-error']);

/**
 * When a walk found nothing because no server gave a usable answer (every request failed in transport:
 * refused, DNS, TLS, time-out, oversized or a refused redirect), the first such attempt; undefined when some
 * server answered (a 404, a 401, a page without tags). Callers use it to tell "registry down" (exit 3 in
 * actool) from "nothing published" (exit 1).
 */
export function transportFailure(attempts: readonly DiscoveryAttempt[]): DiscoveryAttempt | undefined {
  const requests = attempts.filter((a) => a.outcome !== 'redirect' && a.outcome !== 'tag-ignored' && a.outcome !== 'prefix-mismatch' && a.outcome !== 'template-skipped' && a.outcome !== 'ok');
  if (requests.length === 0 || !requests.every((a) => TRANSPORT_OUTCOMES.has(a.outcome))) return undefined;
  return requests[0];
}
