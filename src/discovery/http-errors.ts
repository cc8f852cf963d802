/** Errors of the HTTP layer (`httpGet`): the error class, status errors, and one line for a transport failure. */
import { AppcError, isAppcError } from '../issues/appc-error.js';
import type { HttpCode } from './http-codes.js';
import type { HttpHop, HttpResponse } from './http-get.js';

/** Extra context of an {@link HttpGetError}. */
export interface HttpGetErrorDetails {
  readonly url: string;
  readonly failedUrl: string;
  readonly detail: string;
  readonly hops: readonly HttpHop[];
  readonly status?: number;
  readonly cause?: unknown;
}

/**
 * A failed download: an `AppcError` with an `HTTP_*` code. `url` is the URL asked for, `failedUrl` the hop
 * that failed, `detail` what happened there, `hops` the redirects followed before it.
 */
export class HttpGetError extends AppcError {
  readonly failedUrl: string;
  readonly detail: string;
  readonly hops: readonly HttpHop[];
  readonly status?: number;

  constructor(code: HttpCode, d: HttpGetErrorDetails) {
    const where = d.hops.length === 0 ? '' : `after ${d.hops.length} redirect${d.hops.length === 1 ? '' : 's'}, at ${d.failedUrl}: `;
    super(code, `${where}${d.detail}`, d.cause === undefined ? { url: d.url } : { url: d.url, cause: d.cause });
    this.failedUrl = d.failedUrl;
    this.detail = d.detail;
    this.hops = d.hops;
    if (d.status !== undefined) this.status = d.status;
  }
}

/** True when `e` is an error of this layer (by shape: works across bundled copies). */
export function isHttpGetError(e: unknown): e is HttpGetError {
  return isAppcError(e) && typeof (e as { failedUrl?: unknown }).failedUrl === 'string' && e.code.startsWith('HTTP_');
}

/** The error for an answer whose status is not the one expected: `HTTP_UNAUTHORIZED` for 401, else `HTTP_STATUS`. */
export function httpStatusError(res: HttpResponse): HttpGetError {
  const host = new URL(res.url).host;
  const base = { url: res.requested, failedUrl: res.url, hops: res.hops, status: res.status };
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate');
    const what = res.sentCredentials
      ? `the credentials configured for ${host} were rejected`
      : `configure credentials for host ${host} (auth option, --auth-config)${res.credentialNote ? `; ${res.credentialNote}` : ''}`;
    return new HttpGetError('HTTP_UNAUTHORIZED', { ...base, detail: `401 Unauthorized from ${host}: ${what}${challenge ? ` (server asks: ${challenge.slice(0, 120)})` : ''}` });
  }
  return new HttpGetError('HTTP_STATUS', { ...base, detail: `expected 200 OK, got ${res.status}${res.statusText ? ' ' + res.statusText : ''}` });
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

function errorChain(e: unknown): { code?: unknown; message?: unknown }[] {
  const chain: { code?: unknown; message?: unknown }[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && typeof cur === 'object' && cur !== null; i++) {
    chain.push(cur as { code?: unknown; message?: unknown });
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}

export function networkFailure(e: unknown, url: URL): { code: HttpCode; detail: string } {
  const untrusted = errorChain(e).some((c) => typeof c.code === 'string' && CERT_CODES.test(c.code));
  return { code: untrusted ? 'HTTP_TLS_UNTRUSTED' : 'HTTP_NETWORK', detail: describeNetworkError(e, url) };
}

/** One line for a transport failure, from the error codes Node's fetch puts in `cause`. */
export function describeNetworkError(e: unknown, url: URL): string {
  const chain = errorChain(e);
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
