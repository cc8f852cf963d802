/** The base URL of a discovery site and the image-name prefix it serves (spec/discovery.md#meta-discovery; D-WK-1). */
import { AppcError } from '../issues/appc-error.js';

/** A parsed `--base-url`. */
export interface SiteBase {
  /** The URL, normalized to end in `/` (`https://example.com/appc/`). */
  readonly url: string;
  /**
   * The name prefix the site serves: host name (no port) and path, without a trailing slash
   * (`example.com/appc`). Discovery of `example.com/appc/app` requests `https://example.com/appc/app?ac-discovery=1`.
   */
  readonly prefix: string;
}

const SEGMENT = /^[a-z0-9][a-z0-9._~-]*$/;
const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Parses a site base URL: http or https, a host, an optional path; no credentials, query or fragment.
 * The host and path segments must be lowercase name characters, since they form the image-name prefix.
 * @throws AppcError `PUBLISH_BAD_BASE_URL`.
 */
export function parseSiteBase(text: string): SiteBase {
  const bad = (why: string): AppcError => new AppcError('PUBLISH_BAD_BASE_URL', `base URL ${JSON.stringify(text)} ${why}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('is not a URL (expected https://HOST[:PORT][/PATH])');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must be https:// (or http:// for local tests)');
  if (url.username !== '' || url.password !== '') throw bad('must not hold credentials');
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) throw bad('must not have a query or fragment');
  const host = url.hostname;
  if (host === '' || host.startsWith('[')) throw bad('needs a host name or IPv4 address (image names cannot hold IPv6 literals)');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw bad(`has path segment ${JSON.stringify(s)}: name prefixes use a-z, 0-9 and . _ ~ -, starting with a letter or digit`);
  }
  if (!DNS_NAME.test(host)) throw bad(`has host ${JSON.stringify(host)}, which cannot start an image name (letters, digits, '-' and '.' between labels)`);
  // URL parsing rewrites some hosts (`1.2` is the IPv4 address 1.0.0.2): a name written with the
  // original spelling would then not be under the prefix. Ask for the spelling clients will use.
  const written = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1]?.replace(/:\d*$/, '').toLowerCase();
  if (written !== undefined && written !== host) throw bad(`has host ${JSON.stringify(written)}, which URL parsing reads as ${JSON.stringify(host)}; write that instead`);
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}/`;
  return { url: `${url.protocol}//${url.host}${path}`, prefix: [host, ...segments].join('/') };
}
