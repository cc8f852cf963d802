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
 * exact matches count (a directory does not bring its children) and `/` is `rootfs` itself. Relative entries
 * are read the same way (as Go does), with a warning. Empty means no whitelist (A-PW-1).
 */
export function whitelistOf(image: ResolvedImage, warnings: Issue[]): Whitelist | undefined {
  const list = image.image.manifest.pathWhitelist ?? [];
  if (list.length === 0) return undefined;
  const set = new Set<string>();
  for (const entry of list) {
    if (!entry.startsWith('/')) {
      warnings.push({
        code: 'RENDER_WHITELIST_RELATIVE',
        severity: RENDER_CODES.RENDER_WHITELIST_RELATIVE.severity,
        path: '',
        message: `${image.image.manifest.name}: pathWhitelist entry ${JSON.stringify(entry)} is not absolute; read as /${entry}`,
        params: { value: entry },
      });
    }
    set.add(cleanPath('rootfs/' + cleanPath('/' + entry).slice(1)));
  }
  return set;
}

/**
 * The whitelists of the images that depend on `index` (R-UW-1, R-UW-3): those of its real ancestors (following
 * parent links, never a sibling subtree as Go's walk of the flat list can, R-UW-2), nearest first. An entry must
 * be in every one of them: each ancestor's rendered rootfs is complete and absolute (spec/ace.md, "the file can
 * be filtered by any of the pathWhitelist of ... the images depending on the image"). Go applies only the
 * top-most one; with one whitelisted ancestor, the usual case, the two agree.
 */
export function upperWhitelists(images: readonly ResolvedImage[], whitelists: readonly (Whitelist | undefined)[], index: number): Whitelist[] {
  const found: Whitelist[] = [];
  for (let j = images[index]!.parent; j >= 0; j = images[j]!.parent) {
    const w = whitelists[j];
    if (w !== undefined) found.push(w);
  }
  return found;
}

/** What the selector knows about a path: an entry's type, or a directory implied by a selected entry below it. */
type Seen = TarEntryType | 'implied-directory';

/** Why {@link Selector.select} left an entry out, when it is worth telling (a path conflict). */
export interface SelectConflict {
  readonly path: string;
  readonly type: TarEntryType;
}

/** Decides, entry by entry and image by image, what goes into the rendered rootfs. */
export class Selector {
  readonly #seen = new Map<string, Seen>();
  readonly #onConflict: ((conflict: SelectConflict) => void) | undefined;

  /** `onConflict` hears about lower non-directories that an upper image needs to be a directory. */
  constructor(onConflict?: (conflict: SelectConflict) => void) {
    this.#onConflict = onConflict;
  }

  /**
   * Whether the entry at cleaned path `p` of an image is selected, given that image's own whitelist and the
   * whitelists of the images that depend on it. Records what it selects.
   */
  select(p: string, type: TarEntryType, own: Whitelist | undefined, uppers: readonly Whitelist[]): boolean {
    const isDir = type === 'directory';
    if (p === 'rootfs') {
      // R-SE-2: the rootfs directory is kept whatever the whitelists say. Go records every image's; the
      // rendered tree has one, so the upper image's is the one listed (a path never appears twice).
      if (!isDir || this.#seen.get(p) === 'directory') return false;
      this.#seen.set(p, type);
      return true;
    }
    if (!p.startsWith('rootfs/')) return false; // R-SE-3: the manifest and anything else
    if (own !== undefined && !isDir && !own.has(p)) return false; // R-SE-4
    for (const upper of uppers) if (!upper.has(p)) return false; // R-SE-5: directories too
    const before = this.#seen.get(p);
    if (before !== undefined) {
      // R-SE-6: the upper image wins. A directory only implied by an upper entry below it (`rootfs/a/f` without a
      // `rootfs/a` entry) takes the lower directory entry's mode and time; a lower non-directory there would
      // make the tree unwritable (or be written through, if a symlink), so it is left out.
      if (before !== 'implied-directory') return false;
      if (!isDir) {
        this.#onConflict?.({ path: p, type });
        return false;
      }
      this.#seen.set(p, type);
      return true;
    }
    // R-SE-7: an upper non-directory hides everything below it.
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const t = this.#seen.get(p.slice(0, i));
      if (t !== undefined && t !== 'directory' && t !== 'implied-directory') return false;
    }
    this.#seen.set(p, type);
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const parent = p.slice(0, i);
      if (this.#seen.has(parent)) break;
      this.#seen.set(parent, 'implied-directory');
    }
    return true;
  }
}
