/**
 * Extracts an image archive into a directory without ever writing outside it: absolute and `..` names,
 * writes through symlinks (from the archive or already on disk), escaping relative symlinks and hard
 * links that leave the directory are refused. Modes and mtimes are kept (directories' at the end).
 */
import type { Issue } from '../issues/issue.js';
import type { AciEntry, ReadAciEntriesOptions } from './entries.js';
import { readAciEntries } from './entries.js';
import { EntryWriter, unsafeEntry } from './entry-writer.js';
import { ROOTFS_NAME } from './layout-rules.js';
import type { AciSource } from './source.js';
import { climbsOut, cleanPath } from './tar/path.js';

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

/**
 * Extracts `source` into `dir` (created when missing). Stops at the first unsafe entry with AppcError
 * `ACI_UNSAFE_ENTRY` (what was extracted before it stays); archive damage throws the reader's AppcError.
 * Not safe against another process changing `dir` at the same time.
 * @example await extractAci('app.aci', './out', { rootfsOnly: true });
 */
export async function extractAci(source: AciSource, dir: string, options: ExtractAciOptions = {}): Promise<ExtractReport> {
  const writer = await new EntryWriter(dir, options.preserveOwners ? { preserveOwners: true } : {}).open();
  let entryCount = 0;

  const mapPath = (entry: AciEntry, path: string): string | undefined => {
    if (path.startsWith('/')) throw unsafeEntry(entry, 'absolute path');
    if (climbsOut(path)) throw unsafeEntry(entry, 'the path climbs out with ".."');
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
    if (h.type === 'link') {
      const target = mapPath(entry, cleanPath(h.linkname));
      if (target === undefined || target === '.' || target === '') {
        throw unsafeEntry(entry, `hard link target ${JSON.stringify(h.linkname)} is outside ${options.rootfsOnly ? 'rootfs' : dir}`);
      }
      await writer.write(entry, rel, target);
    } else {
      await writer.write(entry, rel);
    }
  }
  await writer.finish();
  return { entryCount, written: writer.written, skipped: writer.skipped };
}
