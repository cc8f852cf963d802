/** Codes of publishing a static discovery site and serving it (spec/discovery.md; checklist D-TP-*, D-WK-*). */
import type { CodeTable } from '../issues/codes.js';

/** Errors thrown (as `AppcError`) by `publishSite` and `serveSite`. Nothing in the site changes when one is thrown. */
export const PUBLISH_CODES = {
  PUBLISH_BAD_BASE_URL: {
    severity: 'error',
    summary: 'The base URL is not an http(s) URL of a host and path that can prefix image names (no query, fragment, credentials).',
    spec: 'spec/discovery.md#meta-discovery',
  },
  PUBLISH_NO_BASE_URL: { severity: 'error', summary: 'A new site needs --base-url (later runs reuse the one recorded in the site).' },
  PUBLISH_NOT_A_SITE: { severity: 'error', summary: 'The site directory holds other files and no _appc/site.json: it was not written by actool publish (give an empty or new directory).' },
  PUBLISH_SITE_DAMAGED: { severity: 'error', summary: "The site's _appc/site.json or _appc/pubkeys.gpg cannot be read or does not match the files; republish into a new directory." },
  PUBLISH_INVALID_IMAGE: { severity: 'error', summary: 'A source is not a valid ACI (its first archive or manifest error is given).', spec: 'spec/aci.md' },
  PUBLISH_MISSING_LABEL: { severity: 'error', summary: "An image lacks the version, os or arch label that the site's template {name}-{version}-{os}-{arch}.{ext} needs.", spec: 'D-TP-2' },
  PUBLISH_UNSAFE_LABEL: {
    severity: 'error',
    summary: 'A version, os or arch label value cannot be part of a file name and URL (it must be letters, digits and . _ + ~ -, not starting with a separator).',
  },
  PUBLISH_NAME_OUTSIDE_PREFIX: {
    severity: 'error',
    summary: "The image name is not under the site's prefix (the base URL's host and path), so discovery of the name would never reach the site.",
    spec: 'D-WK-1',
  },
  PUBLISH_NAME_UNSAFE: { severity: 'error', summary: 'A segment of the image name cannot be a site path (empty, starting with a separator, or a name the site itself uses such as index.html).' },
  PUBLISH_CONFLICT: {
    severity: 'error',
    summary: 'Two images (or an image and one already on the site) have the same name, version, os and arch but different bytes; published files never change under a URL.',
  },
  PUBLISH_NO_SIGNATURE: { severity: 'error', summary: 'An image has no signature to publish: give --key to sign it, or put IMAGE.aci.asc next to it.', spec: 'S-2' },
  PUBLISH_SIGNATURE_INVALID: {
    severity: 'error',
    summary: 'A copied signature does not verify against the keys the site publishes (add the signer with --pubkey, or sign with --key).',
    spec: 'S-1 S-4',
  },
  SERVE_BAD_OPTION: { severity: 'error', summary: 'A serve option is wrong: --listen is not [HOST:]PORT, --cert without --key, the site is not a directory, or --convert without --convert-key.' },
  SERVE_TLS_UNREADABLE: { severity: 'error', summary: 'The TLS certificate or key cannot be read or does not form a valid pair.' },
} as const satisfies CodeTable;

/** One code of {@link PUBLISH_CODES}. */
export type PublishCode = keyof typeof PUBLISH_CODES;
