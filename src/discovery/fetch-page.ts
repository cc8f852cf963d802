/**
 * Fetching one discovery page safely (spec/discovery.md#discovery-url; checklist D-HT-1..5): https first, http
 * only when allowed, redirects followed by hand (hop limit, loops, no downgrade, credentials never sent to
 * another host), a time-out and a size limit on every page.
 */
import { AppcError } from '../issues/appc-error.js';
import type { AuthConfig } from './auth.js';
import { authorizationHeader, credentialsFor } from './auth.js';
import type { DiscoveryCode } from './codes.js';

/** What happened to one request of the walk. */
export type AttemptOutcome =
  | 'ok'
  | 'fetched'
  | 'redirect'
  | 'http-error'
  | 'unauthorized'
  | 'network-error'
  | 'timeout'
  | 'too-large'
  | 'redirect-error'
  | 'no-tags'
  | 'tag-ignored'
  | 'prefix-mismatch'
  | 'template-skipped';

/** One line of the trace of a request chain. */
export interface HopRecord {
  readonly url: string;
  readonly status?: number;
  readonly outcome: AttemptOutcome;
  readonly code?: DiscoveryCode;
  readonly detail: string;
}

/** How pages are fetched; every field is already defaulted by the caller. */
export interface PageFetchSettings {
  readonly fetch: typeof globalThis.fetch;
  readonly insecureHttp: boolean;
  readonly port: number;
  readonly auth: AuthConfig | undefined;
  readonly headers: ((host: string) => HeadersInit | undefined) | undefined;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly signal: AbortSignal | undefined;
}

/** A fetched discovery page, or the trace of why there is none. */
export type PageFetch =
  | {
      readonly ok: true;
      /** The URL the page finally came from (after redirects). */
      readonly url: string;
      readonly html: string;
      /** True when the page (or a redirect on the way) used plain http. */
      readonly plainHttp: boolean;
      readonly hops: readonly HopRecord[];
    }
  | { readonly ok: false; readonly hops: readonly HopRecord[] };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The discovery URL of a name prefix: `https://example.com/app?ac-discovery=1`, `https://example.com?ac-discovery=1` (D-HT-1). */
export function discoveryUrl(scheme: 'https' | 'http', prefix: string, port = 0): string {
  const slash = prefix.indexOf('/');
  const host = slash < 0 ? prefix : prefix.slice(0, slash);
  const path = slash < 0 ? '' : prefix.slice(slash);
  return `${scheme}://${host}${port ? `:${port}` : ''}${path}?ac-discovery=1`;
}

/**
 * Fetches the discovery page of a prefix: over https, then, if that fails in any way and insecure http is
 * allowed, over http (D-HT-2). Throws only when the caller's signal aborts.
 */
export async function fetchDiscoveryPage(prefix: string, settings: PageFetchSettings): Promise<PageFetch> {
  const secure = await fetchChain(discoveryUrl('https', prefix, settings.port), settings);
  if (secure.ok || !settings.insecureHttp) return secure;
  const plain = await fetchChain(discoveryUrl('http', prefix, settings.port), settings);
  return { ...plain, hops: [...secure.hops, ...plain.hops] };
}

class Timeout extends Error {}

function aborted(settings: PageFetchSettings, url: string): AppcError {
  return new AppcError('DISCOVERY_ABORTED', 'discovery was aborted', { url, cause: settings.signal?.reason });
}

