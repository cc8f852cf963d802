/** An injectable fetch for discovery unit tests: answers from a function, records every request. No network. */
import { readFileSync } from 'node:fs';
import { fixturePath } from './paths.js';

/** One request the fake saw. */
export interface SeenRequest {
  readonly url: string;
  readonly headers: Headers;
  readonly redirect: RequestRedirect | undefined;
}

/** A fake fetch plus the requests it received. */
export interface FakeFetch {
  readonly fetch: typeof globalThis.fetch;
  readonly seen: SeenRequest[];
}

/** Makes a fetch that calls `answer` for each request (throwing from it makes the fetch reject). */
export function fakeFetch(answer: (url: URL, init: RequestInit) => Response | Promise<Response>): FakeFetch {
  const seen: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    seen.push({ url, headers: new Headers(init.headers), redirect: init.redirect });
    return answer(new URL(url), init);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

/** Reads an HTML fixture of fixtures/discovery. */
export function discoveryPage(file: string): string {
  return readFileSync(fixturePath('discovery', file), 'utf8');
}

/** A 200 text/html response. */
export function html(body: string | Uint8Array, headers: Record<string, string> = {}): Response {
  return new Response(body as BodyInit, { status: 200, headers: { 'content-type': 'text/html', ...headers } });
}

/** A redirect response. */
export function redirect(location: string, status = 302): Response {
  return new Response(null, { status, headers: { location } });
}

/** A response with a status and an empty body. */
export function status(code: number, headers: Record<string, string> = {}): Response {
  return new Response('', { status: code, headers });
}

/** The error Node's fetch throws for a transport failure with a system error code. */
export function networkError(code: string, message = code): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}
