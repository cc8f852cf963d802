/**
 * The image layout rules shared by archives and layout directories (spec/aci.md#image-layout,
 * #image-archives; checklist A-LY-1..3, A-VA-1..5, policy in docs/aci.md). Portable.
 */
import type { Issue } from '../issues/issue.js';
import type { AciCode } from './codes.js';
import { ACI_CODES } from './codes.js';
import type { TarEntryType } from './tar/header.js';
import { cleanPath, climbsOut, hasDotDot, isWithin, joinPath, parentOf, topLevel } from './tar/path.js';

/** The two top-level names of an image (A-LY-1). */
export const MANIFEST_NAME = 'manifest';
/** The root filesystem directory of an image (A-LY-1). */
export const ROOTFS_NAME = 'rootfs';

/** Builds an issue from an ACI code, with the severity of the code table. */
export function aciIssue(
  code: AciCode,
  message: string,
  where: { readonly entry?: string | undefined; readonly offset?: number | undefined; readonly params?: Readonly<Record<string, string | number | boolean>> | undefined } = {},
): Issue {
  const issue: { -readonly [K in keyof Issue]: Issue[K] } = { code, severity: ACI_CODES[code].severity, path: '', message };
  if (where.entry !== undefined) issue.entry = where.entry;
  if (where.offset !== undefined) issue.offset = where.offset;
  if (where.params !== undefined) issue.params = where.params;
  return issue;
}

/** One member of an archive or layout directory, as the rules see it. */
export interface LayoutEntry {
  /** The name as stored (not cleaned). */
  readonly name: string;
  readonly type: TarEntryType;
  /** Link target for hard links and symlinks. */
  readonly linkname?: string;
  /** Byte offset of the entry's header in the tar stream (archives only). */
  readonly offset?: number;
}

/** What an entry is to the image. */
export type EntryRole = 'manifest' | 'rootfs' | 'content' | 'ignored' | 'rejected';

const LINKABLE: ReadonlySet<TarEntryType> = new Set(['file', 'contiguous-file', 'link', 'symlink', 'character-device', 'block-device', 'fifo', 'gnu-sparse']);

/**
 * Applies the layout rules entry by entry; `finish()` adds the end-of-walk checks. Memory grows with the
 * number of distinct names (needed for duplicates and hard links), which the entry limit bounds.
 */
export class LayoutChecker {
  /** Every issue found so far. */
  readonly issues: Issue[] = [];
  private readonly seen = new Map<string, TarEntryType>();
  private readonly extraTop = new Set<string>();
  private manifestSeen = false;
  private rootfsSeen = false;

  /** Checks one entry and says what it is; only the first regular `manifest` gets role `manifest`. */
  add(entry: LayoutEntry): EntryRole {
    const where = { entry: entry.name, offset: entry.offset };
    const cleaned = cleanPath(entry.name);
    if (cleaned === '.') return 'ignored';
    if (cleaned.startsWith('/')) {
      this.report('ACI_ABSOLUTE_PATH', `${JSON.stringify(entry.name)} is an absolute path; image members must be relative (manifest, rootfs/...)`, where);
      return 'rejected';
    }
    if (climbsOut(cleaned)) {
      this.report('ACI_PATH_TRAVERSAL', `${JSON.stringify(entry.name)} climbs out of the image with ".."`, where);
      return 'rejected';
    }
    if (hasDotDot(entry.name)) {
      this.report('ACI_UNCLEAN_PATH', `${JSON.stringify(entry.name)} contains ".." (it cleans to ${JSON.stringify(cleaned)}); extractors such as GNU tar skip such names`, where);
    }
    const previous = this.seen.get(cleaned);
    if (previous !== undefined) {
      this.report('ACI_DUPLICATE_ENTRY', `${JSON.stringify(entry.name)} repeats the member ${JSON.stringify(cleaned)}; an image archive must not have duplicate entries`, where);
    }
    this.seen.set(cleaned, previous ?? entry.type);
    if (cleaned === MANIFEST_NAME) {
      if (entry.type !== 'file' && entry.type !== 'contiguous-file') {
        this.report('ACI_MANIFEST_NOT_FILE', `the manifest member is a ${entry.type}, not a regular file`, where);
        this.manifestSeen = true;
        return 'rejected';
      }
      if (this.manifestSeen) return 'rejected';
      this.manifestSeen = true;
      return 'manifest';
    }
    if (cleaned === ROOTFS_NAME) {
      if (entry.type !== 'directory') {
        this.report('ACI_ROOTFS_NOT_DIR', `the rootfs member is a ${entry.type}, not a directory`, where);
        return 'rejected';
      }
      this.rootfsSeen = true;
      return 'rootfs';
    }
    const top = topLevel(cleaned);
    if (top !== ROOTFS_NAME) {
      if (!this.extraTop.has(top)) {
        this.extraTop.add(top);
        this.report('ACI_EXTRA_TOPLEVEL', `${JSON.stringify(entry.name)} is outside rootfs: an image has only the top-level names "manifest" and "rootfs"`, { ...where, params: { topLevel: top } });
      }
      return 'rejected';
    }
    if (entry.type === 'link') this.checkHardLink(entry, cleaned, where);
    else if (entry.type === 'symlink') this.checkSymlink(entry, cleaned, where);
    return 'content';
  }

  /** End-of-walk checks, in Go's order: manifest present, then an explicit rootfs directory (A-VA-2). */
  finish(): void {
    if (!this.manifestSeen) this.report('ACI_MISSING_MANIFEST', 'the image has no top-level "manifest" file', {});
    if (!this.rootfsSeen && !this.seenNonDirRootfs()) this.report('ACI_MISSING_ROOTFS', 'the image has no "rootfs" directory entry (an explicit "rootfs" member is required, even when rootfs/... members exist)', {});
  }

  private seenNonDirRootfs(): boolean {
    const t = this.seen.get(ROOTFS_NAME);
    return t !== undefined && t !== 'directory';
  }

  private checkHardLink(entry: LayoutEntry, cleaned: string, where: { entry: string; offset: number | undefined }): void {
    const target = cleanPath(entry.linkname ?? '');
    const params = { target: entry.linkname ?? '' };
    if (target.startsWith('/') || climbsOut(target) || !isWithin(target, ROOTFS_NAME) || target === ROOTFS_NAME) {
      this.report('ACI_HARDLINK_OUTSIDE', `hard link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname ?? '')}, outside rootfs`, { ...where, params });
      return;
    }
    const targetType = target === cleaned ? undefined : this.seen.get(target);
    if (targetType === undefined || !LINKABLE.has(targetType)) {
      const why = targetType === undefined ? 'no earlier entry has that name' : `the target is a ${targetType}`;
      this.report('ACI_HARDLINK_DANGLING', `hard link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname ?? '')}, but ${why}`, { ...where, params });
    }
  }

  private checkSymlink(entry: LayoutEntry, cleaned: string, where: { entry: string; offset: number | undefined }): void {
    const target = entry.linkname ?? '';
    if (target === '' || target.startsWith('/')) return;
    const resolved = joinPath(parentOf(cleaned), target);
    if (!isWithin(resolved, ROOTFS_NAME)) {
      this.report('ACI_SYMLINK_ESCAPES', `symlink ${JSON.stringify(entry.name)} -> ${JSON.stringify(target)} resolves above rootfs`, { ...where, params: { target } });
    }
  }

  private report(code: AciCode, message: string, where: { readonly entry?: string | undefined; readonly offset?: number | undefined; readonly params?: Readonly<Record<string, string>> | undefined }): void {
    this.issues.push(aciIssue(code, message, where));
  }
}
