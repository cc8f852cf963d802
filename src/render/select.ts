/**
 * Choosing the files of each image for the rendered rootfs (spec/aci.md pathWhitelist; checklist R-SE-1..10,
 * R-UW-1..3, A-PW-1..3). Upper images win: a path selected from an image earlier in the list hides the same
 * path, and anything below an upper non-directory, in later images.
 */
import type { Issue } from '../issues/issue.js';
import type { TarEntryType } from '../aci/tar/header.js';
import { cleanPath } from '../aci/tar/path.js';
import type { ResolvedImage } from './resolve.js';
import { RENDER_CODES } from './codes.js';

/** A whitelist as a set of cleaned archive paths (`/etc/x` becomes `rootfs/etc/x`). */
export type Whitelist = ReadonlySet<string>;

/**
 * The image's pathWhitelist as archive paths (A-PW-2): each entry joined onto `rootfs` and cleaned, so only
 * exact matches count (a directory does not bring its children). Relative entries are read the same way, with
 * a warning. Empty means no whitelist.
 */
export function whitelistOf(image: ResolvedImage, warnings: Issue[]): Whitelist | undefined {
  const list = image.image.manifest.pathWhitelist ?? [];
  if (list.length === 0) return undefined;
  const set = new Set<string>();
  for (const entry of list) {
    if (!entry.startsWith('/')) {
      warnings.push({ code: 'RENDER_WHITELIST_RELATIVE', severity: RENDER_CODES.RENDER_WHITELIST_RELATIVE.severity, path: '', message: `${image.image.manifest.name}: pathWhitelist entry ${JSON.stringify(entry)} is not absolute; read as /${entry}` });
    }
    set.add(cleanPath('rootfs/' + cleanPath('/' + entry).slice(1)));
  }
  return set;
}

/**
 * The whitelist of an image that depends on `index` (R-UW-1): among its real ancestors that have one, the
 * one closest to the rendered (root) image. Go walks the flat list and can pick up a sibling's whitelist (R-UW-2);
 * we follow parent links instead.
 */
export function upperWhitelist(images: readonly ResolvedImage[], whitelists: readonly (Whitelist | undefined)[], index: number): Whitelist | undefined {
  let found: Whitelist | undefined;
  for (let j = images[index]!.parent; j >= 0; j = images[j]!.parent) {
    if (whitelists[j] !== undefined) found = whitelists[j];
  }
  return found;
}

/** Decides, entry by entry and image by image, what goes into the rendered rootfs. */
export class Selector {
  readonly #seen = new Map<string, TarEntryType>();

  /**
   * Whether the entry at cleaned path `p` of an image is selected, given that image's own whitelist and the
   * upper whitelist. Records what it selects.
   */
  select(p: string, type: TarEntryType, own: Whitelist | undefined, upper: Whitelist | undefined): boolean {
    const isDir = type === 'directory';
    if (p === 'rootfs') {
      // R-SE-2: the rootfs directory is kept whatever the whitelists say. Go records every image's; the
      // rendered tree has one, so the upper image's is the one listed (a path never appears twice).
      if (!isDir || this.#seen.has(p)) return false;
      this.#seen.set(p, type);
      return true;
    }
    if (!p.startsWith('rootfs/')) return false; // R-SE-3: the manifest and anything else
    if (own !== undefined && !isDir && !own.has(p)) return false; // R-SE-4
    if (upper !== undefined && !upper.has(p)) return false; // R-SE-5: directories too
    if (this.#seen.has(p)) return false; // R-SE-6: the upper image wins
    // R-SE-7: an upper non-directory hides everything below it.
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const t = this.#seen.get(p.slice(0, i));
      if (t !== undefined && t !== 'directory') return false;
    }
    this.#seen.set(p, type);
    return true;
  }
}
