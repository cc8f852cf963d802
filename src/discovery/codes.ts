/** Codes of image discovery (spec/discovery.md; checklist D-*): app strings, the walk's trace, results, thrown errors. */
import type { CodeTable } from '../issues/codes.js';

/**
 * Every code the discovery area reports. Three kinds share the table:
 * issues of an app string (`parseAppString`) and of a manifest check (`checkManifestMatchesApp`);
 * codes of the trace (`DiscoveryAttempt.code`) and of a discovery result (`DiscoveryResult.issues`);
 * and codes of thrown `AppcError`s (API misuse, abort).
 */
export const DISCOVERY_CODES = {
  // App strings: NAME[:VERSION][,LABEL=VALUE]...
  DISCOVERY_APP_COLON_AFTER_LABEL: { severity: 'error', summary: 'An app string has a colon after a label; the `:VERSION` part must follow the name directly.', spec: 'D-AP-1' },
  DISCOVERY_APP_MULTIPLE_COLONS: { severity: 'error', summary: 'An app string has more than one colon.', spec: 'D-AP-1' },
  DISCOVERY_APP_LABEL_WITHOUT_VALUE: { severity: 'error', summary: 'A comma-separated part of an app string has no `=` (expected LABEL=VALUE).', spec: 'D-AP-1 T-CL-1' },
  DISCOVERY_APP_DUPLICATE_LABEL: { severity: 'error', summary: 'An app string gives a label twice (for example `:1.0` and `,version=2.0`), or names a label `name`.', spec: 'D-AP-1' },
  DISCOVERY_APP_PORT_IN_NAME: {
    severity: 'warning',
    summary: 'The version read from an app string contains `/`, as in `example.com:8080/app`: the text after the colon became the version, not a port (use the port option).',
    spec: 'D-AP-2',
  },
  DISCOVERY_APP_WRONG_TYPE: { severity: 'error', summary: 'An app value is not an object with a string `name` and string label values.', spec: 'D-AP-1' },

  // The trace of the walk: one code per failed or skipped attempt.
  DISCOVERY_NETWORK: { severity: 'error', summary: 'A discovery URL could not be fetched: DNS failure, refused connection, TLS failure or another transport error.', spec: 'D-HT-2' },
  DISCOVERY_TIMEOUT: { severity: 'error', summary: 'A discovery URL did not answer with a complete page within the time-out (option timeoutMs).', spec: 'D-HT-4' },
  DISCOVERY_HTTP_STATUS: { severity: 'error', summary: 'A discovery URL answered with a status other than 200 OK; the walk moves on to the parent path.', spec: 'D-HT-2 D-WK-2' },
  DISCOVERY_UNAUTHORIZED: { severity: 'error', summary: 'A discovery URL answered 401 Unauthorized: credentials for that host are missing or were rejected.', spec: 'D-SP-2' },
  DISCOVERY_PAGE_TOO_LARGE: { severity: 'error', summary: 'A discovery page is larger than the size limit (option maxBytes); it is not parsed.' },
  DISCOVERY_REDIRECT_LOOP: { severity: 'error', summary: 'Redirects lead back to a URL already visited.', spec: 'D-HT-4' },
  DISCOVERY_TOO_MANY_REDIRECTS: { severity: 'error', summary: 'More redirects than the limit (option maxRedirects, 10 like Go).', spec: 'D-HT-4' },
  DISCOVERY_REDIRECT_DOWNGRADE: { severity: 'error', summary: 'An https URL redirects to plain http, which is refused unless insecure http is allowed.', spec: 'D-HT-3 D-HT-4' },
  DISCOVERY_REDIRECT_INVALID: { severity: 'error', summary: 'A redirect has no Location, an unparsable one, or one with a scheme other than http and https.', spec: 'D-HT-4' },
  DISCOVERY_NO_TAGS: { severity: 'warning', summary: 'A page was fetched but holds no usable tag of the kind the walk looks for; the walk moves on to the parent path.', spec: 'D-WK-4' },
  DISCOVERY_TAG_MALFORMED: { severity: 'warning', summary: 'An ac-* meta tag is ignored: its content is not `PREFIX URL` separated by a space.', spec: 'D-MT-2' },
  DISCOVERY_PREFIX_MISMATCH: { severity: 'warning', summary: 'A meta tag is ignored because its prefix does not match the app name (on whole path segments by default).', spec: 'D-MT-3' },
  DISCOVERY_TEMPLATE_UNFILLED: { severity: 'warning', summary: 'A template is skipped because it needs variables the app does not provide (add the labels it names).', spec: 'D-TP-2' },

  // Results.
  DISCOVERY_NO_ENDPOINT: { severity: 'error', summary: 'No ACI endpoint was found at any prefix of the name; the trace says why for each one.', spec: 'D-WK-3' },
  DISCOVERY_NO_PUBLIC_KEYS: { severity: 'error', summary: 'No public key URL was found at any prefix of the name (Go fails the same way).', spec: 'D-WK-3' },
  DISCOVERY_TEMPLATE_NO_EXT: { severity: 'warning', summary: 'A template has no `{ext}`, so the ACI and signature URLs are the same; the spec requires `{ext}`, Go accepts it.', spec: 'D-TP-3' },
  DISCOVERY_INSECURE_PAGE: { severity: 'warning', summary: 'The URLs were read from a page fetched over plain http, which anyone on the network could have changed.', spec: 'D-HT-2' },

  // Auth configuration (`parseAuthConfig`, `actool discover --auth-config`).
  DISCOVERY_AUTH_CONFIG_INVALID: {
    severity: 'error',
    summary: 'An authentication configuration is not valid: unknown type, missing user, password or token, or a malformed host.',
    spec: 'D-HT-5 D-SP-2',
  },

  // Manifest against the app used for discovery (`checkManifestMatchesApp`).
  DISCOVERY_MANIFEST_NAME_MISMATCH: { severity: 'error', summary: 'The name in the image manifest differs from the name used for discovery.', spec: 'D-SP-1' },
  DISCOVERY_MANIFEST_LABEL_MISMATCH: { severity: 'error', summary: 'A label used for discovery has another value in the image manifest.', spec: 'D-SP-1' },
  DISCOVERY_MANIFEST_LABEL_MISSING: { severity: 'error', summary: 'A label used for discovery is absent from the image manifest.', spec: 'D-SP-1' },

  // Thrown AppcError codes.
  DISCOVERY_OPTION_NEEDS_FETCH: { severity: 'error', summary: 'Insecure TLS was asked for without a fetch that skips certificate checks (pass createInsecureFetch() from appc/node).', spec: 'D-HT-3' },
  DISCOVERY_INVALID_OPTION: { severity: 'error', summary: 'A discovery option is out of range (port, time-out, size or redirect limit, prefix mode).' },
  DISCOVERY_INVALID_APP: { severity: 'error', summary: 'discover() was given an app string or object that is not valid; the error carries the issues.', spec: 'D-AP-1' },
  DISCOVERY_ABORTED: { severity: 'error', summary: "Discovery was stopped by the caller's AbortSignal." },
} as const satisfies CodeTable;

/** A code of the discovery area. */
export type DiscoveryCode = keyof typeof DISCOVERY_CODES;
