/**
 * Builds an ACI from an image layout directory (actool build; checklist A-AW-1..3, A-TH-1..4, A-BD-1..5).
 * Streams: files are read straight into the output buffer, never whole into memory. The result goes to a
 * temporary file that is renamed into place, so a failed build never leaves a partial .aci.
 */
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { stringifyManifest } from '../schema/manifest.js';
import { type ArchiveOutput, checkExtension, checkOutput, openArchiveOutput, type SyncOption, type TarOutput } from './archive-output.js';
import type { CompressOptions } from './compress.js';
import type { Compression } from './detect.js';
import { checkLayoutDir, LayoutValidation } from './layout.js';
import { MANIFEST_NAME } from './layout-rules.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput, type WritableEntryType } from './tar/write-tar.js';
import { type LayoutFile, walkLayoutSync } from './walk-layout.js';

/** Options of {@link buildAci}. */
export interface BuildAciOptions extends CompressOptions, SyncOption {
  /** Replace OUT when it exists (default: fail with ACI_OUTPUT_EXISTS). */
  readonly overwrite?: boolean;
  /** Default gzip (A-BD-4). */
  readonly compression?: Compression;
  /** Record every file as owned by root:root, uid and gid 0 (A-TH-2). */
  readonly ownerRoot?: boolean;
  /**
   * Same tree, same bytes: entries sorted (always), every mtime fixed to `sourceDateEpoch`, numeric owners
   * only (no user or group names), canonical manifest (always), gzip header without a timestamp (always).
   */
  readonly reproducible?: boolean;
  /** The fixed mtime of a reproducible build, in seconds (default: SOURCE_DATE_EPOCH from the caller, else 0). */
  readonly sourceDateEpoch?: number;
  /** Promote layout warnings to errors before building. */
  readonly strict?: boolean;
  /** Called with uncompressed bytes written so far. */
  readonly onProgress?: (bytes: number) => void;
  /**
   * Compute the image ID (default true). The sha512 of every byte is the largest CPU cost of an uncompressed
   * build; with `false` it is skipped and the report has no `imageId` (actool build asks only for --debug).
   */
  readonly imageId?: boolean;
}

/** What {@link buildAci} wrote. */
export interface BuildReport {
  readonly output: string;
  /** The image ID of the written archive (sha512 of the uncompressed tar). */
  readonly imageId: string;
  readonly compression: Compression;
  /** Entries written, the manifest included. */
  readonly entryCount: number;
  /** Uncompressed tar bytes. */
  readonly bytes: number;
  /** Layout warnings (the build went ahead). */
  readonly warnings: readonly Issue[];
  /** Paths skipped (sockets, which tar cannot hold). */
  readonly skipped: readonly string[];
}

/** What {@link buildAci} wrote when called with `imageId: false`: no image ID was computed. */
export type BuildReportWithoutId = Omit<BuildReport, 'imageId'> & { readonly imageId?: undefined };

/** The layout failed validation; `issues` holds what was found. */
export class AciLayoutError extends AppcError {
  override name = 'AppcError';
  readonly issues: readonly Issue[];
  constructor(dir: string, issues: readonly Issue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    const list = errors
      .slice(0, 5)
      .map((i) => `${i.entry ? i.entry + ': ' : ''}${i.message} [${i.code}]`)
      .join('; ');
    super('ACI_LAYOUT_INVALID', `layout failed validation: ${list}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`, { file: dir });
    this.issues = issues;
  }
}

let owners: { users: Map<number, string>; groups: Map<number, string> } | undefined;

/** User and group names by id from /etc/passwd and /etc/group (what Go's tar.FileInfoHeader looks up). */
function ownerNames(): { users: Map<number, string>; groups: Map<number, string> } {
  if (owners) return owners;
  const parse = (file: string): Map<number, string> => {
    const m = new Map<number, string>();
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
      }
    } catch {
      // No such file (not Unix): numeric owners only.
    }
    return m;
  };
  owners = { users: parse('/etc/passwd'), groups: parse('/etc/group') };
  return owners;
}

