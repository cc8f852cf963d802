/** Codes of the one HTTP layer every download goes through (discovery pages, keys, signatures, images; checklist D-HT-2..5). */
import type { CodeTable } from '../issues/codes.js';

/**
 * Codes of `AppcError`s thrown by `httpGet` and by the downloads built on it (`fetchPublicKeys`,
 * `fetchImage`). Each names the URL it started from (`error.url`); the message names the hop that failed.
 * Discovery records the same failures in its trace under its own `DISCOVERY_*` codes.
 */
export const HTTP_CODES = {
  HTTP_INVALID_URL: { severity: 'error', summary: 'A download URL cannot be parsed.' },
  HTTP_INSECURE_URL: { severity: 'error', summary: 'A download URL is plain http (allowed only with insecure http) or has a scheme other than http and https.', spec: 'D-HT-2 D-HT-3' },
  HTTP_NETWORK: { severity: 'error', summary: 'A request failed in transport: refused connection, DNS failure, reset, or a connection that broke while the body was read.', spec: 'D-HT-2' },
  HTTP_TLS_UNTRUSTED: { severity: 'error', summary: "The server's TLS certificate is not trusted (self-signed, expired, wrong host); only insecure tls skips the check.", spec: 'D-HT-3' },
  HTTP_TIMEOUT: { severity: 'error', summary: 'A download (its redirects and whole body) did not finish within the overall time-out (option timeoutMs, --timeout).' },
  HTTP_IDLE_TIMEOUT: {
    severity: 'error',
    summary:
      'The server sent nothing (no headers, no body bytes) for longer than the idle time-out (option idleTimeoutMs, --idle-timeout), or trickled less than the minimum speed over one such window (option minBytesPerSecond).',
  },
  HTTP_TOO_LARGE: { severity: 'error', summary: 'A body is larger than the size limit (option maxBytes, --max-size): by its Content-Length, checked before reading, or by the bytes received.' },
  HTTP_TRUNCATED: { severity: 'error', summary: 'A body ended before the length its Content-Length announced.' },
  HTTP_STATUS: { severity: 'error', summary: 'The server answered with a status other than 200 OK (after redirects).' },
  HTTP_UNAUTHORIZED: { severity: 'error', summary: 'The server answered 401 Unauthorized: credentials for that host are missing or were rejected.', spec: 'D-SP-2' },
  HTTP_REDIRECT_DOWNGRADE: { severity: 'error', summary: 'An https URL redirects to plain http, which is refused unless insecure http is allowed.', spec: 'D-HT-3 D-HT-4' },
  HTTP_REDIRECT_INVALID: { severity: 'error', summary: 'A redirect has no Location, an unparsable one, or one with a scheme other than http and https.', spec: 'D-HT-4' },
  HTTP_REDIRECT_LOOP: { severity: 'error', summary: 'Redirects lead back to a URL already visited.', spec: 'D-HT-4' },
  HTTP_TOO_MANY_REDIRECTS: { severity: 'error', summary: 'More redirects than the limit (option maxRedirects, 10 like Go).', spec: 'D-HT-4' },
  HTTP_ABORTED: { severity: 'error', summary: "The download was stopped by the caller's AbortSignal (for actool: SIGINT or SIGTERM)." },
  HTTP_INVALID_OPTION: {
    severity: 'error',
    summary: 'A download option is out of range (size limit, time-outs, redirect limit) or insecure tls was asked for without a fetch that skips certificate checks.',
  },
} as const satisfies CodeTable;

/** A code of the HTTP layer. */
export type HttpCode = keyof typeof HTTP_CODES;
