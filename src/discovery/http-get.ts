/**
 * The one HTTP layer of appc: every download (discovery pages, public keys, signatures, images) goes through
 * `httpGet`, so every hop of every request chain is checked by the same rules (checklist D-HT-2..5): https
 * unless insecure http is allowed, no https-to-http downgrade, redirects followed by hand (limit, loops,
 * schemes), credentials only to their own host and only over https, a size limit checked against
 * Content-Length before reading and against the bytes received, an idle time-out, an overall time-out and
 * the caller's AbortSignal. Portable: it only needs a `fetch` function (Node-specific ones live in src/node).
 */
import { AppcError } from '../issues/appc-error.js';
import type { AuthConfig } from './auth.js';
import { authorizationHeader, credentialsFor } from './auth.js';
import type { HttpCode } from './http-codes.js';
import { describeNetworkError, HttpGetError, isHttpGetError, networkFailure } from './http-errors.js';
import { STOPPED, Watch } from './http-watch.js';

export { describeNetworkError, HttpGetError, httpStatusError, isHttpGetError } from './http-errors.js';
export type { HttpGetErrorDetails } from './http-errors.js';

/** Default size limit of a download: 8 GiB (generous for images; pass a smaller one for small files). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024 * 1024;
/** Default overall time-out of a download, its redirects and its whole body: one hour. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60 * 60 * 1000;
/** Default idle time-out: the longest wait for response headers or the next body bytes, 30 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Default lowest speed: a body slower than this over an idle time-out window is stalled (a trickle). */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
/** Default redirect limit (Go's http.Client allows 10). */
export const DEFAULT_HTTP_MAX_REDIRECTS = 10;

