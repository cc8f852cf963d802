/** Error and warning codes of the Docker/OCI image converter (OCI image-spec v1, docker save; docs/convert.md). */
import type { AppcErrorOptions } from '../issues/appc-error.js';
import { AppcError } from '../issues/appc-error.js';
import type { CodeTable } from '../issues/codes.js';

/**
 * Codes of `convertOciImage`. Errors are thrown as AppcError (nothing is written); warnings are returned in
 * the report: something of the image could not be carried over to appc and was left out or renamed.
 */
export const CONVERT_CODES = {
  // The input
  CONVERT_INPUT_UNKNOWN: { severity: 'error', summary: 'The input is neither an OCI image layout (oci-layout, index.json, blobs/) nor a docker save archive (manifest.json).' },
  CONVERT_INPUT_COMPRESSED: { severity: 'error', summary: 'The input archive is compressed (gzip, zstd, xz, bzip2); decompress it first (docker save writes a plain tar).' },
  CONVERT_BAD_ARCHIVE: { severity: 'error', summary: 'The input tar archive is damaged (bad header checksum, truncated, data after its end).' },
  CONVERT_INPUT_SYMLINK: { severity: 'error', summary: 'A file of the input is a symlink or hard link that leaves the layout or archive, loops, or is not a regular file.' },
  CONVERT_BAD_JSON: { severity: 'error', summary: 'index.json, manifest.json, an image manifest, index or config is not valid JSON or lacks a required field.' },
  CONVERT_BAD_LAYOUT_VERSION: { severity: 'error', summary: 'The oci-layout file does not declare imageLayoutVersion 1.x.' },
  // Blobs and digests
  CONVERT_BAD_DIGEST: { severity: 'error', summary: 'A digest is not `algorithm:hex` with the length its algorithm needs.' },
  CONVERT_UNSUPPORTED_DIGEST: { severity: 'error', summary: 'A digest uses an algorithm other than sha256 or sha512.' },
  CONVERT_BLOB_MISSING: { severity: 'error', summary: 'A blob or file the image refers to is not in the layout or archive.' },
  CONVERT_SIZE_MISMATCH: { severity: 'error', summary: "A blob's size differs from the size its descriptor declares." },
  CONVERT_DIGEST_MISMATCH: { severity: 'error', summary: "A blob's content does not hash to the digest that refers to it." },
  CONVERT_DIFF_ID_MISMATCH: { severity: 'error', summary: "A layer's uncompressed content does not hash to its diff_id in the image config." },
  CONVERT_LAYER_COUNT_MISMATCH: { severity: 'error', summary: 'The config lists a different number of diff_ids than the manifest lists layers.' },
  CONVERT_UNKNOWN_MEDIA_TYPE: { severity: 'error', summary: 'A manifest, config or layer has a media type that is not a Docker or OCI image type (an artifact, a foreign layer, a typo).' },
  CONVERT_ZSTD_UNSUPPORTED: { severity: 'error', summary: 'A layer is zstd-compressed; zstd layers not supported (Node 20 has no zstd decoder): recompress the image with gzip.' },
  CONVERT_BAD_LAYER: { severity: 'error', summary: 'A layer is not a readable tar: corrupt compression, bad tar header, truncated, or an entry type that cannot be carried over.' },
  CONVERT_INPUT_CHANGED: { severity: 'error', summary: 'A layer changed between the two passes of the conversion (the input was modified while converting).' },
  // Choosing the image
  CONVERT_AMBIGUOUS_IMAGE: { severity: 'error', summary: 'The input holds several images; choose one by reference (--image).' },
  CONVERT_IMAGE_NOT_FOUND: { severity: 'error', summary: 'No image of the input has the requested reference.' },
  CONVERT_NO_MATCHING_PLATFORM: { severity: 'error', summary: 'No image of the index matches the requested platform (--os, --arch, --variant); the message lists the platforms there are.' },
  // Layer contents
  CONVERT_PATH_ABSOLUTE: { severity: 'error', summary: 'A layer entry has an absolute path.' },
  CONVERT_PATH_TRAVERSAL: { severity: 'error', summary: 'A layer entry path has a `..` component.' },
  CONVERT_WHITEOUT_ESCAPE: { severity: 'error', summary: 'A whiteout names `.` or `..` (`.wh..`, `.wh...`), which would delete its own directory or leave it.' },
  CONVERT_PATH_THROUGH_SYMLINK: {
    severity: 'error',
    summary: 'A layer entry lies under a path that is a symlink or other non-directory at that point, so extracting it would write through the symlink.',
  },
  CONVERT_HARDLINK_ESCAPE: { severity: 'error', summary: "A hard link's target has a `..` component or is empty." },
  CONVERT_HARDLINK_DANGLING: { severity: 'error', summary: 'A hard link points to a path that does not exist at that point (never there, or removed by a whiteout).' },
  CONVERT_HARDLINK_TO_DIRECTORY: { severity: 'error', summary: 'A hard link points to a directory.' },
  CONVERT_HARDLINK_ACROSS_LAYERS: { severity: 'error', summary: 'In layered mode, a hard link points to a file of a lower layer, which one ACI cannot hold; convert squashed.' },
  CONVERT_LIMIT_EXCEEDED: { severity: 'error', summary: 'A safety limit was hit (JSON size, index nesting, entry count, manifest size); the option named in params.limit raises it.' },
  // Options and the result
  CONVERT_BAD_OPTION: { severity: 'error', summary: 'An option is invalid: a name that is not an ACIdentifier, an unknown compression, an output not ending in .aci.' },
  CONVERT_MANIFEST_INVALID: { severity: 'error', summary: 'The image manifest made from the config does not validate (the message lists the issues).' },
  // Warnings: what could not be carried over
  CONVERT_NAME_FALLBACK: { severity: 'warning', summary: 'The image carries no repository name; the ACI name was made from the input file name (pass --name to choose one).' },
  CONVERT_PLATFORM_UNMAPPED: { severity: 'warning', summary: "The image's os/architecture has no appc os/arch label; the labels were left out." },
  CONVERT_ENV_SKIPPED: { severity: 'warning', summary: 'An Env item is not NAME=VALUE with a valid appc environment name; it was left out.' },
  CONVERT_PORT_SKIPPED: { severity: 'warning', summary: 'An ExposedPorts key is not PORT[-END][/PROTOCOL] in 1-65535; it was left out.' },
  CONVERT_VOLUME_RENAMED: { severity: 'warning', summary: 'Two volumes sanitize to the same mount point name, or a volume path is not absolute; a suffix or leading / was added.' },
  CONVERT_WORKDIR_RELATIVE: { severity: 'warning', summary: 'WorkingDir is not an absolute path; it was made absolute.' },
  CONVERT_CREATED_SKIPPED: { severity: 'warning', summary: "The config's created time is not an RFC 3339 date-time; the created annotation was left out." },
  // Export: ACIs to OCI images and docker load archives (docs/convert.md)
  EXPORT_INVALID_IMAGE: { severity: 'error', summary: 'The ACI to export is not valid (the message lists its errors); nothing was written.' },
  EXPORT_BAD_OPTION: { severity: 'error', summary: "An export option is invalid: an unknown format, a --tag that is not NAME:TAG in Docker's reference syntax, an image name Docker cannot take." },
  EXPORT_UNSUPPORTED_ENTRY: { severity: 'error', summary: 'An entry of the rendered rootfs has a type an OCI layer cannot carry (sparse, multi-volume, unknown).' },
  EXPORT_LAYERED_INEXACT: { severity: 'error', summary: 'One layer per image cannot give the tree render builds (a dependency reached by two paths with different whitelists); export squashed.' },
  EXPORT_OUTPUT_NOT_LAYOUT: { severity: 'error', summary: 'The output directory exists and is not an OCI image layout; --overwrite replaces only a layout or an empty directory.' },
  EXPORT_FIELD_UNMAPPED: {
    severity: 'warning',
    summary: 'A manifest field has no OCI equivalent (isolators, event handlers, supplementary groups, read-only mount points, socket activation, other labels); it was left out.',
  },
  EXPORT_PLATFORM_DEFAULTED: { severity: 'warning', summary: 'The image has no os/arch labels an OCI platform can express; the platform of this machine (or the one asked for) was written.' },
  EXPORT_TAG_CHANGED: {
    severity: 'warning',
    summary: 'The version label is not a valid Docker tag; characters outside [A-Za-z0-9_.-] became `_` in the tag (the label is kept in org.opencontainers.image.version).',
  },
} as const satisfies CodeTable;

/** A code of the converter. */
export type ConvertCode = keyof typeof CONVERT_CODES;

/** Builds the AppcError the converter throws for `code`. */
export function convertError(code: ConvertCode, message: string, options?: AppcErrorOptions): AppcError {
  return new AppcError(code, message, options);
}
