/**
 * The archive core's own codes (tar structure and stream failures, `TAR_*` and `ARCHIVE_*`) and their one
 * mapping onto the ACI codes. The core knows nothing of images: each caller maps these codes to its own
 * (ACI readers with {@link aciCodeOf}, the OCI layer reader to `CONVERT_*`).
 */
import type { AciCode } from './codes.js';
import type { FileType } from './detect.js';
import type { WalkerIssueCode } from './tar/walker.js';

/** Why a stream could not be read to its end (decided by classifyFailure, or before decompression). */
export type StreamFailureCode = 'ARCHIVE_UNKNOWN_FORMAT' | 'ARCHIVE_UNSUPPORTED_COMPRESSION' | 'ARCHIVE_CORRUPT_COMPRESSION' | 'TAR_TRUNCATED' | 'TAR_TRAILING_DATA' | 'TAR_LIMIT_EXCEEDED';

/** Every code the core reports: the tar walker's and the stream's. */
export type CoreCode = WalkerIssueCode | StreamFailureCode;

/** The one table from core codes to ACI codes (the public codes of validate, extract, cat-manifest ...). */
export const ACI_CODE_OF: Readonly<Record<CoreCode, AciCode>> = {
  ARCHIVE_UNKNOWN_FORMAT: 'ACI_UNKNOWN_FORMAT',
  ARCHIVE_UNSUPPORTED_COMPRESSION: 'ACI_UNSUPPORTED_COMPRESSION',
  ARCHIVE_CORRUPT_COMPRESSION: 'ACI_CORRUPT_COMPRESSION',
  TAR_TRUNCATED: 'ACI_TRUNCATED',
  TAR_TRAILING_DATA: 'ACI_TRAILING_DATA',
  TAR_LIMIT_EXCEEDED: 'ACI_LIMIT_EXCEEDED',
  TAR_BAD_CHECKSUM: 'TAR_BAD_CHECKSUM',
  TAR_BAD_HEADER: 'TAR_BAD_HEADER',
  TAR_NO_END: 'TAR_NO_END',
  TAR_HEADER_ONLY_SIZE: 'TAR_HEADER_ONLY_SIZE',
  TAR_NAME_NOT_UTF8: 'ACI_NAME_NOT_UTF8',
  TAR_SPARSE_ENTRY: 'ACI_SPARSE_ENTRY',
  TAR_UNUSUAL_TYPE: 'ACI_UNUSUAL_TYPE',
};

/** The ACI code of a core code. */
export function aciCodeOf(code: CoreCode): AciCode {
  return ACI_CODE_OF[code];
}

/** Tar problems after which nothing more can be read (the walker stops): readers throw them. */
export const FATAL_TAR_CODES: ReadonlySet<CoreCode> = new Set<CoreCode>(['TAR_BAD_CHECKSUM', 'TAR_BAD_HEADER', 'TAR_TRUNCATED', 'TAR_TRAILING_DATA', 'TAR_LIMIT_EXCEEDED']);

/** A failure of the archive core: a core code, where it happened, and for format failures the detected type. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    readonly code: CoreCode,
    message: string,
    readonly where: { readonly entry?: string; readonly offset?: number; readonly params?: Readonly<Record<string, string | number | boolean>>; readonly fileType?: FileType } = {},
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
