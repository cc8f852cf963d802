/**
 * The image layout rules shared by archives and layout directories (spec/aci.md#image-layout,
 * #image-archives; checklist A-LY-1..3, A-VA-1..5, policy in docs/aci.md). Portable.
 */
import { AppcError } from '../issues/appc-error.js';
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

/** The AppcError of an issue (its code, message, entry and offset), for operations that must throw. */
export function issueError(issue: Issue, file?: string, cause?: unknown): AppcError {
  return new AppcError(issue.code, issue.message, {
    ...(file !== undefined ? { file } : {}),
    ...(issue.entry !== undefined ? { entry: issue.entry } : {}),
    ...(issue.offset !== undefined ? { offset: issue.offset } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
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

/** Types whose entry has no data (Go's header-only types) or whose data is not the file's content: never a manifest. */
const NOT_MANIFEST: ReadonlySet<TarEntryType> = new Set(['link', 'symlink', 'character-device', 'block-device', 'directory', 'fifo', 'gnu-sparse', 'pax-global-header']);

/** A directory that only exists because an entry below it was seen (`rootfs/a/f` without `rootfs/a`). */
const IMPLIED = 'implied-directory';

/**
 * The one entry policy of image archives and layout directories: which entry is the manifest, and the
 * compatibility policy's integrity and safety rules (docs/aci.md). Every reader of images (validate, extract,
 * cat-manifest, patch-manifest, render, the store) asks it about each entry, so a change here is seen by all.
 * `finish()` adds the end-of-walk checks. Memory grows with the number of distinct names (needed for
 * duplicates, hard links and symlinked parents), which the entry limit bounds.
 */
export class EntryPolicy {
  /** Every issue found so far. */
  readonly issues: Issue[] = [];
  readonly #seen = new Map<string, TarEntryType | typeof IMPLIED>();
  readonly #extraTop = new Set<string>();
  readonly #onIssue: ((issue: Issue) => void) | undefined;
  #manifestSeen = false;
  #rootfsSeen = false;
  #rootSeen = false;

  /** `onIssue` hears each issue as it is found. */
  constructor(onIssue?: (issue: Issue) => void) {
    this.#onIssue = onIssue;
  }

  /** Checks one entry and says what it is; only the first regular `manifest` gets role `manifest`. */
  add(entry: LayoutEntry): EntryRole {
    const where = { entry: entry.name, offset: entry.offset };
    if (entry.name === '') {
      this.report('ACI_BAD_NAME', 'an entry has an empty name', where);
      return 'rejected';
    }
    const cleaned = cleanPath(entry.name);
    if (cleaned.startsWith('/')) {
      this.report('ACI_ABSOLUTE_PATH', `${JSON.stringify(entry.name)} is an absolute path; image members must be relative (manifest, rootfs/...)`, where);
      return 'rejected';
    }
    if (climbsOut(cleaned)) {
      this.report('ACI_PATH_TRAVERSAL', `${JSON.stringify(entry.name)} climbs out of the image with ".."`, where);
      return 'rejected';
    }
    const dotDot = hasDotDot(entry.name);
    if (dotDot && leavesTopLevel(entry.name)) {
      this.report('ACI_PATH_TRAVERSAL', `${JSON.stringify(entry.name)} leaves its top-level directory with ".." (it cleans to ${JSON.stringify(cleaned)})`, where);
      return 'rejected';
    }
    if (cleaned === '.') return this.#rootEntry(entry, where);
    if (dotDot) {
      this.report('ACI_UNCLEAN_PATH', `${JSON.stringify(entry.name)} contains ".." (it cleans to ${JSON.stringify(cleaned)}); extractors such as GNU tar skip such names`, where);
    }
    const previous = this.#seen.get(cleaned);
    if (previous !== undefined && previous !== IMPLIED) {
      this.report('ACI_DUPLICATE_ENTRY', `${JSON.stringify(entry.name)} repeats the member ${JSON.stringify(cleaned)}; an image archive must not have duplicate entries`, where);
    } else if (previous === IMPLIED && entry.type !== 'directory') {
      this.report('ACI_PARENT_NOT_DIR', `${JSON.stringify(entry.name)} is a ${entry.type}, but earlier entries lie below it`, where);
      return 'rejected';
    }
    if (previous === undefined || previous === IMPLIED) this.#seen.set(cleaned, entry.type);
    if (cleaned === MANIFEST_NAME) {
      if (NOT_MANIFEST.has(entry.type)) {
        this.report('ACI_MANIFEST_NOT_FILE', `the manifest member is a ${entry.type}, not a regular file`, where);
        this.#manifestSeen = true;
        return 'rejected';
      }
      if (this.#manifestSeen) return 'rejected';
      this.#manifestSeen = true;
      return 'manifest';
    }
    if (cleaned === ROOTFS_NAME) {
      if (entry.type !== 'directory') {
        this.report('ACI_ROOTFS_NOT_DIR', `the rootfs member is a ${entry.type}, not a directory`, where);
        return 'rejected';
      }
      this.#rootfsSeen = true;
      return 'rootfs';
    }
    const top = topLevel(cleaned);
    if (top !== ROOTFS_NAME) {
      if (!this.#extraTop.has(top)) {
        this.#extraTop.add(top);
        this.report('ACI_EXTRA_TOPLEVEL', `${JSON.stringify(entry.name)} is outside rootfs: an image has only the top-level names "manifest" and "rootfs"`, { ...where, params: { topLevel: top } });
      }
      return 'rejected';
    }
    if (!this.#parentsAreDirectories(entry, cleaned, where)) return 'rejected';
    if (entry.type === 'link') this.checkHardLink(entry, cleaned, where);
    else if (entry.type === 'symlink') this.checkSymlink(entry, cleaned, where);
    return 'content';
  }

  /** End-of-walk checks, in Go's order: manifest present, then an explicit rootfs directory (A-VA-2). */
  finish(): void {
    if (!this.#manifestSeen) this.report('ACI_MISSING_MANIFEST', 'the image has no top-level "manifest" file', {});
    if (!this.#rootfsSeen && !this.seenNonDirRootfs())
      this.report('ACI_MISSING_ROOTFS', 'the image has no "rootfs" directory entry (an explicit "rootfs" member is required, even when rootfs/... members exist)', {});
  }

  /** `.` or `./`: the archive root itself, as GNU tar writes it (`tar -C dir .`); one, and a directory. */
  #rootEntry(entry: LayoutEntry, where: { entry: string; offset: number | undefined }): EntryRole {
    if (entry.type !== 'directory') {
      this.report('ACI_BAD_NAME', `${JSON.stringify(entry.name)} names the archive root but is a ${entry.type}, not a directory`, where);
      return 'rejected';
    }
    if (this.#rootSeen) {
      this.report('ACI_DUPLICATE_ENTRY', `${JSON.stringify(entry.name)} repeats the archive root`, where);
      return 'rejected';
    }
    this.#rootSeen = true;
    return 'ignored';
  }

  /**
   * Every parent below rootfs must be a directory of the archive, or not given yet: an entry below an earlier
   * symlink would be written through it (anywhere on the host), below a file it cannot be created.
   */
  #parentsAreDirectories(entry: LayoutEntry, cleaned: string, where: { entry: string; offset: number | undefined }): boolean {
    for (let p = parentOf(cleaned); p !== ROOTFS_NAME && p !== '.'; p = parentOf(p)) {
      const t = this.#seen.get(p);
      if (t === 'directory' || t === IMPLIED) return true;
      if (t === undefined) {
        this.#seen.set(p, IMPLIED);
        continue;
      }
      const through = t === 'symlink' ? `the earlier symlink ${JSON.stringify(p)}: writing through it could leave the image` : `the earlier ${t} ${JSON.stringify(p)}`;
      this.report('ACI_PARENT_NOT_DIR', `${JSON.stringify(entry.name)} lies below ${through}`, { ...where, params: { parent: p, type: t } });
      return false;
    }
    return true;
  }

  private seenNonDirRootfs(): boolean {
    const t = this.#seen.get(ROOTFS_NAME);
    return t !== undefined && t !== 'directory';
  }

  private checkHardLink(entry: LayoutEntry, cleaned: string, where: { entry: string; offset: number | undefined }): void {
    const target = cleanPath(entry.linkname ?? '');
    const params = { target: entry.linkname ?? '' };
    if (target.startsWith('/') || climbsOut(target) || !isWithin(target, ROOTFS_NAME) || target === ROOTFS_NAME) {
      this.report('ACI_HARDLINK_OUTSIDE', `hard link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname ?? '')}, outside rootfs`, { ...where, params });
      return;
    }
    const targetType = target === cleaned ? undefined : this.#seen.get(target);
    if (targetType === undefined || targetType === IMPLIED || !LINKABLE.has(targetType)) {
      const why = targetType === undefined || targetType === IMPLIED ? 'no earlier entry has that name' : `the target is a ${targetType}`;
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

  private report(
    code: AciCode,
    message: string,
    where: { readonly entry?: string | undefined; readonly offset?: number | undefined; readonly params?: Readonly<Record<string, string>> | undefined },
  ): void {
    const issue = aciIssue(code, message, where);
    this.issues.push(issue);
    this.#onIssue?.(issue);
  }
}

/** The former name of {@link EntryPolicy}. */
export const LayoutChecker = EntryPolicy;
/** The former name of {@link EntryPolicy}. */
export type LayoutChecker = EntryPolicy;

/** True when a `..` of the raw name climbs back to the archive root or above (`rootfs/../manifest`). */
function leavesTopLevel(name: string): boolean {
  let depth = 0;
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      depth--;
      if (depth < 1) return true;
    } else depth++;
  }
  return false;
}
