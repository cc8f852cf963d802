/** Codes for converting Docker and OCI images to ACIs. */
import type { CodeTable } from '../issues/codes.js';

/** Errors and warnings of `convertOciImage` / `actool convert`. */
export const CONVERT_CODES = {
  CONVERT_UNKNOWN_INPUT: { severity: 'error', summary: 'The input is neither an OCI image layout (directory or tar) nor a `docker save` archive.' },
  CONVERT_BAD_JSON: { severity: 'error', summary: 'An index, manifest or config blob is not the JSON the OCI image spec describes.' },
  CONVERT_MISSING_BLOB: { severity: 'error', summary: 'A blob the image refers to is not in the input.' },
  CONVERT_DIGEST_MISMATCH: { severity: 'error', summary: 'A blob\'s bytes do not hash to its digest (or a Docker layer to its diff ID).' },
  CONVERT_UNSUPPORTED_DIGEST: { severity: 'error', summary: 'A digest uses an algorithm other than sha256 or sha512, or is malformed.' },
  CONVERT_UNSUPPORTED_MEDIA_TYPE: { severity: 'error', summary: 'A manifest or layer has a media type that cannot be converted (for example zstd layers).' },
  CONVERT_NO_MATCHING_PLATFORM: { severity: 'error', summary: 'No image in a multi-platform index matches the requested os/arch/variant; the message lists the choices.' },
  CONVERT_AMBIGUOUS_IMAGE: { severity: 'error', summary: 'The input holds several images and nothing selects one.' },
  CONVERT_UNSAFE_PATH: { severity: 'error', summary: 'A layer holds an absolute path, a `..` path, a whiteout that escapes, or a path below a non-directory (a symlink trick).' },
  CONVERT_BAD_HARDLINK: { severity: 'error', summary: 'A hard link in a layer points at a path that does not exist, was deleted by a whiteout, or escapes.' },
  CONVERT_NO_NAME: { severity: 'error', summary: 'No image name can be derived (no tag or ref name); pass --name.' },
  CONVERT_INVALID_MANIFEST: { severity: 'error', summary: 'The image manifest made from the image config does not validate.' },
  CONVERT_SKIPPED_ENTRY: { severity: 'warning', summary: 'A layer entry of a type an ACI cannot hold (or that is meaningless here) was left out.' },
} as const satisfies CodeTable;
