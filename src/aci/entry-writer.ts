/**
 * Writes archive entries into a directory without ever writing outside it: the safety core of extractAci,
 * shared with the renderer, which writes entries chosen from several archives into one tree. Absolute and `..`
 * paths, writes through symlinks (from an archive or already on disk), relative symlinks that resolve outside
 * the directory and hard links to missing or outside targets are refused. Modes and mtimes are kept
 * (directories' when the writer finishes, deepest first).
 *
 * File system calls are synchronous, as GNU tar's are: each one is a single system call on the main thread. The
 * promise API made every mkdir, open, write, chmod, utimes and close a thread-pool round trip (8-10 per file),
 * and on a busy 2-core machine each hop also woke a pool thread that preempted the main thread; the profile
 * of an extraction of 2,250 small files showed those hops as the largest cost after inflating. A call blocks
 * the event loop only for as long as the kernel copies one body chunk into the page cache. Paths are created
 * first and cleared only when the create fails with EEXIST (mkdir, open with O_EXCL, symlink and link never
 * follow a symlink at the last component), which saves an lstat per entry in a new tree.
 */
import { chmodSync, closeSync, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, symlinkSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import type { AciEntry } from './entries.js';
import { aciIssue } from './layout-rules.js';
import { climbsOut } from './tar/path.js';

/**
 * Whose files these are: `preserve` restores the archive's uid and gid (needs privileges; GNU tar's default
 * for root), `current` leaves them to the user extracting, and then clears the set-user-ID and set-group-ID
 * bits, as GNU tar does, so a setuid file of another user never becomes a setuid file of this one.
 */
export type OwnerMode = 'preserve' | 'current';

/** Options of {@link EntryWriter}. */
export interface EntryWriterOptions {
  /** Owners of what is written (default `current`). */
  readonly owners?: OwnerMode;
  /** Same as `owners: 'preserve'` (the former option). */
  readonly preserveOwners?: boolean;
  /** How the target is named in messages (default: the directory path). */
  readonly label?: string;
}

/** Builds the AppcError of a refused entry. */
export function unsafeEntry(entry: AciEntry, why: string): AppcError {
  return new AppcError('ACI_UNSAFE_ENTRY', `refused ${JSON.stringify(entry.header.name)}: ${why}`, { entry: entry.header.name, offset: entry.header.offset });
}

/**
 * Writes entries at relative paths of one directory tree. Call {@link EntryWriter.finish} once at the end: it
 * sets the directories' modes and times (a read-only directory would otherwise block its later children).
 * Not safe against another process changing the directory at the same time.
 */
export class EntryWriter {
  /** The absolute directory written into. */
  readonly root: string;
  readonly #label: string;
  readonly #owners: boolean;
  readonly #safeDirs = new Set<string>(['.']);
  readonly #dirTimes: { path: string; mode: number; mtime: Date | undefined }[] = [];
  readonly #skippedPaths = new Set<string>();
  readonly #skipped: Issue[] = [];
  #written = 0;

  constructor(dir: string, options: EntryWriterOptions = {}) {
    this.root = resolve(dir);
    this.#label = options.label ?? dir;
    this.#owners = options.owners === 'preserve' || options.preserveOwners === true;
  }

  /** Files, directories and links created so far. */
  get written(): number {
    return this.#written;
  }

  /** Entries skipped because they cannot be created here (devices, FIFOs, sparse or unknown types, links to those). */
  get skipped(): readonly Issue[] {
    return this.#skipped;
  }

  /** Creates the directory when missing. */
  async open(): Promise<this> {
    await mkdir(this.root, { recursive: true });
    return this;
  }

  /** Checks a relative path before use: no absolute path, no climbing out. */
  checkPath(entry: AciEntry, rel: string): void {
    if (rel.startsWith('/')) throw unsafeEntry(entry, 'absolute path');
    if (climbsOut(rel)) throw unsafeEntry(entry, 'the path climbs out with ".."');
  }

  /** Makes sure every ancestor of `rel` is a real directory inside the root (creating missing ones). */
  #ensureParents(entry: AciEntry, rel: string): void {
    const parts = rel.split('/');
    let cur = '.';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '.' ? parts[i]! : `${cur}/${parts[i]}`;
      if (this.#safeDirs.has(cur)) continue;
      const abs = join(this.root, cur);
      let st;
      try {
        st = lstatSync(abs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        mkdirSync(abs, { mode: 0o755 });
        this.#safeDirs.add(cur);
        continue;
      }
      if (st.isSymbolicLink()) throw unsafeEntry(entry, `${cur} is a symlink, and writing through it could leave ${this.#label}`);
      if (!st.isDirectory()) throw unsafeEntry(entry, `${cur} is not a directory`);
      this.#safeDirs.add(cur);
    }
  }

  /** Removes what stands at `abs` so a new entry can take its place; refuses to replace a directory by a non-directory. */
  #clear(entry: AciEntry, abs: string, rel: string, isDir: boolean): 'dir' | 'none' {
    let st;
    try {
      st = lstatSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw e;
    }
    if (st.isDirectory()) {
      if (isDir) return 'dir';
      throw unsafeEntry(entry, `it would replace the directory ${rel}`);
    }
    // A symlink (even one to a directory) is removed, never followed (spec/ace.md, Filesystem Setup).
    unlinkSync(abs);
    this.#safeDirs.delete(rel);
    return 'none';
  }

  /**
   * Runs `create` (a call that fails with EEXIST rather than follow or replace what is at `abs`); when something
   * is in the way, clears it (see `#clear`) and tries once more. Returns undefined when a
   * directory was already there and `isDir` is set (nothing created).
   */
  #create<T>(entry: AciEntry, abs: string, rel: string, isDir: boolean, create: () => T): T | undefined {
    try {
      return create();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (this.#clear(entry, abs, rel, isDir) === 'dir') return undefined;
    return create();
  }

  /**
   * Writes one entry at `rel` (cleaned, relative to the root). A hard link needs `linkTarget`, the cleaned path
   * of its target relative to the root (undefined when the target lies outside what is being written).
   * Unsupported types are recorded in {@link EntryWriter.skipped}.
   * @throws AppcError ACI_UNSAFE_ENTRY for anything that would write outside the root.
   */
  async write(entry: AciEntry, rel: string, linkTarget?: string): Promise<void> {
    this.checkPath(entry, rel);
    const h = entry.header;
    const abs = join(this.root, rel);
    switch (h.type) {
      case 'directory': {
        this.#ensureParents(entry, rel);
        this.#create(entry, abs, rel, true, () => mkdirSync(abs, { mode: 0o700 }));
        this.#safeDirs.add(rel);
        this.#dirTimes.push({ path: abs, mode: this.#mode(h.mode), mtime: dateOf(h.mtime) });
        if (this.#owners) this.#chown(entry, abs);
        this.#written++;
        return;
      }
      case 'file':
      case 'contiguous-file': {
        this.#ensureParents(entry, rel);
        // 'wx' (O_CREAT|O_EXCL) never follows a symlink at the final component.
        const fd = this.#create(entry, abs, rel, false, () => openSync(abs, 'wx', 0o600))!;
        try {
          for await (const chunk of entry.body) writeFully(fd, chunk);
          // Owner first: chown clears the set-id bits that chmod sets. Through the descriptor: the file just made.
          if (this.#owners) this.#chown(entry, fd);
          fchmodSync(fd, this.#mode(h.mode));
          const mtime = dateOf(h.mtime);
          if (mtime) futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
        this.#written++;
        return;
      }
      case 'symlink': {
        const target = h.linkname;
        // The target is stored as it is, whatever it points at (a relative one climbing above the root is an
        // ACI_SYMLINK_ESCAPES warning of the entry policy): the writer never follows a link, so a link cannot
        // make it write outside the root.
        this.#ensureParents(entry, rel);
        this.#create(entry, abs, rel, false, () => symlinkSync(target, abs));
        if (this.#owners) this.#chown(entry, abs);
        const mtime = dateOf(h.mtime);
        if (mtime) lutimesSync(abs, mtime, mtime);
        this.#written++;
        return;
      }
      case 'link': {
        if (linkTarget === undefined || linkTarget === '.' || linkTarget === '' || linkTarget.startsWith('/') || climbsOut(linkTarget)) {
          throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} is outside ${this.#label}`);
        }
        this.#ensureParents(entry, linkTarget);
        const targetAbs = join(this.root, linkTarget);
        if (this.#skippedPaths.has(linkTarget)) {
          this.#skip(entry, rel, `its target ${JSON.stringify(h.linkname)} was skipped`);
          return;
        }
        let st;
        try {
          st = lstatSync(targetAbs);
        } catch {
          throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} does not exist`);
        }
        if (st.isDirectory()) throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} is a directory`);
        this.#ensureParents(entry, rel);
        this.#create(entry, abs, rel, false, () => linkSync(targetAbs, abs));
        this.#written++;
        return;
      }
      default:
        this.#skip(entry, rel, `${h.type} entries cannot be created by this extractor`);
    }
  }

  /** The mode to set: set-id bits only when the owners are the archive's. */
  #mode(mode: number): number {
    return this.#owners ? mode : mode & ~0o6000;
  }

  /** Restores the entry's owner (never following a symlink), by path or through an open descriptor. */
  #chown(entry: AciEntry, target: string | number): void {
    const { uid, gid } = entry.header;
    if (!isId(uid) || !isId(gid)) throw unsafeEntry(entry, `its owner ${entry.header.exact?.uid ?? uid}:${entry.header.exact?.gid ?? gid} is not a valid user and group ID on this system`);
    if (typeof target === 'number') fchownSync(target, uid, gid);
    else lchownSync(target, uid, gid);
  }

  #skip(entry: AciEntry, rel: string, why: string): void {
    const h = entry.header;
    this.#skippedPaths.add(rel);
    this.#skipped.push(aciIssue('ACI_UNSUPPORTED_ENTRY', `skipped ${JSON.stringify(h.name)}: ${why}`, { entry: h.name, offset: h.offset, params: { type: h.type } }));
  }

  /** Sets directory modes and times, deepest (last written) first: creating children changed their mtimes. */
  async finish(): Promise<void> {
    for (let i = this.#dirTimes.length - 1; i >= 0; i--) {
      const d = this.#dirTimes[i]!;
      chmodSync(d.path, d.mode);
      if (d.mtime) utimesSync(d.path, d.mtime, d.mtime);
    }
    this.#dirTimes.length = 0;
  }
}

/**
 * An mtime (seconds, maybe fractional or negative) as a Date: Node reads a negative number of seconds as
 * "now", a Date before 1970 as what it is. Undefined when no Date can hold it (it is then left alone).
 */
export function dateOf(seconds: number): Date | undefined {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Writes all of `chunk` at the descriptor's position (a write may take fewer bytes than asked). */
function writeFully(fd: number, chunk: Uint8Array): void {
  let o = 0;
  while (o < chunk.length) o += writeSync(fd, chunk, o, chunk.length - o);
}

/** A uid or gid Linux can set (32 bits; -1 means "unchanged" to chown and is refused). */
function isId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 0xffffffff;
}
