/** URLs of the `homepage` and `documentation` annotations: parsed as leniently as Go's net/url, scheme http or https (checklist T-UR-1..2). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A string that passed the http(s) URL check. */
export type HttpURL = string & { readonly [brand]: 'HttpURL' };

/** Codes reported for URLs. */
export const URL_CODES = {
  URL_INVALID: { severity: 'error', summary: 'A URL cannot be parsed (bad percent-escape, bad port, unclosed "[", control character ...).', spec: 'T-UR-1' },
  URL_NO_HOST: { severity: 'warning', summary: 'An http(s) URL has no host (`http:foo`, `http:///x`); Go parses it, but it locates nothing.', spec: 'T-UR-1' },
  URL_BAD_SCHEME: { severity: 'error', summary: "A URL's scheme is not http or https (or it has no scheme).", spec: 'spec/aci.md#image-manifest-schema T-UR-1 T-UR-2' },
} as const satisfies CodeTable;

const report = reporter(URL_CODES);

/** What parseURLScheme found: the lower-cased scheme (`''` when there is none), or why the text is not a URL. */
export type URLSchemeParse = { readonly ok: true; readonly scheme: string } | { readonly ok: false; readonly reason: string };

const HEX = /^[0-9a-fA-F]{2}$/;

/** Go's unescape check: every `%` needs two hex digits. Returns the bad escape or undefined. */
function badEscape(s: string): string | undefined {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!HEX.test(s.slice(i + 1, i + 3))) return s.slice(i, i + 3);
  }
  return undefined;
}

/** Go's validOptionalPort: empty, or `:` followed by digits only. */
function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** A host of only the ASCII characters the loop below accepts one by one (no escape, nothing non-ASCII). */
const HOST_PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]*$/;

function checkHost(host: string): string | undefined {
  let rest = host;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return 'missing "]" in host';
    if (!validOptionalPort(host.slice(close + 1))) return `invalid port ${JSON.stringify(host.slice(close + 1))} after host`;
    rest = host.slice(0, close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      if (!validOptionalPort(host.slice(colon))) return `invalid port ${JSON.stringify(host.slice(colon))} after host`;
      rest = host.slice(0, colon);
    }
  }
  // Nearly every host is plain ASCII letters, digits and dots: one test for the whole name, not one per character.
  if (HOST_PLAIN.test(rest)) return undefined;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '%') {
      const esc = rest.slice(i, i + 3);
      if (!HEX.test(esc.slice(1))) return `invalid URL escape ${JSON.stringify(esc)}`;
      // In a host, Go only allows escapes of non-ASCII bytes, and %25 (the IPv6 zone separator).
      if (parseInt(esc.slice(1, 2), 16) < 8 && esc !== '%25') return `invalid URL escape ${JSON.stringify(esc)}`;
      i += 2;
    } else if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]/.test(c)) {
      return `invalid character ${JSON.stringify(c)} in host name`;
    }
  }
  return undefined;
}

/**
 * Parses the scheme of a URL with the rules of Go's `url.Parse` (which the Go reference uses):
 * no control characters; a scheme is letters then letters, digits, `+`, `-` or `.` before the
 * first `:`; text without a scheme is a relative URL; `scheme:rest` without `/` is opaque and not
 * checked further (`http:foo` parses); otherwise the authority (userinfo, host, port) and the
 * percent-escapes of path and fragment must be well formed (`http://[::1` fails).
 */
export function parseURLScheme(text: string): URLSchemeParse {
  if (/[\x00-\x1f\x7f]/.test(text)) return { ok: false, reason: 'invalid control character in URL' };
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : '';
  let rest = hash >= 0 ? text.slice(0, hash) : text;
  const fragErr = badEscape(fragment);
  if (fragErr !== undefined) return { ok: false, reason: `invalid URL escape ${JSON.stringify(fragErr)}` };

  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rest);
  if (m !== null) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) {
    return { ok: false, reason: 'missing protocol scheme' };
  }
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { ok: true, scheme };
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) return { ok: false, reason: 'first path segment in URL cannot contain colon' };
  }
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    const after = rest.slice(2);
    const slash = after.indexOf('/');
    const authority = slash < 0 ? after : after.slice(0, slash);
    rest = slash < 0 ? '' : after.slice(slash);
    const at = authority.lastIndexOf('@');
    const hostErr = checkHost(at < 0 ? authority : authority.slice(at + 1));
    if (hostErr !== undefined) return { ok: false, reason: hostErr };
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return { ok: false, reason: 'invalid userinfo' };
      const err = badEscape(userinfo);
      if (err !== undefined) return { ok: false, reason: `invalid URL escape ${JSON.stringify(err)}` };
    }
  }
  const pathErr = badEscape(rest);
  if (pathErr !== undefined) return { ok: false, reason: `invalid URL escape ${JSON.stringify(pathErr)}` };
  return { ok: true, scheme };
}

/**
 * Checks an http(s) URL at `path` (T-UR-1): it must parse as Go parses URLs and its scheme,
 * ignoring case, must be `http` or `https`. Null and a missing value count as `""`.
 *
 * @returns the URL as written.
 */
export function checkHttpURL(value: unknown, path: string, ctx: CheckContext): HttpURL | undefined {
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'a URL string', value);
    return undefined;
  }
  const p = parseURLScheme(value);
  if (!p.ok) {
    report(ctx, 'URL_INVALID', path, `bad URL ${quote(value)}: ${p.reason}`, { value });
    return undefined;
  }
  if (p.scheme !== 'http' && p.scheme !== 'https') {
    const found = p.scheme === '' ? 'no scheme' : `scheme "${p.scheme}"`;
    report(ctx, 'URL_BAD_SCHEME', path, `bad URL ${quote(value)}: ${found}; it must start with http:// or https://`, { value, scheme: p.scheme });
    return undefined;
  }
  const host = /^[A-Za-z][A-Za-z0-9+\-.]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]*)/.exec(value)?.[1] ?? '';
  if (host === '') report(ctx, 'URL_NO_HOST', path, `URL ${quote(value)} has no host; write it as ${p.scheme}://host/...`, { value });
  return value as HttpURL;
}

/** Validates a decoded value as an http(s) URL. */
export function validateHttpURL(value: unknown, options?: SchemaValidateOptions): Result<HttpURL> {
  return runChecker(checkHttpURL, value, options);
}

/** True when `value` passes the Go-lenient http(s) URL check. */
export function isHttpURL(value: unknown): value is HttpURL {
  if (typeof value !== 'string') return false;
  const p = parseURLScheme(value);
  return p.ok && (p.scheme === 'http' || p.scheme === 'https');
}