/** Follows one chain of redirects from `start` and reads the final page. */
async function fetchChain(start: string, settings: PageFetchSettings): Promise<PageFetch> {
  const hops: HopRecord[] = [];
  const fail = (url: string, outcome: AttemptOutcome, code: DiscoveryCode, detail: string, status?: number): PageFetch => {
    hops.push(status === undefined ? { url, outcome, code, detail } : { url, status, outcome, code, detail });
    return { ok: false, hops };
  };
  if (settings.signal?.aborted) throw aborted(settings, start);

  // One controller per chain: the caller's signal and the time-out both abort it.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Timeout(`no complete answer within ${settings.timeoutMs} ms`));
  }, settings.timeoutMs);
  const onAbort = (): void => controller.abort(settings.signal?.reason);
  settings.signal?.addEventListener('abort', onAbort, { once: true });
  // Resolves (never rejects) when the controller aborts, so a fetch that ignores its signal cannot hang us.
  const abortedPromise = new Promise<'aborted'>((resolve) => {
    if (controller.signal.aborted) resolve('aborted');
    controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const interrupted = (url: string): PageFetch => {
    if (settings.signal?.aborted) throw aborted(settings, url);
    return fail(url, 'timeout', 'DISCOVERY_TIMEOUT', `no complete answer within ${settings.timeoutMs} ms (option timeoutMs)`);
  };

  try {
    let url = start;
    let plainHttp = false;
    const visited = new Set<string>();
    for (let hop = 0; ; hop++) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return fail(url, 'network-error', 'DISCOVERY_NETWORK', `${JSON.stringify(url)} is not a valid URL`);
      }
      visited.add(parsed.href);
      if (parsed.protocol === 'http:') plainHttp = true;
      const { headers, note } = requestHeaders(parsed, settings);
      let res: Response;
      try {
        const raced = await Promise.race([settings.fetch(url, { method: 'GET', redirect: 'manual', headers, signal: controller.signal }), abortedPromise]);
        if (raced === 'aborted') return interrupted(url);
        res = raced;
      } catch (e) {
        if (controller.signal.aborted) return interrupted(url);
        return fail(url, 'network-error', 'DISCOVERY_NETWORK', describeNetworkError(e, parsed));
      }
      const status = res.status;
      if (res.type === 'opaqueredirect') {
        return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_INVALID', 'the page redirects, and this fetch hides redirect targets (a browser fetch with redirect "manual"); use a fetch that exposes them');
      }
      if (REDIRECTS.has(status)) {
        discard(res);
        const location = res.headers.get('location');
        if (location === null || location === '') return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_INVALID', `${status} redirect without a Location header`, status);
        let target: URL;
        try {
          target = new URL(location, url);
        } catch {
          return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_INVALID', `${status} redirect to an invalid Location ${JSON.stringify(location)}`, status);
        }
        if (target.protocol !== 'https:' && target.protocol !== 'http:') {
          return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_INVALID', `${status} redirect to ${target.href}: only http and https can be followed`, status);
        }
        if (parsed.protocol === 'https:' && target.protocol === 'http:' && !settings.insecureHttp) {
          return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_DOWNGRADE', `${status} redirect from https to plain http (${target.href}) refused; allow insecure http to follow it`, status);
        }
        if (visited.has(target.href)) {
          return fail(url, 'redirect-error', 'DISCOVERY_REDIRECT_LOOP', `${status} redirect back to ${target.href}, which was already visited: a redirect loop`, status);
        }
        if (hop >= settings.maxRedirects) {
          return fail(url, 'redirect-error', 'DISCOVERY_TOO_MANY_REDIRECTS', `more than ${settings.maxRedirects} redirects (option maxRedirects); the last pointed to ${target.href}`, status);
        }
        const crossHost = target.host !== parsed.host ? ' (another host: its own credentials only)' : '';
        hops.push({ url, status, outcome: 'redirect', detail: `${status} redirect to ${target.href}${crossHost}` });
        url = target.href;
        continue;
      }
      if (status === 401) {
        discard(res);
        const challenge = res.headers.get('www-authenticate');
        const sent = headers.has('authorization');
        const what = sent
          ? `the credentials configured for ${parsed.host} were rejected`
          : `configure credentials for host ${parsed.host} (auth option, actool discover --auth-config)${note ? `; ${note}` : ''}`;
        return fail(url, 'unauthorized', 'DISCOVERY_UNAUTHORIZED', `401 Unauthorized from ${parsed.host}: ${what}${challenge ? ` (server asks: ${challenge.slice(0, 120)})` : ''}`, status);
      }
      if (status !== 200) {
        discard(res);
        return fail(url, 'http-error', 'DISCOVERY_HTTP_STATUS', `expected 200 OK, got ${status}${res.statusText ? ' ' + res.statusText : ''}`, status);
      }
      const length = Number(res.headers.get('content-length') ?? NaN);
      if (length > settings.maxBytes) {
        discard(res);
        return fail(url, 'too-large', 'DISCOVERY_PAGE_TOO_LARGE', `the page is ${length} bytes, more than the limit of ${settings.maxBytes} (option maxBytes)`, status);
      }
      const body = await readBounded(res, settings.maxBytes, abortedPromise);
      if (body === 'aborted') return interrupted(url);
      if (body === 'too-large') return fail(url, 'too-large', 'DISCOVERY_PAGE_TOO_LARGE', `the page is larger than the limit of ${settings.maxBytes} bytes (option maxBytes); reading stopped there`, status);
      if (body instanceof Error) {
        if (controller.signal.aborted) return interrupted(url);
        return fail(url, 'network-error', 'DISCOVERY_NETWORK', `the connection failed while reading the page: ${describeNetworkError(body, parsed)}`, status);
      }
      const { text, note: encodingNote } = decodePage(body, res.headers.get('content-type'));
      const notes = [note, encodingNote].filter((n) => n !== undefined);
      hops.push({ url, status, outcome: 'fetched', detail: `read ${body.length} bytes${notes.length ? '; ' + notes.join('; ') : ''}` });
      return { ok: true, url, html: text, plainHttp, hops };
    }
  } finally {
    clearTimeout(timer);
    settings.signal?.removeEventListener('abort', onAbort);
    if (!timedOut && !controller.signal.aborted) controller.abort(new Timeout('done'));
  }
}

