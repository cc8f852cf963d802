/**
 * Extracts an image archive into a directory. Extract = validate: every entry goes through the same entry
 * policy and checks as validateAci (in the same mode, `strict` included), and nothing lands in the target
 * unless the whole archive passed: the tree is built beside it and renamed into place at the end. The writer
 * never writes outside the tree (EntryWriter). Modes and mtimes are kept (directories' at the end).
 */
import type { Issue, ValidateOptions } from '../issues/issue.js';
import { concatBytes, copyBytes } from '../internal/bytes.js';
import type { AciEntry, ReadAciEntriesOptions } from './entries.js';
import { readAciEntriesDropping } from './entries.js';
import type { OwnerMode } from './entry-writer.js';
import { EntryWriter } from './entry-writer.js';
import type { ImageCheckOptions } from './image-check.js';
import { ImageCheck } from './image-check.js';
import { MANIFEST_NAME, ROOTFS_NAME } from './layout-rules.js';
import type { AciSource } from './source.js';
import { buildIntoEmptyDirectory } from './staged-dir.js';
import { cleanPath } from './tar/path.js';

/** Options of {@link extractAci}. */
export interface ExtractAciOptions extends Omit<ReadAciEntriesOptions, 'keepRawHeaders' | 'onIssue'>, ValidateOptions, Pick<ImageCheckOptions, 'manifest'> {
  /** Extract only the contents of rootfs/, into the directory itself (`actool extract --rootfs-only`). */
  readonly rootfsOnly?: boolean;
  /** Owners of the extracted files (default `current`: set-id bits are then cleared); see {@link OwnerMode}. */
  readonly owners?: OwnerMode;
  /** Same as `owners: 'preserve'` (the former option). */
  readonly preserveOwners?: boolean;
  /** Extracts only the entries this returns true for (they are all checked); the others are skipped unread. */
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
  /** The archive's warnings (what validateAci would report; none when strict, where they refuse). */
  readonly warnings: readonly Issue[];
}

/**
 * Extracts `source` into `dir`, which must be missing or an empty directory (else ACI_OUTPUT_EXISTS). Refuses
 * every archive validateAci rejects in the same mode, with that issue's code (ACI_PATH_TRAVERSAL,
 * ACI_PARENT_NOT_DIR, ACI_TRUNCATED, ACI_MISSING_ROOTFS, a manifest's code ...), and then nothing is left behind.
 * @example await extractAci('app.aci', './out', { rootfsOnly: true });
 */
export async function extractAci(source: AciSource, dir: string, options: ExtractAciOptions = {}): Promise<ExtractReport> {
  const file = typeof source === 'string' ? source : undefined;
  const check = new ImageCheck(options);
  const refuse = (): void => check.assertPassing(file);
  const owners: OwnerMode = options.owners ?? (options.preserveOwners ? 'preserve' : 'current');
  return buildIntoEmptyDirectory(dir, 'ACI_OUTPUT_EXISTS', async (staging) => {
    const writer = new EntryWriter(staging, { label: dir, owners });
    // rootfs/x goes to x with rootfsOnly; what lies outside rootfs then has no place (undefined).
    const placeOf = (path: string): string | undefined => {
      if (!options.rootfsOnly) return path;
      return path.startsWith(ROOTFS_NAME + '/') ? path.slice(ROOTFS_NAME.length + 1) : undefined;
    };
    let entryCount = 0;
    const { rootfsOnly: _r, owners: _o, preserveOwners: _p, filter: _f, ...readOptions } = options;
    // The manifest is checked once the reader has moved past its entry (padding included): a stream cut inside
    // that entry is reported at the entry's offset, and validateAci ranks such a stream issue ahead of the
    // manifest's own issues at the same offset.
    let pendingManifest: { readonly bytes: Uint8Array; readonly entry: AciEntry } | undefined;
    const settleManifest = async (): Promise<void> => {
      if (pendingManifest === undefined) return;
      const { bytes, entry } = pendingManifest;
      pendingManifest = undefined;
      check.manifestRead(bytes, entry.header.offset);
      refuse();
      // Whatever its tar type (a contiguous or unknown type with data), the manifest is written as a file.
      if (!options.rootfsOnly) await writer.write({ ...entry, header: { ...entry.header, type: 'file' }, body: once(bytes) }, MANIFEST_NAME);
    };
    try {
      // Bodies are written at once (synchronous writes) and the manifest copied, so no view of a chunk outlives it.
      for await (const entry of readAciEntriesDropping(source, { ...readOptions, onIssue: (i) => check.note(i) })) {
        await settleManifest();
        entryCount++;
        const h = entry.header;
        const role = check.entry(h);
        refuse();
        if (role === 'manifest') {
          const parts: Uint8Array[] = [];
          for await (const chunk of entry.body) parts.push(copyBytes(chunk));
          pendingManifest = { bytes: concatBytes(parts), entry };
          continue;
        }
        if (role !== 'content' && role !== 'rootfs') continue;
        if (options.filter !== undefined && !options.filter(entry)) continue;
        const rel = placeOf(entry.path);
        if (rel === undefined) continue;
        await writer.write(entry, rel, h.type === 'link' ? placeOf(cleanPath(h.linkname)) : undefined);
      }
    } catch (e) {
      // A failure after the manifest's entry ranks behind the manifest's own issues (archive order).
      const at = (e as { offset?: number }).offset;
      if (pendingManifest !== undefined && at !== undefined && at > pendingManifest.entry.header.offset) await settleManifest();
      throw e;
    }
    await settleManifest();
    check.finish();
    refuse();
    await writer.finish();
    return { entryCount, written: writer.written, skipped: writer.skipped, warnings: check.issues() };
  });
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
