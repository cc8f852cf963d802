/** Reading parts of an image archive: the manifest (stopping early, Go `ManifestFromImage`, A-CD-4) and the image ID (A-ID-1). */
import { AppcError } from '../issues/appc-error.js';
import type { Result, ValidateOptions } from '../issues/issue.js';
import type { ImageManifest, ParseManifestOptions } from '../schema/image-manifest.js';
import { parseImageManifest } from '../schema/image-manifest.js';
import type { Compression } from './detect.js';
import { ImageCheck, tagManifest } from './image-check.js';
import { issueError } from './layout-rules.js';
import type { ScanOptions } from './scan.js';
import { scanArchive, scanError } from './scan.js';
import type { AciSource } from './source.js';
import { concatBytes, copyBytes } from '../internal/bytes.js';

/** Options of {@link readAciManifest}. */
export interface ReadAciManifestOptions extends ScanOptions, ValidateOptions {
  /** Passed to parseImageManifest. */
  readonly manifest?: Omit<ParseManifestOptions, 'strict' | 'maxBytes'>;
}

/** The manifest of an archive: its raw bytes and their validation. */
export interface AciManifest {
  /** The manifest bytes exactly as stored (what `actool cat-manifest` prints). */
  readonly raw: Uint8Array;
  /** parseImageManifest's result; its issues carry `entry: 'manifest'`. */
  readonly manifest: Result<ImageManifest>;
  /** The member name as stored (`manifest`, `./manifest` ...). */
  readonly entry: string;
  /** Byte offset of the manifest's header in the uncompressed tar. */
  readonly offset: number;
  readonly compression: Compression;
}

/**
 * Reads the first member whose cleaned name is `manifest` and stops reading there (the rest of the archive
 * is not checked, like Go's ManifestFromImage).
 * @throws AppcError `ACI_MISSING_MANIFEST` when the archive has none, or the archive's first error
 * (`ACI_UNKNOWN_FORMAT`, `ACI_TRUNCATED`, `ACI_CORRUPT_COMPRESSION`, `TAR_BAD_CHECKSUM`, `ACI_LIMIT_EXCEEDED` ...)
 * when it cannot be read up to its manifest; I/O errors as they are.
 * @example const { manifest, raw } = await readAciManifest('app.aci');
 */
export async function readAciManifest(source: AciSource, options: ReadAciManifestOptions = {}): Promise<AciManifest> {
  const file = typeof source === 'string' ? source : undefined;
  const at = file !== undefined ? { file } : {};
  // The entries before the manifest go through the entry policy: the manifest is the entry validate and
  // extract call the manifest, and an archive they refuse before it is refused here too.
  const check = new ImageCheck({ ...(options.strict ? { strict: true } : {}), ...(options.maxManifestBytes !== undefined ? { maxManifestBytes: options.maxManifestBytes } : {}) });
  let found: { entry: string; offset: number; parts: Uint8Array[] } | undefined;
  let done: AciManifest | undefined;
  const scan = await scanArchive(
    source,
    options,
    (control) => ({
      onEntry(h) {
        const role = check.entry(h);
        if (check.blocking !== undefined) {
          control.stop();
          return false;
        }
        if (role !== 'manifest') return false;
        found = { entry: h.name, offset: h.offset, parts: [] };
        return true;
      },
      onData(chunk) {
        found?.parts.push(copyBytes(chunk));
      },
      onEntryEnd() {
        if (!found) return;
        const raw = concatBytes(found.parts);
        const manifest = tagManifest(parseImageManifest(raw, { ...options.manifest, ...(options.strict ? { strict: true } : {}) }), found.offset);
        done = { raw, manifest, entry: found.entry, offset: found.offset, compression: 'none' };
        control.stop();
      },
    }),
    { hash: false, onIssue: (i) => check.note(i), dropChunks: true },
  );
  check.assertPassing(file);
  if (done) return { ...done, compression: scan.compression ?? 'none' };
  const err = scanError(scan, file);
  if (err) throw err;
  throw new AppcError('ACI_MISSING_MANIFEST', 'the archive has no manifest', at);
}

/** Options of {@link computeImageId}. */
export type ComputeImageIdOptions = ScanOptions;

/**
 * Computes the image ID: `sha512-` and the hex sha512 of the whole uncompressed tar stream (A-ID-1),
 * equal to `sha512sum` of the decompressed file. The tar itself is not validated.
 * @throws AppcError when the file is not an archive or its compression is damaged or truncated; I/O errors as they are.
 * @example await computeImageId('app.aci') // 'sha512-8d3f...'
 */
export async function computeImageId(source: AciSource, options: ComputeImageIdOptions = {}): Promise<string> {
  const file = typeof source === 'string' ? source : undefined;
  // The walker only tells where the tar ends (to sort decompression errors); a tar limit it hits stops
  // the walker, never the hashing. maxTotalBytes still bounds the work.
  const scan = await scanArchive(source, options, () => ({}), { hash: true, dropChunks: true });
  if (scan.imageId === undefined) {
    const stream = scan.issues.find((i) => i.code.startsWith('ACI_') && i.severity === 'error');
    throw stream ? issueError(stream, file) : new AppcError('ACI_UNKNOWN_FORMAT', 'the image ID could not be computed', file !== undefined ? { file } : {});
  }
  return scan.imageId;
}