/** Options of {@link httpGet}. Every field is optional. */
export interface HttpGetOptions {
  /** The fetch to use (default: the global fetch). It must support `redirect: 'manual'` and `signal`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Allow plain http URLs and https-to-http redirects (Go's InsecureHTTP). */
  readonly allowHttp?: boolean;
  /** Credentials by host, sent as an Authorization header over https, to that host only. */
  readonly auth?: AuthConfig;
  /** More headers per host (`host` or `host:port`), also sent over https only. */
  readonly headers?: (host: string) => HeadersInit | undefined;
  /** The Accept header. */
  readonly accept?: string;
  /** Largest body accepted, in bytes (default {@link DEFAULT_MAX_DOWNLOAD_BYTES}). */
  readonly maxBytes?: number;
  /** Most redirects followed (default 10). */
  readonly maxRedirects?: number;
  /** Time-out of the whole download: redirects, headers and body, in ms (default one hour). */
  readonly timeoutMs?: number;
  /** Longest time without news from the server (headers or body bytes), in ms (default 30000). */
  readonly idleTimeoutMs?: number;
  /**
   * Lowest average speed of the body over each idle time-out window, in bytes per second (default 1024;
   * 0 turns the check off). A server trickling a byte now and then, just often enough to dodge the
   * idle time-out, is stopped after one window instead of running into the overall time-out.
   */
  readonly minBytesPerSecond?: number;
  /** Stops the download: `HTTP_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** One redirect that was followed. */
export interface HttpHop {
  readonly url: string;
  readonly status: number;
  /** The absolute URL it redirected to. */
  readonly location: string;
  /** True when the target is another host (it gets its own credentials only). */
  readonly crossHost: boolean;
}

/** An answer that is not a redirect: its status and headers, and its body to read (once) or cancel. */
export interface HttpResponse {
  /** The URL asked for. */
  readonly requested: string;
  /** The URL that answered (after redirects). */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** Content-Length, when the server gave a valid one. */
  readonly length: number | undefined;
  /** True when the answer or a redirect on the way used plain http. */
  readonly plainHttp: boolean;
  /** The redirects followed, in order. */
  readonly hops: readonly HttpHop[];
  /** True when an Authorization header was sent to the host that answered. */
  readonly sentCredentials: boolean;
  /** Set when credentials exist for the host but were not sent (plain http). */
  readonly credentialNote: string | undefined;
  /**
   * The body, chunk by chunk, within the size limit and the time-outs; read it once. Throws
   * `HttpGetError` (`HTTP_TOO_LARGE`, `HTTP_TRUNCATED`, `HTTP_NETWORK`, `HTTP_TIMEOUT`, `HTTP_IDLE_TIMEOUT`,
   * `HTTP_ABORTED`). Stopping early (break, return, an error) releases the connection.
   */
  body(): AsyncGenerator<Uint8Array>;
  /** The whole body in memory (for small files: pass a small `maxBytes`). */
  bytes(): Promise<Uint8Array>;
  /** Releases the body unread, and the timers. Safe to call more than once. */
  cancel(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const noop = (): void => undefined;

interface Settings {
  readonly fetch: typeof globalThis.fetch;
  readonly allowHttp: boolean;
  readonly auth: AuthConfig | undefined;
  readonly headers: ((host: string) => HeadersInit | undefined) | undefined;
  readonly accept: string | undefined;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly minBytesPerSecond: number;
  readonly signal: AbortSignal | undefined;
}

function optionError(message: string): AppcError {
  return new AppcError('HTTP_INVALID_OPTION', message);
}

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  const v = value ?? fallback;
  if (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw optionError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  return v;
}

function settingsOf(options: HttpGetOptions): Settings {
  const maxRedirects = options.maxRedirects ?? DEFAULT_HTTP_MAX_REDIRECTS;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw optionError(`maxRedirects must be a non-negative integer, got ${String(maxRedirects)}`);
  const minBytesPerSecond = options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND;
  if (!(minBytesPerSecond >= 0) || !Number.isFinite(minBytesPerSecond)) throw optionError(`minBytesPerSecond must be a non-negative number, got ${String(options.minBytesPerSecond)}`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw optionError('no global fetch in this environment: pass the fetch option');
  return {
    fetch: fetchImpl,
    allowHttp: options.allowHttp === true,
    auth: options.auth,
    headers: options.headers,
    accept: options.accept,
    maxBytes: positive('maxBytes', options.maxBytes, DEFAULT_MAX_DOWNLOAD_BYTES, true),
    maxRedirects,
    timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_DOWNLOAD_TIMEOUT_MS, false),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, false),
    minBytesPerSecond,
    signal: options.signal,
  };
}

/** Checks the URL asked for: parsable, and https (or http when allowed). */
function startUrl(url: string, settings: Settings): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new HttpGetError('HTTP_INVALID_URL', { url, failedUrl: url, detail: `${JSON.stringify(url)} is not a valid URL`, hops: [], cause: e });
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && settings.allowHttp)) return parsed;
  const detail =
    parsed.protocol === 'http:'
      ? 'refusing a plain http URL: anyone on the network could change what it returns (allow insecure http to use it)'
      : `refusing a ${parsed.protocol} URL: only https (and http when allowed) can be downloaded`;
  throw new HttpGetError('HTTP_INSECURE_URL', { url, failedUrl: url, detail, hops: [] });
}

/** Headers for one request: credentials only over https, looked up for this very host (D-HT-5). */
function requestHeaders(url: URL, settings: Settings): { headers: Headers; note: string | undefined } {
  const headers = new Headers();
  if (settings.accept !== undefined) headers.set('accept', settings.accept);
  const cred = credentialsFor(settings.auth, url);
  const extra = settings.headers?.(url.host);
  if (url.protocol !== 'https:') {
    return { headers, note: cred !== undefined || extra !== undefined ? `credentials for ${url.host} are never sent over plain http` : undefined };
  }
  if (extra !== undefined) new Headers(extra).forEach((v, k) => void headers.set(k, v));
  if (cred !== undefined) headers.set('authorization', authorizationHeader(cred));
  return { headers, note: undefined };
}

/** Releases a response body that will not be read. */
function discard(res: Response): void {
  res.body?.cancel().catch(noop);
}

