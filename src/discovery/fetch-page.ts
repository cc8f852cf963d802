/**
 * Fetching one discovery page (spec/discovery.md#discovery-url; checklist D-HT-1..5): https first, http only
 * when allowed; every hop goes through the shared HTTP layer (`httpGet`: redirects by hand, no downgrade,
 * credentials to their own host only, time-outs, a size limit), and its failures become the trace.
 */
import { AppcError } from '../issues/appc-error.js';
import type { AuthConfig } from './auth.js';
import type { DiscoveryCode } from './codes.js';
import type { HttpCode } from './http-codes.js';
import type { HttpHop, HttpResponse } from './http-get.js';
import { httpGet, httpStatusError, isHttpGetError } from './http-get.js';

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
  /** Longest wait for headers or the next body bytes. */
  readonly idleTimeoutMs: number;
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

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

/** How a failure of the HTTP layer shows in the discovery trace. */
const TRACE: Readonly<Record<HttpCode, { readonly outcome: AttemptOutcome; readonly code: DiscoveryCode }>> = {
  HTTP_INVALID_URL: { outcome: 'network-error', code: 'DISCOVERY_NETWORK' },
  HTTP_INSECURE_URL: { outcome: 'network-error', code: 'DISCOVERY_NETWORK' },
  HTTP_NETWORK: { outcome: 'network-error', code: 'DISCOVERY_NETWORK' },
  HTTP_TLS_UNTRUSTED: { outcome: 'network-error', code: 'DISCOVERY_NETWORK' },
  HTTP_TRUNCATED: { outcome: 'network-error', code: 'DISCOVERY_NETWORK' },
  HTTP_TIMEOUT: { outcome: 'timeout', code: 'DISCOVERY_TIMEOUT' },
  HTTP_IDLE_TIMEOUT: { outcome: 'timeout', code: 'DISCOVERY_TIMEOUT' },
  HTTP_TOO_LARGE: { outcome: 'too-large', code: 'DISCOVERY_PAGE_TOO_LARGE' },
  HTTP_STATUS: { outcome: 'http-error', code: 'DISCOVERY_HTTP_STATUS' },
  HTTP_UNAUTHORIZED: { outcome: 'unauthorized', code: 'DISCOVERY_UNAUTHORIZED' },
  HTTP_REDIRECT_DOWNGRADE: { outcome: 'redirect-error', code: 'DISCOVERY_REDIRECT_DOWNGRADE' },
  HTTP_REDIRECT_INVALID: { outcome: 'redirect-error', code: 'DISCOVERY_REDIRECT_INVALID' },
  HTTP_REDIRECT_LOOP: { outcome: 'redirect-error', code: 'DISCOVERY_REDIRECT_LOOP' },
  HTTP_TOO_MANY_REDIRECTS: { outcome: 'redirect-error', code: 'DISCOVERY_TOO_MANY_REDIRECTS' },
  HTTP_ABORTED: { outcome: 'network-error', code: 'DISCOVERY_ABORTED' },
  HTTP_INVALID_OPTION: { outcome: 'network-error', code: 'DISCOVERY_INVALID_OPTION' },
};

function redirectRecords(hops: readonly HttpHop[]): HopRecord[] {
  return hops.map((h) => ({
    url: h.url,
    status: h.status,
    outcome: 'redirect',
    detail: `${h.status} redirect to ${h.location}${h.crossHost ? ' (another host: its own credentials only)' : ''}`,
  }));
}

/** Follows one chain of redirects from `start` (through the shared HTTP layer) and reads the final page. */
async function fetchChain(start: string, settings: PageFetchSettings): Promise<PageFetch> {
  if (settings.signal?.aborted) throw aborted(settings, start);
  let res: HttpResponse | undefined;
  try {
    res = await httpGet(start, {
      fetch: settings.fetch,
      allowHttp: settings.insecureHttp,
      ...(settings.auth ? { auth: settings.auth } : {}),
      ...(settings.headers ? { headers: settings.headers } : {}),
      accept: ACCEPT,
      maxBytes: settings.maxBytes,
      maxRedirects: settings.maxRedirects,
      timeoutMs: settings.timeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
    if (res.status !== 200) {
      await res.cancel();
      throw httpStatusError(res);
    }
    const body = await res.bytes();
    const hops = redirectRecords(res.hops);
    const { text, note: encodingNote } = decodePage(body, res.headers.get('content-type'));
    const notes = [res.credentialNote, encodingNote].filter((n) => n !== undefined);
    hops.push({ url: res.url, status: res.status, outcome: 'fetched', detail: `read ${body.length} bytes${notes.length ? '; ' + notes.join('; ') : ''}` });
    return { ok: true, url: res.url, html: text, plainHttp: res.plainHttp, hops };
  } catch (e) {
    if (!isHttpGetError(e)) throw e;
    if (e.code === 'HTTP_ABORTED') throw aborted(settings, e.failedUrl);
    const hops = redirectRecords(e.hops);
    const { outcome, code } = TRACE[e.code as HttpCode];
    hops.push(e.status === undefined ? { url: e.failedUrl, outcome, code, detail: e.detail } : { url: e.failedUrl, status: e.status, outcome, code, detail: e.detail });
    return { ok: false, hops };
  }
}

function aborted(settings: PageFetchSettings, url: string): AppcError {
  return new AppcError('DISCOVERY_ABORTED', 'discovery was aborted', { url, cause: settings.signal?.reason });
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

export { describeNetworkError } from './http-get.js';
