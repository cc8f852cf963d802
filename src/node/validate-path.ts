/** Validates one path as the Go actool does: a directory is a layout, an archive magic an image, text a manifest. */
// Plain node:fs (already loaded when Node starts); fs/promises would add start-up time to every run.
import { describeIoError } from './io-error.js';
export { describeIoError } from './io-error.js';
import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import type { Opened, OpenedOrError } from './open-input.js';
import { openValidateInput, readHead, SMALL_IMAGE_BYTES } from './open-input.js';
import { isAppcError } from '../issues/appc-error.js';
import { extend } from '../internal/extend.js';
import type { AciSource } from '../aci/source.js';
import type { Issue } from '../issues/issue.js';
import { FILE_CODES } from './codes.js';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../schema/internal/document.js';
import { validateManifest } from '../schema/manifest.js';
import type { SchemaValidateOptions } from '../schema/internal/check.js';
import { detectFileType, SNIFF_LENGTH } from '../aci/detect.js';
import type { FileType } from '../aci/detect.js';
import type { AciLimits, AciProgress } from '../aci/scan.js';

/** What kind of input a path holds. */
export type InputType = 'manifest' | 'appimage' | 'layout';

/** Options of validatePath. */
export interface ValidatePathOptions extends SchemaValidateOptions, Partial<AciLimits> {
  /** Force the input type instead of detecting it (`--type`). */
  readonly type?: InputType;
  /** Largest manifest read (default 4 MiB for manifest files, 1 MiB inside archives). */
  readonly maxManifestBytes?: number;
  /** Called as an archive is read (for progress bars). */
  readonly onProgress?: (progress: AciProgress) => void;
  readonly signal?: AbortSignal;
  /** Passphrase of OpenPGP-encrypted images (spec: AES symmetric encryption); they are decrypted as a stream. */
  readonly passphrase?: string;
  /** Compute the image ID of an image archive (default true); `false` saves its sha512 when it is not shown. */
  readonly imageId?: boolean;
}

/** The verdict on one path, in the shape of `actool validate --format json`. */
export interface PathReport {
  readonly file: string;
  readonly type: InputType | 'unknown';
  readonly kind?: string;
  readonly valid: boolean;
  readonly issues: readonly Issue[];
  readonly imageId?: string;
  readonly compression?: string;
}

const fileIssue = (code: keyof typeof FILE_CODES, message: string): Issue => ({ code, severity: FILE_CODES[code].severity, path: '', message });

/** Reads at most `max + 1` bytes, so an oversized file is detected without reading it whole. */
async function readBounded(path: string, max: number): Promise<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    return readHead(fd, Math.min(fstatSync(fd).size, max + 1));
  } finally {
    closeSync(fd);
  }
}

/** What an input holds, from its first bytes: archive magic (any compression, tar, or a format we name) or text. */
export function sniffType(head: Uint8Array): InputType | 'unknown' {
  return inputTypeOf(detectFileType(head));
}

/** Maps a detected file type to the validate input type, as the Go actool does (text is a manifest). */
export function inputTypeOf(fileType: FileType): InputType | 'unknown' {
  switch (fileType) {
    case 'text':
      return 'manifest';
    case 'unknown':
      return 'unknown';
    default:
      // gzip, bzip2, xz, tar, and the formats validateAci names clearly (zstd, lzma, OpenPGP).
      return 'appimage';
  }
}

/** Validates one path; never throws for a bad or unreadable input (it becomes an issue). */
export async function validatePath(file: string, options: ValidatePathOptions = {}): Promise<PathReport> {
  return validateOpened(file, openValidateInput(file), options);
}

/**
 * {@link validatePath} of an input already opened by {@link openValidateInput} (or by a batch's
 * InputReader): the same report from the same bytes. Borrowed bytes are not kept past the synchronous part.
 */
