/** Validates one path as the Go actool does: a directory is a layout, an archive magic an image, text a manifest. */
import { open, stat } from 'node:fs/promises';
import type { Issue } from '../issues/issue.js';
import { FILE_CODES } from './codes.js';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../schema/internal/document.js';
import { validateManifest } from '../schema/manifest.js';
import type { SchemaValidateOptions } from '../schema/internal/check.js';

/** What kind of input a path holds. */
export type InputType = 'manifest' | 'appimage' | 'layout';

/** Options of validatePath. */
export interface ValidatePathOptions extends SchemaValidateOptions {
  /** Force the input type instead of detecting it (`--type`). */
  readonly type?: InputType;
  /** Largest manifest file read (default 4 MiB). */
  readonly maxManifestBytes?: number;
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
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const want = Math.min(size, max + 1);
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** Detects what a file holds from its first bytes: an archive (by magic) or a text manifest. */
export function sniffType(head: Uint8Array): InputType | 'unknown' {
  const b = head;
  if (b[0] === 0x1f && b[1] === 0x8b) return 'appimage';
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'appimage';
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return 'appimage';
  if (b.length >= 263 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar') return 'appimage';
  // Text: no NUL and no control bytes other than whitespace in the first bytes (Go's content sniffing).
  for (const c of b.subarray(0, 512)) if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b)) return 'unknown';
  return 'manifest';
}

/** Validates one path; never throws for a bad or unreadable input (it becomes an issue). */
export async function validatePath(file: string, options: ValidatePathOptions = {}): Promise<PathReport> {
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (e) {
    return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
  }
  if (isDir && options.type !== undefined && options.type !== 'layout') {
    return { file, type: options.type, valid: false, issues: [fileIssue('FILE_WRONG_TYPE', 'is a directory (wrong --type?)')] };
  }
  if (isDir || options.type === 'layout') {
    return { file, type: 'layout', valid: false, issues: [fileIssue('FILE_TYPE_NOT_SUPPORTED', 'validating image layouts is not supported yet')] };
  }
  const max = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(file, max);
  } catch (e) {
    return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
  }
  const type = options.type ?? sniffType(bytes);
  if (type === 'unknown') return { file, type, valid: false, issues: [fileIssue('FILE_UNKNOWN_TYPE', 'unable to detect the file type (try --type)')] };
  if (type === 'appimage') {
    return { file, type, valid: false, issues: [fileIssue('FILE_TYPE_NOT_SUPPORTED', 'validating ACI images is not supported yet')] };
  }
  const result = validateManifest(bytes, { ...options, maxBytes: max });
  const issues = result.ok ? result.warnings : result.issues;
  return result.kind === undefined
    ? { file, type, valid: result.ok, issues }
    : { file, type, kind: result.kind, valid: result.ok, issues };
}

/** One line for an I/O error, without a stack. */
export function describeIoError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    default: return e instanceof Error ? e.message : String(e);
  }
}
