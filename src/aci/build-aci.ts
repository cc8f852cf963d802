/**
 * Builds an ACI from an image layout directory (actool build; checklist A-AW-1..3, A-TH-1..4, A-BD-1..5).
 * Streams: files are read straight into the output buffer, never whole into memory. The result goes to a
 * temporary file that is renamed into place, so a failed build never leaves a partial .aci.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readlink, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { stringifyManifest } from '../schema/manifest.js';
import { createCompressor, type CompressOptions } from './compress.js';
import type { Compression } from './detect.js';
import { entryTypeOf, validateLayout } from './layout.js';
import { MANIFEST_NAME } from './layout-rules.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput, type WritableEntryType } from './tar/write-tar.js';
import { walkLayout } from './walk-layout.js';

/** Options of {@link buildAci}. */
export interface BuildAciOptions extends CompressOptions {
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

/** The layout failed validation; `issues` holds what was found. */
export class AciLayoutError extends AppcError {
  override name = 'AppcError';
  readonly issues: readonly Issue[];
  constructor(dir: string, issues: readonly Issue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    const list = errors.slice(0, 5).map((i) => `${i.entry ? i.entry + ': ' : ''}${i.message} [${i.code}]`).join('; ');
    super('ACI_LAYOUT_INVALID', `layout failed validation: ${list}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`, { file: dir });
    this.issues = issues;
  }
}

const BUFFER_SIZE = 1 << 20;

/** Collects tar bytes into 1 MiB buffers and hands full ones to the hash and the compressor. */
class TarOutput {
  bytes = 0;
  private buf = Buffer.allocUnsafe(BUFFER_SIZE);
  private fill = 0;
  private readonly hash = createHash('sha512');

  constructor(
    private readonly input: Writable,
    /** Rejects as soon as the compressor or the file writer fails (never resolves otherwise). */
    private readonly failure: Promise<never>,
    private readonly onProgress?: (bytes: number) => void,
  ) {}

  async put(bytes: Uint8Array): Promise<void> {
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, BUFFER_SIZE - this.fill);
      this.buf.set(bytes.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      if (this.fill === BUFFER_SIZE) await this.flush();
    }
  }

  async zeros(n: number): Promise<void> {
    if (n > 0) await this.put(new Uint8Array(n));
  }

  /** Reads exactly `size` bytes of a file straight into the buffer. */
  async file(fh: FileHandle, size: number, name: string): Promise<void> {
    let pos = 0;
    while (pos < size) {
      const want = Math.min(size - pos, BUFFER_SIZE - this.fill);
      const { bytesRead } = await fh.read(this.buf, this.fill, want, pos);
      if (bytesRead === 0) throw new AppcError('ACI_FILE_CHANGED', `${name} shrank while it was archived (read ${pos} of ${size} bytes)`, { entry: name });
      this.fill += bytesRead;
      pos += bytesRead;
      if (this.fill === BUFFER_SIZE) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.fill === 0) return;
    const chunk = this.buf.subarray(0, this.fill);
    // A fresh buffer each time: the compressor keeps the old one until it has consumed it.
    this.buf = Buffer.allocUnsafe(BUFFER_SIZE);
    this.fill = 0;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    // A dead compressor never emits 'drain': wait for its failure instead of hanging.
    if (this.input.destroyed) await Promise.race([this.failure, Promise.reject(new Error('the compressor stopped unexpectedly'))]);
    if (!this.input.write(chunk)) await Promise.race([once(this.input, 'drain'), this.failure]);
  }