export async function validateOpened(file: string, openedOrError: OpenedOrError, options: ValidatePathOptions = {}): Promise<PathReport> {
  const manifestMax = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  if ('error' in openedOrError) return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', openedOrError.error)] };
  const opened: Opened = openedOrError;
  const isDir = opened.dir;
  if (isDir && options.type !== undefined && options.type !== 'layout') {
    return { file, type: options.type, valid: false, issues: [fileIssue('FILE_WRONG_TYPE', 'is a directory (wrong --type?)')] };
  }
  if (opened.dir || options.type === 'layout') {
    if (!opened.dir) return { file, type: 'layout', valid: false, issues: [fileIssue('FILE_WRONG_TYPE', 'is not a directory (wrong --type?)')] };
    // Archive code loads only when needed, so validating a manifest starts fast.
    const { validateLayout } = await import('../aci/layout.js');
    const layout = await validateLayout(file, { ...(options.strict ? { strict: true } : {}), ...(options.osArch ? { manifest: { osArch: options.osArch } } : {}) });
    return { file, type: 'layout', kind: 'ImageManifest', valid: layout.ok, issues: layout.issues };
  }
  const bytes = opened.bytes;
  const type = options.type ?? sniffType(bytes.subarray(0, SNIFF_LENGTH));
  if (type === 'unknown') return { file, type, valid: false, issues: [fileIssue('FILE_UNKNOWN_TYPE', 'unable to detect the file type (try --type)')] };
  // A small image was read whole: validate it from memory (no second open, no stream).
  if (type === 'appimage') {
    // An image is validated asynchronously: borrowed bytes (a batch's reused buffer) are copied first.
    const whole = opened.size === bytes.length && opened.size <= SMALL_IMAGE_BYTES ? (opened.borrowed === true ? bytes.slice() : bytes) : undefined;
    return validateImagePath(file, whole, options);
  }
  let text = bytes.length > manifestMax + 1 ? bytes.subarray(0, manifestMax + 1) : bytes;
  if (text.length < opened.size && text.length <= manifestMax) {
    // A manifest larger than the first read (over 1 MiB): read it up to the limit.
    try {
      text = await readBounded(file, manifestMax);
    } catch (e) {
      return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
    }
  }
  const result = validateManifest(asciiText(text) ?? text, extend(options, { maxBytes: manifestMax }));
  const issues = result.ok ? result.warnings : result.issues;
  return result.kind === undefined ? { file, type, valid: result.ok, issues } : { file, type, kind: result.kind, valid: result.ok, issues };
}

/**
 * ASCII bytes as a string (one native check and copy), or undefined for any other bytes. The manifest
 * pipeline reads ASCII text as it reads its bytes: the same length (the size limit counts either), no BOM,
 * nothing invalid to report; the UTF-8 decoder it skips was ~2% of a batch of manifests.
 */
function asciiText(bytes: Uint8Array): string | undefined {
  return isAscii(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : undefined;
}

/** The source to validate: the file (or its bytes, when read whole), or its decrypted bytes when it is OpenPGP-encrypted. */
async function imageSource(file: string, whole: Uint8Array | undefined, passphrase: string | undefined): Promise<AciSource> {
  const head = whole ?? (await readBounded(file, SNIFF_LENGTH));
  if (detectFileType(head.subarray(0, SNIFF_LENGTH)) !== 'openpgp') return whole ?? file;
  const { maybeDecrypt } = await import('../signature/encryption.js');
  const decrypted = await maybeDecrypt(createReadStream(file, { highWaterMark: 1 << 20 }), passphrase === undefined ? { label: file } : { passphrase, label: file });
  return decrypted.source;
}

async function validateImagePath(file: string, whole: Uint8Array | undefined, options: ValidatePathOptions): Promise<PathReport> {
  const { type: _type, osArch, passphrase, ...rest } = options;
  void _type;
  try {
    const source = await imageSource(file, whole, passphrase);
    const { validateAci } = await import('../aci/validate-aci.js');
    const r = await validateAci(source, { ...rest, ...(osArch ? { manifest: { osArch } } : {}) });
    // Built by assignment, not by spreading conditional parts: cheaper per input of a batch (see scan.ts walkInMemory).
    const report: { -readonly [K in keyof PathReport]: PathReport[K] } = { file, type: 'appimage', valid: r.ok, issues: r.issues };
    if (r.manifest !== undefined) report.kind = 'ImageManifest';
    if (r.imageId !== undefined) report.imageId = r.imageId;
    if (r.compression !== undefined) report.compression = r.compression;
    return report;
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name === 'AbortError') throw e;
    // Decryption problems carry their own code (wrong passphrase, passphrase required, corrupt message).
    if (isAppcError(e)) return { file, type: 'appimage', valid: false, issues: [{ code: e.code, severity: 'error', path: '', message: e.message }] };
    return { file, type: 'appimage', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
  }
}
