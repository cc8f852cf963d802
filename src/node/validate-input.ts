/**
 * Validates one input of `actool validate` with every kind wired in: a directory is an image layout,
 * compression or tar magic an image archive (zstd, lzma and OpenPGP are recognised and reported),
 * anything else goes to validatePath (manifests, undetectable files). Type detection follows Go (A-CD).
 */
import { open, stat } from 'node:fs/promises';
import type { Issue } from '../issues/issue.js';
import type { AciLimits, AciProgress } from '../aci/scan.js';
import { detectFileType, type FileType } from '../aci/detect.js';
import { validateAci } from '../aci/validate-aci.js';
import { validateLayout } from '../aci/layout.js';
import { aciIssue } from '../aci/layout-rules.js';
import { FILE_CODES } from './codes.js';
import type { PathReport, ValidatePathOptions } from './validate-path.js';
import { describeIoError, validatePath } from './validate-path.js';

/** Options of validateInput and validateMany (plain data, so they can cross to worker threads). */
export interface ValidateInputOptions extends ValidatePathOptions, AciLimits {}

const ARCHIVE_TYPES: ReadonlySet<FileType> = new Set(['gzip', 'bzip2', 'xz', 'tar', 'zstd', 'lzma', 'openpgp']);

function fileIssue(code: keyof typeof FILE_CODES, message: string): Issue {
  return { code, severity: FILE_CODES[code].severity, path: '', message };
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = new Uint8Array(512);
    let n = 0;
    while (n < 512) {
      const { bytesRead } = await fh.read(buf, n, 512 - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/**
 * Validates one path and returns the report `actool validate` prints. Never throws: unreadable paths
 * become FILE_UNREADABLE issues. `onProgress` reports bytes read from image archives.
 */
export async function validateInput(file: string, options: ValidateInputOptions = {}, onProgress?: (p: AciProgress & { readonly size: number }) => void): Promise<PathReport> {
  const strict = options.strict === true ? { strict: true } : {};
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
  }
  try {
    if (st.isDirectory()) {
      if (options.type !== undefined && options.type !== 'layout') return await validatePath(file, options);
      const r = await validateLayout(file, { ...strict, ...(options.maxManifestBytes !== undefined ? { maxManifestBytes: options.maxManifestBytes } : {}), ...(options.osArch ? { manifest: { osArch: options.osArch } } : {}) });
      return { file, type: 'layout', valid: r.ok, issues: r.issues };
    }
    if (options.type === 'layout') {
      return { file, type: 'layout', valid: false, issues: [aciIssue('ACI_LAYOUT_NOT_DIR', 'an image layout must be a directory (wrong --type?)')] };
    }
    let isImage = options.type === 'appimage';
    if (options.type === undefined) isImage = ARCHIVE_TYPES.has(detectFileType(await readHead(file)));
    if (!isImage) return await validatePath(file, options);
    const size = st.size;
    const r = await validateAci(file, {
      ...strict,
      ...limitsOf(options),
      ...(options.osArch ? { manifest: { osArch: options.osArch } } : {}),
      ...(onProgress ? { onProgress: (p: AciProgress) => onProgress({ ...p, size }) } : {}),
    });
    const report: PathReport = { file, type: 'appimage', valid: r.ok, issues: r.issues };
    return {
      ...report,
      ...(r.imageId !== undefined ? { imageId: r.imageId } : {}),
      ...(r.compression !== undefined ? { compression: r.compression } : {}),
    };
  } catch (e) {
    return { file, type: 'unknown', valid: false, issues: [fileIssue('FILE_UNREADABLE', describeIoError(e))] };
  }
}

function limitsOf(o: AciLimits): AciLimits {
  const out: { -readonly [K in keyof AciLimits]: AciLimits[K] } = {};
  for (const k of ['maxManifestBytes', 'maxEntries', 'maxTotalBytes', 'maxPaxBytes', 'maxPathBytes'] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
