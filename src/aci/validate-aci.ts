/** Validates an image archive in one pass: layout, tar structure, compression integrity, manifest and image ID (spec/aci.md; A-VA-*, A-ID-1). */
import type { Issue, Result, ValidateOptions } from '../issues/issue.js';
import { hasErrors } from '../issues/issue.js';
import { concatBytes, copyBytes } from '../internal/bytes.js';
import type { ImageManifest, ParseManifestOptions } from '../schema/image-manifest.js';
import type { Compression, FileType } from './detect.js';
import { ImageCheck } from './image-check.js';
import type { ScanOptions } from './scan.js';
import { scanArchive } from './scan.js';
import type { AciSource } from './source.js';

/** Options of {@link validateAci}: limits, strictness, the manifest parser's options, progress and abort. */
export interface ValidateAciOptions extends ScanOptions, ValidateOptions {
  /** Passed to parseImageManifest (os/arch table and so on). */
  readonly manifest?: Omit<ParseManifestOptions, 'strict' | 'maxBytes'>;
  /**
   * Compute the image ID (default true). `false` skips the sha512 of the uncompressed stream (about a third
   * of the CPU of validating a gzip ACI) and leaves {@link AciReport.imageId} undefined; every verdict is the same.
   */
  readonly imageId?: boolean;
}

/** What {@link validateAci} found. */
export interface AciReport {
  /** True when no issue is an error (after `strict` promotion). */
  readonly ok: boolean;
  /** `sha512-<128 hex>` of the uncompressed tar; undefined when the stream could not be read to its end or `imageId: false`. */
  readonly imageId: string | undefined;
  /** The archive's compression; undefined when the file is not an archive. */
  readonly compression: Compression | undefined;
  /** What the first bytes looked like (gzip, tar, zstd, openpgp, text ...). */
  readonly fileType: FileType;
  /** The manifest's validation result; undefined when no manifest was found. Its issues carry `entry: 'manifest'`. */
  readonly manifest: Result<ImageManifest> | undefined;
  /** Every issue: archive, layout and manifest, each with `entry` and `offset` where they apply. */
  readonly issues: readonly Issue[];
  /** Tar entries seen (PAX and GNU extension headers are not entries). */
  readonly entryCount: number;
  /** Uncompressed bytes read. */
  readonly bytes: number;
  /** Bytes read from the source. */
  readonly compressedBytes: number;
}

/**
 * Validates an ACI: detects the compression, decompresses as a stream, walks the tar once, checks the
 * layout rules, parses the manifest wherever it sits, and computes the image ID (unless `imageId: false`). Never throws for bad
 * archive content; throws AppcError-like I/O errors (unreadable file) and the signal's reason when aborted.
 * @param source a path, bytes, a Node stream, a web ReadableStream or an async iterable of bytes.
 * @example
 * const report = await validateAci('app.aci');
 * if (!report.ok) for (const i of report.issues) console.log(i.entry, i.code, i.message);
 */
export async function validateAci(source: AciSource, options: ValidateAciOptions = {}): Promise<AciReport> {
  const check = new ImageCheck(options);
  let manifestParts: Uint8Array[] | undefined;
  let manifestOffset = 0;
  const scan = await scanArchive(
    source,
    options,
    () => ({
      onEntry(h) {
        if (check.entry(h) !== 'manifest') return false;
        manifestParts = [];
        manifestOffset = h.offset;
        return true;
      },
      onData(chunk) {
        manifestParts?.push(copyBytes(chunk));
      },
      onEntryEnd() {
        if (manifestParts === undefined) return;
        check.manifestRead(concatBytes(manifestParts), manifestOffset);
        manifestParts = undefined;
      },
    }),
    // The handlers copy the manifest's bytes, so the scan may free each chunk once it is done with it.
    { hash: options.imageId !== false, dropChunks: true },
  );
  check.noteStream(scan.issues);
  // End-of-archive checks (missing manifest or rootfs) only mean something when the whole archive was read.
  if (scan.complete && !scan.broken) check.finish();
  const issues = check.issues();
  return {
    ok: !hasErrors(issues),
    imageId: scan.imageId,
    compression: scan.compression,
    fileType: scan.fileType,
    manifest: check.manifest,
    issues,
    entryCount: scan.entryCount,
    bytes: scan.bytes,
    compressedBytes: scan.compressedBytes,
  };
}

export { tagManifest } from './image-check.js';