  digest(): string {
    return 'sha512-' + this.hash.digest('hex');
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
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Builds `out` (which must end in `.aci`) from the layout in `dir`: validates the layout first, writes
 * every path under the layout in Go's order (rootfs first, pre-order, byte-sorted) and the manifest last,
 * as canonical JSON. Hard links are found by device and inode. Node has no xattr API, so xattrs are not
 * recorded (the writer supports them).
 * @throws AppcError ACI_BAD_EXTENSION, ACI_OUTPUT_EXISTS, ACI_LAYOUT_INVALID (AciLayoutError, with issues),
 * ACI_FILE_CHANGED, ACI_UNSUPPORTED_NAME, ACI_COMPRESSOR_MISSING; I/O errors as they are.
 * @example await buildAci('./layout', 'app.aci', { reproducible: true });
 */
export async function buildAci(dir: string, out: string, options: BuildAciOptions = {}): Promise<BuildReport> {
  if (!out.endsWith('.aci') || basename(out) === '.aci') {
    const ext = /\.[^./]*$/.exec(basename(out))?.[0] ?? '';
    throw new AppcError('ACI_BAD_EXTENSION', `the output file name must end in .aci (given ${JSON.stringify(ext)})`, { file: out });
  }
  if (!options.overwrite && (await exists(out))) throw new AppcError('ACI_OUTPUT_EXISTS', 'the output file exists (pass overwrite, --overwrite, to replace it)', { file: out });
  const layout = await validateLayout(dir, options.strict ? { strict: true } : {});
  if (!layout.ok || !layout.manifest?.ok) throw new AciLayoutError(dir, layout.issues);
  const manifestBytes = new TextEncoder().encode(stringifyManifest(layout.manifest.value));
  const compression = options.compression ?? 'gzip';
  const reproducible = options.reproducible === true;
  const epoch = options.sourceDateEpoch ?? 0;
  const names = reproducible || options.ownerRoot ? undefined : ownerNames();

  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o644);
  let committed = false;
  try {
    const compressor = createCompressor(compression, options);
    const fileStream = createWriteStream('', { fd: fh.fd, autoClose: false, highWaterMark: 1 << 20 } as Parameters<typeof createWriteStream>[1]);
    const written = pipeline(compressor.output, fileStream);
    const failure = new Promise<never>((_, reject) => {
      written.catch(reject);
      compressor.done.catch(reject);
    });
    failure.catch(() => {});
    const tar = new TarOutput(compressor.input, failure, options.onProgress);
    const inodes = new Map<string, string>();
    const skipped: string[] = [];
    let entryCount = 0;
    try {
      for await (const f of walkLayout(dir)) {
        if (f.rel === MANIFEST_NAME) continue;
        if (!f.utf8) throw new AppcError('ACI_UNSUPPORTED_NAME', `${JSON.stringify(f.rel)} is not valid UTF-8 and cannot be archived portably; rename it`, { entry: f.rel });
        const st = f.stats;
        let type = entryTypeOf(st);
        if (type === 'unknown') {
          // Sockets (and anything else tar cannot hold) are skipped, as Go does (A-TH-1).
          skipped.push(f.rel);
          continue;
        }
        let linkname: string | undefined;
        if (type === 'symlink') {
          const target = (await readlink(f.abs, { encoding: 'buffer' })) as Buffer;
          if (!isUtf8(target)) throw new AppcError('ACI_UNSUPPORTED_NAME', `the target of symlink ${JSON.stringify(f.rel)} is not valid UTF-8`, { entry: f.rel });
          linkname = target.toString('utf8');
        }
        if (type !== 'directory' && st.nlink > 1n) {
          const key = `${st.dev}:${st.ino}`;
          const first = inodes.get(key);
          if (first === undefined) inodes.set(key, f.rel);
          else {
            type = 'link';
            linkname = first;
          }
        }
        const dev = type === 'character-device' || type === 'block-device' ? splitDevice(st.rdev) : undefined;
        const uid = options.ownerRoot ? 0 : Number(st.uid);
        const gid = options.ownerRoot ? 0 : Number(st.gid);
        const size = type === 'file' ? Number(st.size) : 0;
        const entry: TarEntryInput = {
          name: f.rel,
          type: type as WritableEntryType,
          mode: Number(st.mode & 0o7777n),
          uid,
          gid,
          ...(options.ownerRoot ? { uname: 'root', gname: 'root' } : names ? { uname: names.users.get(uid) ?? '', gname: names.groups.get(gid) ?? '' } : {}),
          size,
          mtime: reproducible ? epoch : Number(st.mtimeNs / 1_000_000_000n),
          ...(linkname !== undefined ? { linkname } : {}),
          ...(dev ? { devmajor: dev.major, devminor: dev.minor } : {}),
        };
        await tar.put(encodeTarHeader(entry));
        entryCount++;
        if (type === 'file' && size > 0) {
          const file = await open(f.abs, 'r');
          try {
            await tar.file(file, size, f.rel);
          } finally {
            await file.close();
          }
          await tar.zeros(padding(size));
        }
      }
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
          mtime: reproducible ? epoch : Math.floor(Date.now() / 1000),
        }),
      );
      await tar.put(manifestBytes);
      await tar.zeros(padding(manifestBytes.length));
      await tar.put(END_OF_ARCHIVE);
      entryCount++;
      await tar.flush();
      compressor.input.end();
      await Promise.race([Promise.all([written, compressor.done]), failure]);
    } catch (e) {
      compressor.input.destroy();
      compressor.output.destroy();
      throw e;
    }
    await fh.datasync();
    await fh.close();
    await commit(tmp, out, options.overwrite === true);
    committed = true;
    return { output: out, imageId: tar.digest(), compression, entryCount, bytes: tar.bytes, warnings: layout.issues, skipped };
  } finally {
    if (!committed) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves the finished temporary file into place. Without overwrite, a hard link creates the target only if
 * it does not exist (atomic even against a file created meanwhile); rename is the fallback where links fail.
 */
export async function commit(tmp: string, out: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await rename(tmp, out);
    return;
  }
  try {
    await link(tmp, out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new AppcError('ACI_OUTPUT_EXISTS', 'the output file exists (pass overwrite, --overwrite, to replace it)', { file: out });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw e;
    if (await exists(out)) throw new AppcError('ACI_OUTPUT_EXISTS', 'the output file exists (pass overwrite, --overwrite, to replace it)', { file: out });
    await rename(tmp, out);
    return;
  }
  await unlink(tmp);
}