/** Headers for one request: credentials only over https, looked up for this very host (D-HT-5). */
function requestHeaders(url: URL, settings: PageFetchSettings): { headers: Headers; note?: string } {
  const headers = new Headers({ accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1' });
  const cred = credentialsFor(settings.auth, url);
  const extra = settings.headers?.(url.host);
  if (url.protocol !== 'https:') {
    return cred !== undefined || extra !== undefined ? { headers, note: `credentials for ${url.host} are never sent over plain http` } : { headers };
  }
  if (extra !== undefined) new Headers(extra).forEach((v, k) => void headers.set(k, v));
  if (cred !== undefined) headers.set('authorization', authorizationHeader(cred));
  return { headers };
}

/** Releases a response body we will not read. */
function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/** Reads a body up to `max` bytes; stops (and cancels) as soon as it is larger, or when aborted. */
async function readBounded(res: Response, max: number, abortedPromise: Promise<'aborted'>): Promise<Uint8Array | 'too-large' | 'aborted' | Error> {
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), abortedPromise]);
      if (next === 'aborted') {
        reader.cancel().catch(() => undefined);
        return 'aborted';
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > max) {
        reader.cancel().catch(() => undefined);
        return 'too-large';
      }
      chunks.push(next.value);
    }
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Decodes a page by its declared charset (UTF-8 by default); invalid bytes become U+FFFD and are noted. */
function decodePage(bytes: Uint8Array, contentType: string | null): { text: string; note?: string } {
  const declared = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  let label = 'utf-8';
  if (declared !== undefined) {
    try {
      label = new TextDecoder(declared).encoding;
    } catch {
      label = 'utf-8';
    }
  }
  try {
    return { text: new TextDecoder(label, { fatal: true }).decode(bytes) };
  } catch {
    return { text: new TextDecoder(label).decode(bytes), note: `the page is not valid ${label}; invalid bytes were replaced` };
  }
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'host not found (DNS lookup failed)',
  EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  EPROTO: 'TLS handshake failed (is the server speaking plain http on this port?)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is the server speaking plain http on this port?)',
};

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

/** One line for a transport failure, from the error codes Node's fetch puts in `cause`. */
export function describeNetworkError(e: unknown, url: URL): string {
  const chain: { code?: unknown; message?: unknown }[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && typeof cur === 'object' && cur !== null; i++) {
    chain.push(cur as { code?: unknown; message?: unknown });
    cur = (cur as { cause?: unknown }).cause;
  }
  for (const err of chain) {
    const code = typeof err.code === 'string' ? err.code : undefined;
    if (code === undefined) continue;
    const message = typeof err.message === 'string' ? err.message : '';
    if (CERT_CODES.test(code)) {
      return `the TLS certificate of ${url.host} is not trusted (${code}: ${message}); for a test server only, allow insecure tls`;
    }
    const reason = NETWORK_REASONS[code];
    if (reason !== undefined) return `${reason} (${code}, ${url.host})`;
    return `${message || code} (${code}, ${url.host})`;
  }
  if (chain.some((c) => c.message === 'bad port')) return `port ${url.port} is one fetch refuses to use ("bad port" in the Fetch standard)`;
  const messages = chain.map((c) => (typeof c.message === 'string' ? c.message : '')).filter((m) => m !== '');
  return messages.length ? messages.join(': ') : String(e);
}