/** A Content-Length header as a number, or undefined when absent or not a plain decimal. */
function contentLength(headers: Headers): number | undefined {
  const v = headers.get('content-length');
  return v !== null && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/**
 * Starts a GET and follows its redirects by the rules above, up to the first answer that is not a
 * redirect (of any status: the caller decides what a 404 means). The body is not read yet: read it with
 * `body()` or `bytes()`, or release it with `cancel()`. The time-outs run until then.
 *
 * @throws HttpGetError `HTTP_INVALID_URL`, `HTTP_INSECURE_URL`, `HTTP_NETWORK`, `HTTP_TLS_UNTRUSTED`,
 * `HTTP_TIMEOUT`, `HTTP_IDLE_TIMEOUT`, `HTTP_TOO_LARGE` (from Content-Length), `HTTP_REDIRECT_*`,
 * `HTTP_TOO_MANY_REDIRECTS`, `HTTP_ABORTED`; AppcError `HTTP_INVALID_OPTION`.
 * @example
 * const res = await httpGet('https://example.com/pubkeys.gpg', { maxBytes: 1 << 20 });
 * if (res.status !== 200) { await res.cancel(); throw httpStatusError(res); }
 * const bytes = await res.bytes();
 */
export async function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpResponse> {
  const settings = settingsOf(options);
  let current = startUrl(url, settings);
  // The URL as given for the first request (traces show it unchanged), then each redirect target.
  let currentText = url;
  const watch = new Watch(settings);
  const hops: HttpHop[] = [];
  const fail = (code: HttpCode, detail: string, status?: number, cause?: unknown): HttpGetError =>
    new HttpGetError(code, { url, failedUrl: currentText, detail, hops: [...hops], ...(status === undefined ? {} : { status }), ...(cause === undefined ? {} : { cause }) });
  const stopped = (received?: number): HttpGetError => {
    const f = watch.stoppedFailure(received);
    return fail(f.code, f.detail);
  };
  try {
    const visited = new Set<string>([current.href]);
    let plainHttp = current.protocol === 'http:';
    for (;;) {
      if (watch.reason !== undefined) throw stopped();
      const { headers, note } = requestHeaders(current, settings);
      let res: Response;
      try {
        const answer = await watch.race(settings.fetch(currentText, { method: 'GET', redirect: 'manual', headers, signal: watch.controller.signal }));
        if (answer === STOPPED) throw stopped();
        res = answer;
      } catch (e) {
        if (isHttpGetError(e)) throw e;
        if (watch.reason !== undefined) throw stopped();
        const { code, detail } = networkFailure(e, current);
        throw fail(code, detail, undefined, e);
      }
      const status = res.status;
      if (res.type === 'opaqueredirect') {
        throw fail('HTTP_REDIRECT_INVALID', 'the URL redirects, and this fetch hides redirect targets (a browser fetch with redirect "manual"); use a fetch that exposes them');
      }
      if (REDIRECTS.has(status)) {
        discard(res);
        const location = res.headers.get('location');
        if (location === null || location === '') throw fail('HTTP_REDIRECT_INVALID', `${status} redirect without a Location header`, status);
        let target: URL;
        try {
          target = new URL(location, current);
        } catch {
          throw fail('HTTP_REDIRECT_INVALID', `${status} redirect to an invalid Location ${JSON.stringify(location)}`, status);
        }
        if (target.protocol !== 'https:' && target.protocol !== 'http:') {
          throw fail('HTTP_REDIRECT_INVALID', `${status} redirect to ${target.href}: only http and https can be followed`, status);
        }
        if (target.protocol === 'http:' && !settings.allowHttp) {
          const what = current.protocol === 'https:' ? 'a downgrade from https to plain http' : 'a plain http URL';
          throw fail('HTTP_REDIRECT_DOWNGRADE', `${status} redirect to ${target.href} refused: ${what} (allow insecure http to follow it)`, status);
        }
        if (visited.has(target.href)) throw fail('HTTP_REDIRECT_LOOP', `${status} redirect back to ${target.href}, which was already visited: a redirect loop`, status);
        if (hops.length >= settings.maxRedirects) {
          throw fail('HTTP_TOO_MANY_REDIRECTS', `more than ${settings.maxRedirects} redirects (option maxRedirects); the last pointed to ${target.href}`, status);
        }
        hops.push({ url: currentText, status, location: target.href, crossHost: target.host !== current.host });
        visited.add(target.href);
        if (target.protocol === 'http:') plainHttp = true;
        current = target;
        currentText = target.href;
        continue;
      }
      const length = contentLength(res.headers);
      if (length !== undefined && length > settings.maxBytes) {
        discard(res);
        throw fail('HTTP_TOO_LARGE', `the body is ${length} bytes (Content-Length), more than the limit of ${settings.maxBytes} bytes (option maxBytes); nothing was read`, status);
      }
      return answerOf(res, { url, final: currentText, length, plainHttp, hops, note, sent: headers.has('authorization'), settings, watch, fail, stopped });
    }
  } catch (e) {
    watch.release();
    throw e;
  }
}

interface AnswerContext {
  readonly url: string;
  readonly final: string;
  readonly length: number | undefined;
  readonly plainHttp: boolean;
  readonly hops: readonly HttpHop[];
  readonly note: string | undefined;
  readonly sent: boolean;
  readonly settings: Settings;
  readonly watch: Watch;
  readonly fail: (code: HttpCode, detail: string, status?: number, cause?: unknown) => HttpGetError;
  readonly stopped: (received?: number) => HttpGetError;
}

function answerOf(res: Response, c: AnswerContext): HttpResponse {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let used = false;
  let done = false;
  const finish = (): void => {
    done = true;
    c.watch.release();
  };
  async function* body(): AsyncGenerator<Uint8Array> {
    if (used) throw new TypeError('the body of a download can be read only once');
    used = true;
    if (done) throw new TypeError('the download was cancelled');
    let received = 0;
    let complete = false;
    // The speed window: bytes received since `windowStart`, checked once per idle time-out.
    const { idleTimeoutMs, minBytesPerSecond } = c.settings;
    let windowStart = Date.now();
    let windowBytes = 0;
    try {
      if (res.body === null) {
        complete = true;
      } else {
        reader = res.body.getReader();
        for (;;) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            const r = await c.watch.race(reader.read());
            if (r === STOPPED) throw c.stopped(received);
            next = r;
          } catch (e) {
            if (isHttpGetError(e)) throw e;
            if (c.watch.reason !== undefined) throw c.stopped(received);
            throw c.fail('HTTP_NETWORK', `the connection failed while reading the body, after ${received} bytes: ${describeNetworkError(e, new URL(c.final))}`, res.status, e);
          }
          if (next.done) break;
          received += next.value.byteLength;
          windowBytes += next.value.byteLength;
          const elapsed = Date.now() - windowStart;
          if (elapsed >= idleTimeoutMs) {
            if (windowBytes < (minBytesPerSecond * elapsed) / 1000) {
              throw c.fail(
                'HTTP_IDLE_TIMEOUT',
                `the server sent only ${windowBytes} bytes in ${elapsed} ms, less than ${minBytesPerSecond} bytes/s (option minBytesPerSecond, checked over each idle time-out); ${received} bytes received`,
                res.status,
              );
            }
            windowStart += elapsed;
            windowBytes = 0;
          }
          if (received > c.settings.maxBytes) {
            throw c.fail('HTTP_TOO_LARGE', `the body is larger than the limit of ${c.settings.maxBytes} bytes (option maxBytes); reading stopped there`, res.status);
          }
          yield next.value;
        }
        complete = true;
      }
      if (c.length !== undefined && received < c.length) {
        complete = false;
        throw c.fail('HTTP_TRUNCATED', `the body ended after ${received} of the ${c.length} bytes its Content-Length announced`, res.status);
      }
    } finally {
      if (!complete) reader?.cancel().catch(noop);
      finish();
    }
  }
  return {
    requested: c.url,
    url: c.final,
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    length: c.length,
    plainHttp: c.plainHttp,
    hops: c.hops,
    sentCredentials: c.sent,
    credentialNote: c.note,
    body,
    async bytes() {
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of body()) {
        parts.push(chunk);
        total += chunk.byteLength;
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.byteLength;
      }
      return out;
    },
    async cancel() {
      if (!used) {
        used = true;
        discard(res);
      } else if (!done) {
        reader?.cancel().catch(noop);
      }
      finish();
    },
  };
}
