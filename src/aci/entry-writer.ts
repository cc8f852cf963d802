/**
 * Writes archive entries into a directory without ever writing outside it: the safety core of extractAci,
 * shared with the renderer, which writes entries chosen from several archives into one tree. Absolute and `..`
 * paths, writes through symlinks (from an archive or already on disk), relative symlinks that resolve outside
 * the directory and hard links to missing or outside targets are refused. Modes and mtimes are kept
 * (directories' when the writer finishes, deepest first).
 */
import { chmod, lchown, link, lstat, lutimes, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
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
  async #ensureParents(entry: AciEntry, rel: string): Promise<void> {
    const parts = rel.split('/');
    let cur = '.';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '.' ? parts[i]! : `${cur}/${parts[i]}`;
      if (this.#safeDirs.has(cur)) continue;
      const abs = join(this.root, cur);
      let st;
      try {
        st = await lstat(abs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await mkdir(abs, { mode: 0o755 });
        this.#safeDirs.add(cur);
        continue;
      }
      if (st.isSymbolicLink()) throw unsafeEntry(entry, `${cur} is a symlink, and writing through it could leave ${this.#label}`);
      if (!st.isDirectory()) throw unsafeEntry(entry, `${cur} is not a directory`);
      this.#safeDirs.add(cur);
    }
  }

  /** Removes what stands at `abs` so a new entry can take its place; refuses to replace a directory by a non-directory. */
  async #clear(entry: AciEntry, abs: string, rel: string, isDir: boolean): Promise<'dir' | 'none'> {
    let st;
    try {
      st = await lstat(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw e;
    }
    if (st.isDirectory()) {
      if (isDir) return 'dir';
      throw unsafeEntry(entry, `it would replace the directory ${rel}`);
    }
    // A symlink (even one to a directory) is removed, never followed (spec/ace.md, Filesystem Setup).
    await unlink(abs);
    this.#safeDirs.delete(rel);
    return 'none';
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
        await this.#ensureParents(entry, rel);
        if ((await this.#clear(entry, abs, rel, true)) === 'none') await mkdir(abs, { mode: 0o700 });
        this.#safeDirs.add(rel);
        this.#dirTimes.push({ path: abs, mode: this.#mode(h.mode), mtime: dateOf(h.mtime) });
        if (this.#owners) await this.#chown(entry, abs);
        this.#written++;
        return;
      }
      case 'file':
      case 'contiguous-file': {
        await this.#ensureParents(entry, rel);
        await this.#clear(entry, abs, rel, false);
        // 'wx' (O_CREAT|O_EXCL) never follows a symlink at the final component.
        const fh = await open(abs, 'wx', 0o600);
        try {
          for await (const chunk of entry.body) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        // Owner first: chown clears the set-id bits that chmod sets.
        if (this.#owners) await this.#chown(entry, abs);
        await chmod(abs, this.#mode(h.mode));
        const mtime = dateOf(h.mtime);
        if (mtime) await utimes(abs, mtime, mtime);
        this.#written++;
        return;
      }
      case 'symlink': {
        const target = h.linkname;
        // The target is stored as it is, whatever it points at (a relative one climbing above the root is an
        // ACI_SYMLINK_ESCAPES warning of the entry policy): the writer never follows a link, so a link cannot
        // make it write outside the root.
        await this.#ensureParents(entry, rel);
        await this.#clear(entry, abs, rel, false);
        await symlink(target, abs);
        if (this.#owners) await this.#chown(entry, abs);
        const mtime = dateOf(h.mtime);
        if (mtime) await lutimes(abs, mtime, mtime);
        this.#written++;
        return;
      }
      case 'link': {
        if (linkTarget === undefined || linkTarget === '.' || linkTarget === '' || linkTarget.startsWith('/') || climbsOut(linkTarget)) {
          throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} is outside ${this.#label}`);
        }
        await this.#ensureParents(entry, linkTarget);
        const targetAbs = join(this.root, linkTarget);
        if (this.#skippedPaths.has(linkTarget)) {
          this.#skip(entry, rel, `its target ${JSON.stringify(h.linkname)} was skipped`);
          return;
        }
        let st;
        try {
          st = await lstat(targetAbs);
        } catch {
          throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} does not exist`);
        }
        if (st.isDirectory()) throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} is a directory`);
        await this.#ensureParents(entry, rel);
        await this.#clear(entry, abs, rel, false);
        await link(targetAbs, abs);
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

  /** Restores the entry's owner (never following a symlink). */
  async #chown(entry: AciEntry, abs: string): Promise<void> {
    const { uid, gid } = entry.header;
    if (!isId(uid) || !isId(gid)) throw unsafeEntry(entry, `its owner ${entry.header.exact?.uid ?? uid}:${entry.header.exact?.gid ?? gid} is not a valid user and group ID on this system`);
    await lchown(abs, uid, gid);
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
      await chmod(d.path, d.mode);
      if (d.mtime) await utimes(d.path, d.mtime, d.mtime);
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

/** A uid or gid Linux can set (32 bits; -1 means "unchanged" to chown and is refused). */
function isId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 0xffffffff;
}
