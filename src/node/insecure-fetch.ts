/** A fetch that skips TLS certificate checks, for discovery's `insecure.tls` (Go's InsecureTLS, checklist D-HT-3). Node only. */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Options of createInsecureFetch. */
export interface InsecureFetchOptions {
  /** Most redirects followed when a request asks for `redirect: 'follow'` (default 20, like browsers). */
  readonly maxRedirects?: number;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Makes a `fetch`-compatible function on node:http and node:https that does NOT verify TLS certificates.
 * Use it only for test servers or when the operator explicitly asks for insecure TLS: anyone on the path can
 * impersonate the server. It supports GET/HEAD-style requests with string or byte bodies, `headers`,
 * `signal`, and `redirect: 'manual' | 'follow' | 'error'`; the response body streams (`response.body`).
 *
 * @example
 * await discover('example.com/app', { insecure: { tls: true }, fetch: createInsecureFetch() });
 */
export function createInsecureFetch(options: InsecureFetchOptions = {}): typeof globalThis.fetch {
  const maxRedirects = options.maxRedirects ?? 20;
  const insecureFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    let url = new URL(request ? request.url : String(input));
    const headers = new Headers(request?.headers);
    new Headers(init.headers).forEach((v, k) => void headers.set(k, v));
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const signal = init.signal ?? request?.signal ?? undefined;
    const redirect = init.redirect ?? request?.redirect ?? 'follow';
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('createInsecureFetch supports only string or Uint8Array bodies');
    }
    for (let hop = 0; ; hop++) {
      const res = await send(url, method, headers, body ?? undefined, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (redirect !== 'manual' && status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (redirect === 'error') throw new TypeError('fetch failed', { cause: new Error(`redirect to ${location} refused (redirect: "error")`) });
        if (hop >= maxRedirects) throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
        const next = new URL(location, url);
        // Credentials never follow a redirect to another host or from https to plain http.
        if (next.host !== url.host || next.protocol !== url.protocol) headers.delete('authorization');
        url = next;
        continue;
      }
      return toResponse(res, method);
    }
  };
  return insecureFetch as typeof globalThis.fetch;
}

function send(url: URL, method: string, headers: Headers, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const opts: RequestOptions & { rejectUnauthorized?: boolean } = { method, headers: Object.fromEntries(headers) };
    if (signal) opts.signal = signal;
    if (url.protocol === 'https:') opts.rejectUnauthorized = false;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, resolve);
    req.on('error', (e) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: e })));
    req.end(body);
  });
}

function toResponse(res: IncomingMessage, method: string): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header name or value the web Headers class refuses is dropped, as browsers do.
    }
  }
  const empty = NULL_BODY.has(status) || method === 'HEAD';
  if (empty) res.resume();
  const body = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}
