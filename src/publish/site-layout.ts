/**
 * Where things sit in a discovery site: the discovery pages (one `index.html` per name prefix), the
 * images named by the template `{name}-{version}-{os}-{arch}.{ext}`, and the public keys.
 * Everything but the pages is under `_appc/`: no image name segment can start with `_`, so no page
 * can collide with it.
 */
import { AppcError } from '../issues/appc-error.js';
import type { SiteBase } from './base-url.js';

/** The site's own directory (images, keys, state). */
export const SITE_DIR = '_appc';
/** The state file, relative to the site root. */
export const STATE_FILE = `${SITE_DIR}/site.json`;
/** The public keys, relative to the site root. */
export const PUBKEYS_FILE = `${SITE_DIR}/pubkeys.gpg`;
/** Where images go, relative to the site root. */
export const IMAGES_DIR = `${SITE_DIR}/images`;
/** The template path under the base URL (D-TP-1: `{name}` and labels are substituted literally). */
export const TEMPLATE_PATH = `${IMAGES_DIR}/{name}-{version}-{os}-{arch}.{ext}`;

/** The labels a published image must have, in template order. */
export const TEMPLATE_LABELS = ['version', 'os', 'arch'] as const;

/** The identity of one published image: its name and the template labels. */
export interface ImageKey {
  readonly name: string;
  readonly version: string;
  readonly os: string;
  readonly arch: string;
}

const NAME_SEGMENT = /^[a-z0-9][a-z0-9._~-]*$/;
const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;
const RESERVED_SEGMENTS = new Set(['index.html']);

/** The `ac-discovery` template of a site. */
export function siteTemplate(base: SiteBase): string {
  return `${base.url}${TEMPLATE_PATH}`;
}

/** The public key URL of a site. */
export function sitePubkeysUrl(base: SiteBase): string {
  return `${base.url}${PUBKEYS_FILE}`;
}

/**
 * The image's file path relative to the site root, with `{ext}` left off (`_appc/images/example.com/app-1.0.0-linux-amd64`);
 * add `.aci` or `.aci.asc`. It is what the site template renders to under the base URL.
 */
export function imageStem(key: ImageKey): string {
  return `${IMAGES_DIR}/${key.name}-${key.version}-${key.os}-${key.arch}`;
}

/**
 * Checks that an image can be published under the base: its name lies under the prefix, each name
 * segment is a safe path segment, and the template labels are safe in file names and URLs.
 * @throws AppcError `PUBLISH_NAME_OUTSIDE_PREFIX`, `PUBLISH_NAME_UNSAFE`, `PUBLISH_UNSAFE_LABEL`.
 */
export function checkPublishable(key: ImageKey, base: SiteBase, label: string): void {
  const { name } = key;
  if (name !== base.prefix && !name.startsWith(`${base.prefix}/`)) {
    throw new AppcError(
      'PUBLISH_NAME_OUTSIDE_PREFIX',
      `image name ${name} is not under ${base.prefix}, the prefix of ${base.url}: discovery of ${name} would ask another site (publish it with --base-url=https://${name.split('/')[0]}/..., or rename it with actool patch-manifest --name)`,
      { file: label },
    );
  }
  for (const segment of name.split('/')) {
    if (!NAME_SEGMENT.test(segment) || RESERVED_SEGMENTS.has(segment)) {
      throw new AppcError('PUBLISH_NAME_UNSAFE', `image name ${name} has segment ${JSON.stringify(segment)}, which cannot be a path on the site`, { file: label });
    }
  }
  for (const l of TEMPLATE_LABELS) {
    const value = key[l];
    if (!LABEL_VALUE.test(value) || (value === 'latest' && l === 'version')) {
      throw new AppcError(
        'PUBLISH_UNSAFE_LABEL',
        value === 'latest'
          ? `image ${name} has version "latest", which the site keeps for the newest version of each image; give it a real version`
          : `image ${name} has ${l}=${JSON.stringify(value)}, which cannot be part of a file name (use letters, digits and . _ + ~ -)`,
        { file: label },
      );
    }
  }
}

/**
 * The prefixes of a name that need a discovery page, longest first, down to the base prefix: a client
 * walks up from the name and must find a page at the first path it tries (D-WK-1, D-WK-3).
 */
export function pagePrefixes(name: string, base: SiteBase): string[] {
  const out: string[] = [];
  const parts = name.split('/');
  for (let n = parts.length; n > 0; n--) {
    const prefix = parts.slice(0, n).join('/');
    out.push(prefix);
    if (prefix === base.prefix) break;
  }
  return out;
}

/** The page file of a prefix, relative to the site root (`app/index.html`; `index.html` for the base prefix). */
export function pageFile(prefix: string, base: SiteBase): string {
  const rest = prefix === base.prefix ? '' : prefix.slice(base.prefix.length + 1);
  return rest === '' ? 'index.html' : `${rest}/index.html`;
}

/** The key of an image as one string, for maps. */
export function keyString(key: ImageKey): string {
  return `${key.name}\u0000${key.version}\u0000${key.os}\u0000${key.arch}`;
}
