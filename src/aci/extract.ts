/**
 * Extracts an image archive into a directory without ever writing outside it: absolute and `..` names,
 * writes through symlinks (from the archive or already on disk), escaping relative symlinks and hard
 * links that leave the directory are refused. Modes and mtimes are kept (directories' at the end).
 */
import { chmod, lchown, link, lstat, lutimes, mkdir, open, symlink, unlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import type { AciEntry, ReadAciEntriesOptions } from './entries.js';
import { readAciEntries } from './entries.js';
import { ROOTFS_NAME, aciIssue } from './layout-rules.js';
import type { AciSource } from './source.js';
import { climbsOut, cleanPath, joinPath, parentOf } from './tar/path.js';

/** Options of {@link extractAci}. */
export interface ExtractAciOptions extends Omit<ReadAciEntriesOptions, 'keepRawHeaders'> {
  /** Extract only the contents of rootfs/, into the directory itself (`actool extract --rootfs-only`). */
  readonly rootfsOnly?: boolean;
  /** Also restore owners (uid and gid); needs privileges. Default false. */
  readonly preserveOwners?: boolean;
  /** Extracts only the entries this returns true for (the renderer's selection); the others are skipped unread. */
  readonly filter?: (entry: AciEntry) => boolean;
}

/** What {@link extractAci} did. */
export interface ExtractReport {
  /** Entries read from the archive. */
  readonly entryCount: number;
  /** Files, directories and links created. */
  readonly written: number;
  /** Entries skipped because they cannot be created here (devices, FIFOs, sparse or unknown types). */
  readonly skipped: readonly Issue[];
}

function unsafe(entry: AciEntry, why: string): AppcError {
  return new AppcError('ACI_UNSAFE_ENTRY', `refused ${JSON.stringify(entry.header.name)}: ${why}`, { entry: entry.header.name, offset: entry.header.offset });
}

/**
 * Extracts `source` into `dir` (created when missing). Stops at the first unsafe entry with AppcError
 * `ACI_UNSAFE_ENTRY` (what was extracted before it stays); archive damage throws the reader's AppcError.
 * Not safe against another process changing `dir` at the same time.
 * @example await extractAci('app.aci', './out', { rootfsOnly: true });
 */
export async function extractAci(source: AciSource, dir: string, options: ExtractAciOptions = {}): Promise<ExtractReport> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const safeDirs = new Set<string>(['.']);
  const dirTimes: { path: string; mode: number; mtime: number }[] = [];
  const skipped: Issue[] = [];
  const skippedPaths = new Set<string>();
  const skip = (entry: AciEntry, why: string): void => {
    const h = entry.header;
    skipped.push(aciIssue('ACI_UNSUPPORTED_ENTRY', `skipped ${JSON.stringify(h.name)}: ${why}`, { entry: h.name, offset: h.offset, params: { type: h.type } }));
  };
  let entryCount = 0;
  let written = 0;

  /** Makes sure every ancestor of `rel` is a real directory inside root (creating missing ones). */
  const ensureParents = async (entry: AciEntry, rel: string): Promise<void> => {
    const parts = rel.split('/');
    let cur = '.';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '.' ? parts[i]! : `${cur}/${parts[i]}`;
      if (safeDirs.has(cur)) continue;
      const abs = join(root, cur);
      let st;
      try {
        st = await lstat(abs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await mkdir(abs, { mode: 0o755 });
        safeDirs.add(cur);
        continue;
      }
      if (st.isSymbolicLink()) throw unsafe(entry, `${cur} is a symlink, and writing through it could leave ${dir}`);
      if (!st.isDirectory()) throw unsafe(entry, `${cur} is not a directory`);
      safeDirs.add(cur);
    }
  };

  /** Removes what stands at `abs` so a new entry can take its place; refuses to replace a directory by a non-directory. */
  const clear = async (entry: AciEntry, abs: string, rel: string, isDir: boolean): Promise<'dir' | 'none'> => {
    let st;
    try {
      st = await lstat(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw e;
    }
    if (st.isDirectory()) {
      if (isDir) return 'dir';
      throw unsafe(entry, `it would replace the directory ${rel}`);
    }
    await unlink(abs);
    safeDirs.delete(rel);
    return 'none';
  };

  const mapPath = (entry: AciEntry, path: string): string | undefined => {
    if (path.startsWith('/')) throw unsafe(entry, 'absolute path');
    if (climbsOut(path)) throw unsafe(entry, 'the path climbs out with ".."');
    if (!options.rootfsOnly) return path;
    if (path === ROOTFS_NAME || !path.startsWith(ROOTFS_NAME + '/')) return undefined;
    return path.slice(ROOTFS_NAME.length + 1);
  };

  for await (const entry of readAciEntries(source, options)) {
    entryCount++;
    const h = entry.header;
    if (h.type === 'pax-global-header') continue;
    if (entry.path === '.') continue;
    if (options.filter !== undefined && !options.filter(entry)) continue;
    const rel = mapPath(entry, entry.path);
    if (rel === undefined) continue;
    const abs = join(root, rel);
    switch (h.type) {
      case 'directory': {
        await ensureParents(entry, rel);
        if ((await clear(entry, abs, rel, true)) === 'none') await mkdir(abs, { mode: 0o700 });
        safeDirs.add(rel);
        dirTimes.push({ path: abs, mode: h.mode, mtime: h.mtime });
        if (options.preserveOwners) await lchown(abs, h.uid, h.gid);
        written++;
        break;
      }
      case 'file':
      case 'contiguous-file': {
        await ensureParents(entry, rel);
        await clear(entry, abs, rel, false);
        // 'wx' (O_CREAT|O_EXCL) never follows a symlink at the final component.
        const fh = await open(abs, 'wx', 0o600);
        try {
          for await (const chunk of entry.body) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        await chmod(abs, h.mode);
        if (options.preserveOwners) await lchown(abs, h.uid, h.gid);
        await utimes(abs, h.mtime, h.mtime);
        written++;
        break;
      }
      case 'symlink': {
        const target = h.linkname;
        // A relative target must resolve inside the directory; absolute ones are meant for the container
        // root and are kept as they are. Links are never followed while extracting either way.
        if (!target.startsWith('/') && climbsOut(joinPath(parentOf(rel), target))) {
          throw unsafe(entry, `symlink target ${JSON.stringify(target)} resolves outside ${dir}`);
        }
        await ensureParents(entry, rel);
        await clear(entry, abs, rel, false);
        await symlink(target, abs);
        if (options.preserveOwners) await lchown(abs, h.uid, h.gid);
        await lutimes(abs, h.mtime, h.mtime);
        written++;
        break;
      }
      case 'link': {
        const cleanedTarget = cleanPath(h.linkname);
        const targetRel = mapPath(entry, cleanedTarget);
        if (targetRel === undefined || targetRel === '.' || targetRel === '') throw unsafe(entry, `hard link target ${JSON.stringify(h.linkname)} is outside ${options.rootfsOnly ? 'rootfs' : dir}`);
        await ensureParents(entry, targetRel);
        const targetAbs = join(root, targetRel);
        if (skippedPaths.has(targetRel)) {
          skip(entry, `its target ${JSON.stringify(h.linkname)} was skipped`);
          break;
        }
        let st;
        try {
          st = await lstat(targetAbs);
        } catch {
          throw unsafe(entry, `hard link target ${JSON.stringify(h.linkname)} does not exist`);
        }
        if (st.isDirectory()) throw unsafe(entry, `hard link target ${JSON.stringify(h.linkname)} is a directory`);
        await ensureParents(entry, rel);
        await clear(entry, abs, rel, false);
        await link(targetAbs, abs);
        written++;
        break;
      }
      default:
        skippedPaths.add(rel);
        skip(entry, `${h.type} entries cannot be created by this extractor`);
    }
  }
  // Directories last, deepest first: creating their children changed their mtimes, and a read-only mode
  // would have blocked the children.
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    const d = dirTimes[i]!;
    await chmod(d.path, d.mode);
    await utimes(d.path, d.mtime, d.mtime);
  }
  return { entryCount, written, skipped };
}
