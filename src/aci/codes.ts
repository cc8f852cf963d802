/** Issue and error codes of ACI archives and image layouts (spec/aci.md; checklist §3 A-*). */
import type { CodeTable } from '../issues/codes.js';

/**
 * Codes for ACI archives, tar structure and image layouts. Errors break a MUST, are rejected by Go, or are
 * integrity and safety problems (compatibility policy); warnings are things Go accepts but the spec or safety
 * advice does not. `strict` turns warnings into errors.
 */
export const ACI_CODES = {
  // Format and compression (A-CD-*)
  ACI_UNKNOWN_FORMAT: { severity: 'error', summary: 'The file is not an image archive: no gzip, bzip2 or xz magic and no tar header.', spec: 'A-CD-1 A-CD-2' },
  ACI_UNSUPPORTED_COMPRESSION: {
    severity: 'error',
    summary: 'The file is recognised (zstd, lzma or OpenPGP-encrypted) but is not an ACI format this library reads; decrypt or recompress it first.',
    spec: 'A-CD-2 A-CD-3',
  },
  ACI_CORRUPT_COMPRESSION: { severity: 'error', summary: 'The compressed stream is damaged (bad CRC or length, invalid data).', spec: 'A-CD-2' },
  ACI_TRUNCATED: { severity: 'error', summary: 'The archive ends in the middle of a compressed stream, a tar header or an entry body.', spec: 'A-LY-3' },
  ACI_TRAILING_DATA: { severity: 'error', summary: 'Non-zero bytes follow the end-of-archive marker, or other data follows the compressed stream.', spec: 'A-LY-3' },
  ACI_LIMIT_EXCEEDED: { severity: 'error', summary: 'A safety limit was hit (total size, entry count, path, PAX or manifest size); the option named in params.limit raises it.' },
  // Layout (A-LY-*, A-VA-*)
  ACI_MISSING_MANIFEST: { severity: 'error', summary: 'The image has no top-level `manifest` file.', spec: 'A-LY-1 A-VA-2' },
  ACI_MISSING_ROOTFS: { severity: 'error', summary: 'The image has no explicit top-level `rootfs` directory entry.', spec: 'A-LY-1 A-VA-2' },
  ACI_ROOTFS_NOT_DIR: { severity: 'error', summary: 'The top-level `rootfs` is not a directory.', spec: 'A-LY-1 A-VA-1' },
  ACI_MANIFEST_NOT_FILE: { severity: 'error', summary: 'The top-level `manifest` is not a regular file.', spec: 'A-LY-1' },
  ACI_EXTRA_TOPLEVEL: { severity: 'error', summary: 'A top-level name other than `manifest` and `rootfs` (Go lets names that merely start with "rootfs" through).', spec: 'A-LY-1 A-VA-2 A-VA-3' },
  ACI_DUPLICATE_ENTRY: { severity: 'error', summary: 'Two entries have the same path after cleaning (`rootfs/a` and `./rootfs//a`).', spec: 'A-LY-3 A-VA-1' },
  ACI_ABSOLUTE_PATH: { severity: 'error', summary: 'An entry name is an absolute path.', spec: 'A-VA-3' },
  ACI_PATH_TRAVERSAL: { severity: 'error', summary: 'An entry name climbs out of the image, or out of its top-level directory (`rootfs/../manifest`), with `..`.', spec: 'A-VA-3' },
  ACI_BAD_NAME: { severity: 'error', summary: 'An entry name is empty, or names the archive root (`.`, `./`) as something other than a directory.', spec: 'A-VA-3' },
  ACI_PARENT_NOT_DIR: {
    severity: 'error',
    summary:
      'An entry lies below an earlier symlink, file or other non-directory of the archive (writing through a symlink could leave the image), or replaces a directory that earlier entries lie in.',
    spec: 'A-VA-3',
  },
  ACI_UNCLEAN_PATH: { severity: 'warning', summary: 'An entry name contains `..` components although it stays inside the image; extractors such as GNU tar skip such names.', spec: 'A-TH-3' },
  ACI_HARDLINK_DANGLING: { severity: 'error', summary: 'A hard link points to no earlier regular entry of the archive (missing, later, or a directory).', spec: 'A-TH-1' },
  ACI_HARDLINK_OUTSIDE: { severity: 'error', summary: 'A hard link points outside rootfs (absolute, `..`, or the manifest).', spec: 'A-TH-1' },
  ACI_SYMLINK_ESCAPES: { severity: 'warning', summary: 'A relative symlink target climbs above rootfs (absolute targets are fine: they resolve inside the container root).', spec: 'A-VA-4' },
  ACI_NAME_NOT_UTF8: { severity: 'warning', summary: 'An entry or link name is not valid UTF-8; it is shown with replacement characters.' },
  ACI_UNUSUAL_TYPE: {
    severity: 'warning',
    summary: 'An entry has a tar type that ACI builders never write (contiguous file, GNU volume label, multi-volume, dump directory, or unknown).',
    spec: 'A-TH-1',
  },
  ACI_SPARSE_ENTRY: { severity: 'warning', summary: 'A GNU sparse file: readers without sparse support see different content; the real size is in params.realSize.', spec: 'A-TH-1' },
  // Tar structure
  TAR_BAD_CHECKSUM: { severity: 'error', summary: 'A tar header checksum does not match; the rest of the archive cannot be trusted and is not parsed.' },
  TAR_BAD_HEADER: { severity: 'error', summary: 'A tar header or PAX record is malformed (a numeric field is not a number, a negative size, a bad record); parsing stops.' },
  TAR_NO_END: { severity: 'warning', summary: 'The tar stream ends without the end-of-archive marker of two zero blocks (Go accepts it).' },
  TAR_HEADER_ONLY_SIZE: { severity: 'warning', summary: 'A link, directory, device or FIFO entry declares a non-zero size; readers disagree on whether data follows (Go and this library read none).' },
  // Layout directories, builder, extractor
  ACI_LAYOUT_NOT_DIR: { severity: 'error', summary: 'The image layout path is not a directory.', spec: 'A-VA-5' },
  ACI_LAYOUT_INVALID: { severity: 'error', summary: 'The image layout failed validation, so no archive was built.', spec: 'A-BD-2' },
  ACI_BAD_EXTENSION: { severity: 'error', summary: 'The output file name does not end in `.aci`.', spec: 'A-LY-2 A-BD-1' },
  ACI_OUTPUT_EXISTS: { severity: 'error', summary: 'The output file exists and overwriting was not asked for.', spec: 'A-BD-3' },
  ACI_COMPRESSOR_MISSING: {
    severity: 'error',
    summary: 'The compressor for the requested format is not available (bzip2 writing needs the system `bzip2`; xz writing needs lzma-native or the `xz` program).',
  },
  ACI_WRITE_FAILED: {
    severity: 'error',
    summary: 'Writing the output archive failed (file system full or too large a file, or the compressor stopped); the temporary file is removed and nothing is written.',
  },
  ACI_FILE_CHANGED: { severity: 'error', summary: 'A file changed size or type while it was being archived.' },
  ACI_UNSUPPORTED_NAME: { severity: 'error', summary: 'A file name in the layout cannot be archived (it is not valid UTF-8).' },
  ACI_UNSAFE_ENTRY: { severity: 'error', summary: 'Extraction refused an entry that would write outside the target directory (absolute, `..`, through a symlink, or a hard link leaving it).' },
  ACI_PATCH_INVALID: { severity: 'error', summary: 'patch-manifest could not produce a valid manifest (the original is invalid, or an edit or the result is); the issues say which.' },
  ACI_PATCH_NO_APP: { severity: 'error', summary: 'patch-manifest was asked to change app fields of a manifest that has no app, without --exec to create one.' },
  ACI_PATCH_CONFLICT: {
    severity: 'error',
    summary: 'patch-manifest edits that cannot go together: --manifest with other edits, --capability with --revoke-capability, --seccomp-set without --seccomp-mode.',
  },
  ACI_PATCH_BAD_VALUE: { severity: 'error', summary: 'A patch-manifest value is malformed (a supplementary group that is not a decimal integer).' },
  ACI_UNSUPPORTED_ENTRY: { severity: 'warning', summary: 'Extraction skipped an entry it cannot create (device node, FIFO, sparse file, unknown type).' },
} as const satisfies CodeTable;

/** Any code of {@link ACI_CODES}. */
export type AciCode = keyof typeof ACI_CODES;