/** Device major and minor numbers from st_rdev (glibc's encoding). */
export function splitDevice(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

/** The per-build settings every entry needs. */
interface EntrySettings {
  readonly options: BuildAciOptions;
  readonly reproducible: boolean;
  readonly epoch: number;
  readonly names: { users: Map<number, string>; groups: Map<number, string> } | undefined;
  /** First path of each hard-linked inode, by `dev:ino`. */
  readonly inodes: Map<string, string>;
  readonly skipped: string[];
  /** The block every header without a PAX record is encoded into (see encodeTarHeader). */
  readonly header: Uint8Array;
}

/**
 * Writes one walked path (header, then the file's bytes): true when written, false when skipped (a socket), a
 * promise of true when the output's buffer filled on the way (await it). Not an async function: most entries
 * never wait, and an async call allocated its frame and a promise per entry (~600 bytes of garbage).
 */
function writeLayoutEntry(tar: TarOutput, f: LayoutFile, s: EntrySettings): boolean | Promise<true> {
  const { options } = s;
  if (!f.utf8) throw new AppcError('ACI_UNSUPPORTED_NAME', `${JSON.stringify(f.rel)} is not valid UTF-8 and cannot be archived portably; rename it`, { entry: f.rel });
  const st = f.stats;
  let type = f.type;
  if (type === 'unknown') {
    // Sockets (and anything else tar cannot hold) are skipped, as Go does (A-TH-1).
    s.skipped.push(f.rel);
    return false;
  }
  let linkname: string | undefined;
  if (type === 'symlink') {
    const target = readlinkSync(f.abs, { encoding: 'buffer' });
    if (!isUtf8(target)) throw new AppcError('ACI_UNSUPPORTED_NAME', `the target of symlink ${JSON.stringify(f.rel)} is not valid UTF-8`, { entry: f.rel });
    linkname = target.toString('utf8');
  }
  if (type !== 'directory' && st.nlink > 1n) {
    const key = `${st.dev}:${st.ino}`;
    const first = s.inodes.get(key);
    if (first === undefined) s.inodes.set(key, f.rel);
    else {
      type = 'link';
      linkname = first;
    }
  }
  const dev = type === 'character-device' || type === 'block-device' ? splitDevice(st.rdev) : undefined;
  const ownerRoot = options.ownerRoot === true;
  const uid = ownerRoot ? 0 : Number(st.uid);
  const gid = ownerRoot ? 0 : Number(st.gid);
  const size = type === 'file' ? Number(st.size) : 0;
  const names = s.names;
  // One shape for every entry (optional fields left undefined, which the encoder reads as absent): object
  // spreads made a fresh shape and a copy per entry.
  const entry: TarEntryInput = {
    name: f.rel,
    type: type as WritableEntryType,
    mode: Number(st.mode & 0o7777n),
    uid,
    gid,
    uname: ownerRoot ? 'root' : names ? (names.users.get(uid) ?? '') : undefined,
    gname: ownerRoot ? 'root' : names ? (names.groups.get(gid) ?? '') : undefined,
    size,
    mtime: s.reproducible ? s.epoch : Number(st.mtimeNs / 1_000_000_000n),
    linkname,
    devmajor: dev?.major,
    devminor: dev?.minor,
  };
  // The header is copied into the output before put returns, so one block serves every entry.
  const header = tar.put(encodeTarHeader(entry, s.header));
  if (type !== 'file' || size === 0) return header === undefined ? true : header.then(() => true);
  return header === undefined ? writeFileData(tar, f, size) : header.then(() => writeFileData(tar, f, size));
}

/** Writes a regular file's bytes and padding; true, or a promise of true when the output's buffer filled. */
function writeFileData(tar: TarOutput, f: LayoutFile, size: number): true | Promise<true> {
  // Synchronous open/read/close: one system call each and no thread-pool hop per file (see TarOutput).
  const fd = openSync(f.abs, 'r');
  let data: Promise<void> | undefined;
  try {
    data = tar.file(fd, size, f.rel);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (data === undefined) {
    closeSync(fd);
    return writePadding(tar, size);
  }
  return data.finally(() => closeSync(fd)).then(() => writePadding(tar, size));
}

function writePadding(tar: TarOutput, size: number): true | Promise<true> {
  const pad = tar.zeros(padding(size));
  return pad === undefined ? true : pad.then(() => true);
}

/** A failure kept aside while the walk goes on (so that the layout's verdict, if it fails, is what is reported). */
interface Deferred {
  readonly error: unknown;
}

/**
 * Builds `out` (which must end in `.aci`) from the layout in `dir`: validates the layout, writes every path
 * under the layout in Go's order (rootfs first, pre-order, byte-sorted) and the manifest last, as canonical
 * JSON. Hard links are found by device and inode. Node has no xattr API, so xattrs are not recorded (the
 * writer supports them).
 *
 * The layout is walked once: each path is validated and written as it is reached, into a temporary file that
 * only a fully valid layout turns into `out`. The verdict is validateLayout's: when the layout fails, the
 * writing stops, the walk goes on to collect every issue, and AciLayoutError is thrown whatever failed on the
 * writing side; otherwise a writing failure (an unreadable file, a name that is not UTF-8) is thrown as it
 * would have been after a separate validation walk.
 * @throws AppcError ACI_BAD_EXTENSION, ACI_OUTPUT_EXISTS, ACI_LAYOUT_INVALID (AciLayoutError, with issues),
 * ACI_FILE_CHANGED, ACI_UNSUPPORTED_NAME, ACI_COMPRESSOR_MISSING; I/O errors as they are.
 * @example await buildAci('./layout', 'app.aci', { reproducible: true });
 */
export function buildAci(dir: string, out: string, options?: BuildAciOptions & { readonly imageId?: true }): Promise<BuildReport>;
export function buildAci(dir: string, out: string, options: BuildAciOptions): Promise<BuildReport | BuildReportWithoutId>;
export async function buildAci(dir: string, out: string, options: BuildAciOptions = {}): Promise<BuildReport | BuildReportWithoutId> {
  checkExtension(out);
  await checkOutput(out, options.overwrite === true);
  await checkLayoutDir(dir);
  const validation = new LayoutValidation(dir, options.strict ? { strict: true } : {});
  const compression = options.compression ?? 'gzip';
  const reproducible = options.reproducible === true;
  const settings: EntrySettings = {
    options,
    reproducible,
    epoch: options.sourceDateEpoch ?? 0,
    names: reproducible || options.ownerRoot ? undefined : ownerNames(),
    inodes: new Map(),
    skipped: [],
    header: new Uint8Array(512),
  };
  let output: ArchiveOutput | undefined;
  let deferred: Deferred | undefined;
  try {
    try {
      output = await openArchiveOutput(out, { ...options, compression, imageId: options.imageId !== false });
    } catch (error) {
      deferred = { error };
    }
    let entryCount = 0;
    for (const f of walkLayoutSync(dir)) {
      const checking = validation.add(f);
      if (checking !== undefined) await checking;
      if (output === undefined || deferred !== undefined || f.rel === MANIFEST_NAME) continue;
      if (validation.failing) {
        // Nothing written now can be kept: finish the walk for the issues only.
        await output.discard();
        output = undefined;
        continue;
      }
      try {
        const written = writeLayoutEntry(output.tar, f, settings);
        if (written === true || (written !== false && (await written))) entryCount++;
      } catch (error) {
        deferred = { error };
      }
    }
    const layout = validation.finish();
    if (!layout.ok || !layout.manifest?.ok) throw new AciLayoutError(dir, layout.issues);
    if (deferred !== undefined) throw deferred.error;
    if (output === undefined) throw new Error('unreachable: a passing layout keeps its output');
    const tar = output.tar;
    const manifestBytes = new TextEncoder().encode(stringifyManifest(layout.manifest.value));
    await tar.put(
      encodeTarHeader({
        name: MANIFEST_NAME,
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        uname: 'root',
        gname: 'root',
        size: manifestBytes.length,
        mtime: reproducible ? settings.epoch : Math.floor(Date.now() / 1000),
      }),
    );
    await tar.put(manifestBytes);
    await tar.zeros(padding(manifestBytes.length));
    await tar.put(END_OF_ARCHIVE);
    entryCount++;
    const imageId = await output.commit();
    const report = { output: out, compression, entryCount, bytes: tar.bytes, warnings: layout.issues, skipped: settings.skipped };
    return imageId === undefined ? report : { ...report, imageId };
  } finally {
    await output?.discard();
  }
}
