/**
 * Writing an archive safely: tar bytes go through 1 MiB buffers into the compressor and a temporary file
 * next to the output, hashed on the way (the new image ID); `commit()` renames it into place, `discard()`
 * removes it. A failed write never leaves a partial .aci.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished, type Readable, type Writable } from 'node:stream';
import { AppcError, isAppcError } from '../issues/appc-error.js';
import { describeIoError } from '../node/io-error.js';
import { createCompressor, type Compressor, type CompressOptions } from './compress.js';
import { createFileSink, type FileSink } from './file-sink.js';
import { dropChunk, keepYoungGenerationSmall } from './garbage.js';
import type { Compression } from './detect.js';
import { trackTemporaryFile } from './temp-files.js';

const BUFFER_SIZE = 1 << 20;

/** Throws ACI_BAD_EXTENSION unless the name ends in `.aci` (A-LY-2, A-BD-1). */
export function checkExtension(out: string): void {
  if (!out.endsWith('.aci')) {
    const ext = /\.[^./]*$/.exec(basename(out))?.[0] ?? '';
    throw new AppcError('ACI_BAD_EXTENSION', `the output file name must end in .aci (given ${JSON.stringify(ext)})`, { file: out });
  }
}

/** Throws ACI_OUTPUT_EXISTS when `out` exists and may not be replaced (A-BD-3). */
export async function checkOutput(out: string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await exists(out))) throw new AppcError('ACI_OUTPUT_EXISTS', 'the output file exists (pass overwrite, --overwrite, to replace it)', { file: out });
}

/**
 * Takes a full buffer of tar bytes; resolves when the next may be sent (backpressure). `release` is called
 * once the sink no longer needs the buffer, so it can be filled again.
 */
export type TarSink = (chunk: Buffer, release: () => void) => Promise<void>;

/** Buffers one TarOutput fills at once: enough to keep a writer and a compressor busy while files are read. */
const POOL_SIZE = 4;

/**
 * Collects tar bytes into 1 MiB buffers and hands full ones to the hash and a sink (the compressor's input,
 * or the file itself). Files are read with synchronous calls straight into the buffer: one system call per
 * MiB and no thread-pool hop per file, which is what made small-file builds slow (30k context switches per
 * 400 MB against Go's 600). Buffers are reused once the sink releases them, instead of a fresh MiB per flush.
 */
export class TarOutput {
  /** Uncompressed bytes written so far. */
  bytes = 0;
  private buf: Buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  private fill = 0;
  private readonly hash: Hash | undefined;
  private readonly free: Buffer[] = [];
  private allocated = 1;
  private waiting: (() => void) | undefined;
  private readonly sink: TarSink;
  private readonly reuse: boolean;

  /**
   * @param input a compressor's input stream, or a sink; buffers are reused only with a sink, or with
   * `reuseBuffers` when the stream is known to be done with a chunk once its write callback fires.
   * @param failure rejects as soon as the compressor or the file writer fails (never resolves otherwise).
   * @param algorithm the hash of everything written: sha512 for an image ID, sha256 for an OCI diff ID, `none`
   * when no one asks (hashing is the largest CPU cost of an uncompressed build).
   */
  constructor(input: Writable | TarSink, failure: Promise<never>, onProgress?: (bytes: number) => void, reuseBuffers = false, algorithm: 'sha512' | 'sha256' | 'none' = 'sha512') {
    this.hash = algorithm === 'none' ? undefined : createHash(algorithm);
    this.failure = failure;
    this.onProgress = onProgress;
    this.reuse = typeof input === 'function' || reuseBuffers;
    this.sink = typeof input === 'function' ? input : streamSink(input, failure);
  }

  private readonly failure: Promise<never>;
  private readonly onProgress: ((bytes: number) => void) | undefined;

  /*
   * put, zeros and file return a promise only when a buffer fills (and is handed to the sink): the builder
   * calls them several times per entry, and an async call per piece made a promise and a microtask turn each
   * (await of undefined, as callers do, costs only the turn).
   */

  /** Appends bytes; a promise when the buffer filled and was flushed (await it), else undefined. */
  put(bytes: Uint8Array): Promise<void> | undefined {
    if (bytes.length < BUFFER_SIZE - this.fill) {
      this.buf.set(bytes, this.fill);
      this.fill += bytes.length;
      return undefined;
    }
    return this.putFlushing(bytes);
  }

  private async putFlushing(bytes: Uint8Array): Promise<void> {
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, BUFFER_SIZE - this.fill);
      this.buf.set(bytes.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      if (this.fill === BUFFER_SIZE) await this.flush();
    }
  }

  /** Appends `n` zero bytes (tar padding); a promise when the buffer filled (await it), else undefined. */
  zeros(n: number): Promise<void> | undefined {
    if (n <= 0) return undefined;
    if (n < BUFFER_SIZE - this.fill) {
      this.buf.fill(0, this.fill, this.fill + n);
      this.fill += n;
      return undefined;
    }
    if (n === BUFFER_SIZE - this.fill) {
      this.buf.fill(0, this.fill, this.fill + n);
      this.fill += n;
      return this.flush();
    }
    return this.putFlushing(new Uint8Array(n));
  }

  /**
   * Reads exactly `size` bytes of the open file `fd` straight into the buffer; a promise when the buffer
   * filled (await it), else undefined. @throws AppcError ACI_FILE_CHANGED when the file ends early (thrown, or
   * the promise rejects).
   */
  file(fd: number, size: number, name: string): Promise<void> | undefined {
    if (size >= BUFFER_SIZE - this.fill) return this.fileFlushing(fd, size, name);
    let pos = 0;
    while (pos < size) {
      const bytesRead = readSync(fd, this.buf, this.fill, size - pos, pos);
      if (bytesRead === 0) throw fileShrank(name, pos, size);
      this.fill += bytesRead;
      pos += bytesRead;
    }
    return undefined;
  }

  private async fileFlushing(fd: number, size: number, name: string): Promise<void> {
    let pos = 0;
    while (pos < size) {
      const want = Math.min(size - pos, BUFFER_SIZE - this.fill);
      const bytesRead = readSync(fd, this.buf, this.fill, want, pos);
      if (bytesRead === 0) throw fileShrank(name, pos, size);
      this.fill += bytesRead;
      pos += bytesRead;
      if (this.fill === BUFFER_SIZE) await this.flush();
    }
  }

  /** Hands what is buffered to the sink. */
  async flush(): Promise<void> {
    if (this.fill === 0) return;
    const full = this.buf;
    const chunk = full.subarray(0, this.fill);
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    this.buf = await this.nextBuffer();
    this.fill = 0;
    const release = this.reuse
      ? (): void => {
          this.free.push(full);
          const wake = this.waiting;
          this.waiting = undefined;
          wake?.();
        }
      : (): void => {};
    await this.sink(chunk, release);
  }

  private async nextBuffer(): Promise<Buffer> {
    // Without reuse the sink may keep the old buffer as long as it likes: always a fresh one.
    if (!this.reuse) return Buffer.allocUnsafe(BUFFER_SIZE);
    while (this.free.length === 0 && this.allocated >= POOL_SIZE) {
      await Promise.race([new Promise<void>((resolve) => (this.waiting = resolve)), this.failure]);
    }
    const b = this.free.pop();
    if (b) return b;
    this.allocated++;
    return Buffer.allocUnsafe(BUFFER_SIZE);
  }

  /** `sha512-<hex>` of everything written (the image ID; for an output made with the sha512 algorithm). */
  digest(): string {
    return 'sha512-' + this.hexDigest();
  }

  /** The hex digest of everything written, in the output's algorithm. @throws Error when made with `none`. */
  hexDigest(): string {
    if (this.hash === undefined) throw new Error('this TarOutput computes no hash');
    return this.hash.digest('hex');
  }
}

function fileShrank(name: string, read: number, size: number): AppcError {
  return new AppcError('ACI_FILE_CHANGED', `${name} shrank while it was archived (read ${read} of ${size} bytes)`, { entry: name });
}

/** A sink writing into a stream (a compressor's input); the chunk is released when its write completes. */
function streamSink(input: Writable, failure: Promise<never>): TarSink {
  return async (chunk, release) => {
    // A dead compressor never emits 'drain': wait for its failure instead of hanging.
    if (input.destroyed) await Promise.race([failure, Promise.reject(new Error('the compressor stopped unexpectedly'))]);
    // Not events.once: it rejects with the stream's raw error, which `failure` reports with the file name.
    if (!input.write(chunk, () => release())) await Promise.race([new Promise((resolve) => input.once('drain', resolve)), failure]);
  };
}

/** An archive being written to a temporary file. */
export interface ArchiveOutput {
  readonly tar: TarOutput;
  /**
   * Completes the temporary file (flush, end of compression, a sync with `sync`) without moving it into place,
   * and returns the image ID (the diff ID with `diffId`, undefined when `imageId: false`); for writers that
   * commit several files together.
   * Done at most once: {@link commit} skips it when it ran.
   */
  finish(): Promise<string | undefined>;
  /** Finishes (unless {@link finish} ran), moves the file into place and returns what {@link finish} returns. */
  commit(): Promise<string | undefined>;
  /** Removes the temporary file unless committed (call it in `finally`). */
  discard(): Promise<void>;
}

/** Whether a written archive is flushed to disk before it is moved into place. */
export interface SyncOption {
  /**
   * fdatasync the archive before it takes its name, so that a system crash or a power cut cannot leave a
   * renamed image that is empty or cut short (ext4's delayed allocation can). Default false, as GNU tar,
   * gzip (`--synchronous`) and the Go actool: the kernel writes the file back in its own time. A failed or
   * interrupted build leaves no partial file either way (the temporary file is removed).
   */
  readonly sync?: boolean;
}

/** How {@link openArchiveOutput} writes. */
export interface ArchiveOutputOptions extends CompressOptions, SyncOption {
  readonly compression: Compression;
  readonly overwrite?: boolean;
  readonly onProgress?: (bytes: number) => void;
  /** Compute the image ID (default true); without it `commit()` resolves to undefined. */
  readonly imageId?: boolean;
  /**
   * Hash the tar with sha256 instead, for an OCI layer: `finish()` and `commit()` resolve to its diff ID,
   * `sha256:<hex>` (with `imageId: false` too: the diff ID is then the only hash).
   */
  readonly diffId?: boolean;
  /** Sees every chunk of the file's bytes (compressed, if compressed) before it is written, in order: a blob's digest and size. */
  readonly onOutput?: (chunk: Buffer) => void;
}

/** The hash of the tar an output computes. */
function tarHash(options: ArchiveOutputOptions): 'sha512' | 'sha256' | 'none' {
  return options.diffId === true ? 'sha256' : options.imageId === false ? 'none' : 'sha512';
}

/** Opens a temporary file next to `out` and a compressor writing into it. */
export async function openArchiveOutput(out: string, options: ArchiveOutputOptions): Promise<ArchiveOutput> {
  // Writing is a long run of short-lived objects too (per entry, per member): a program that bounded its
  // garbage keeps V8's young generation small (garbage.ts; a no-op otherwise). Measured on the 256 MB bench
  // layout with gzip: new space 4 -> 2 MB, peak RSS -2 to -3 MB, same CPU time.
  keepYoungGenerationSmall();
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Tracked before it exists, so a signal arriving from now on finds it.
  const untrack = trackTemporaryFile(tmp, out);
  let opened: ArchiveOutput;
  try {
    opened = options.compression === 'none' ? await openPlain(tmp, out, options, untrack) : await openCompressed(tmp, out, options, untrack);
  } catch (e) {
    untrack();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  return opened;
}

/** An uncompressed archive: tar buffers go straight to the file, no stream in between. */
async function openPlain(tmp: string, out: string, options: ArchiveOutputOptions, untrack: () => void): Promise<ArchiveOutput> {
  const fh = await open(tmp, 'wx', 0o644);
  let reject: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, r) => (reject = (e) => r(asWriteFailure(out, e))));
  failure.catch(() => {});
  // With an image ID to compute, the writes overlap the hashing on the thread pool; without, they are
  // synchronous (see file-sink.ts).
  const hash = tarHash(options);
  const file = createFileSink(fh.fd, reject, { background: hash !== 'none', sync: options.sync === true });
  const onOutput = options.onOutput;
  const sink: TarSink = onOutput
    ? (chunk, release) => {
        onOutput(chunk);
        return file.sink(chunk, release);
      }
    : file.sink;
  const tar = new TarOutput(sink, failure, options.onProgress, true, hash);
  return temporaryArchive(tar, tmp, out, options, untrack, {
    async finish() {
      // A failed write is reported as the failure (ACI_WRITE_FAILED naming the output), never as done.
      await file.finished().catch(() => failure);
      if (options.sync === true) await fh.datasync();
      await fh.close();
    },
    async stop() {
      await file.finished().catch(() => {});
      await fh.close().catch(() => {});
    },
  });
}

/**
 * A compressed archive: tar buffers go through the compressor, whose output chunks are written into the file
 * by a {@link createFileSink} on the thread pool, each freed once written when its producer marked it as the
 * only view of its memory (gzip members, pipe reads: garbage.ts dropChunk), instead of piling up as garbage.
 * With `sync`, the file is synced along the way and before it takes its name, as the plain output is.
 */
async function openCompressed(tmp: string, out: string, options: ArchiveOutputOptions, untrack: () => void): Promise<ArchiveOutput> {
  const fh = await open(tmp, 'wx', 0o644);
  let compressor: Compressor;
  try {
    // bzip2 spools its segments next to the output: the same file system as the staged file, writable.
    compressor = createCompressor(options.compression, options, dirname(tmp));
  } catch (e) {
    await fh.close();
    throw e;
  }
  // A failed file write stops the compressor's output with the write's error, as pipeline() did: `written`
  // rejects with it, and writeFailure reports it naming the output.
  const file = createFileSink(fh.fd, (e) => compressor.output.destroy(e instanceof Error ? e : new Error(String(e))), { background: true, sync: options.sync === true });
  const written = writeChunks(compressor.output, file, options.onOutput);
  const failure = writeFailure(out, compressor, written);
  // Buffers are reused only when the compressor is done with a chunk once its write callback fires.
  // A compressor that takes whole buffers without copying them gets them through its sink; a dead one never
  // returns from it, so the writer waits on the failure too.
  const sink = compressor.sink;
  const input: Writable | TarSink = sink ? (chunk, release) => Promise.race([sink(chunk, release), failure]) : compressor.input;
  const tar = new TarOutput(input, failure, options.onProgress, compressor.releasesChunks, tarHash(options));
  return temporaryArchive(tar, tmp, out, options, untrack, {
    async finish() {
      compressor.input.end();
      await Promise.race([Promise.all([written, compressor.done]), failure]);
      if (options.sync === true) await fh.datasync();
      await fh.close();
    },
    async stop() {
      compressor.input.destroy();
      compressor.output.destroy();
      await written.catch(() => {});
      // Never close the descriptor (whose number could be reused) under a write still running.
      await file.finished().catch(() => {});
      await fh.close().catch(() => {});
    },
  });
}

/**
 * Writes every chunk of `output` into the file sink, in order, freeing each once written (dropChunk: at once
 * when its producer marked it as the only view of its memory, else counted as garbage); resolves when all are
 * written, rejects when reading or writing fails. Chunks are taken one at a time, as 'data' events (the
 * stream paused meanwhile): an async iterator would read whatever is queued as one concatenated copy.
 *
 * @internal exported for tests.
 */
export function writeChunks(output: Readable, file: FileSink, onOutput?: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let writing: Promise<void> = Promise.resolve();
    output.on('data', (chunk: Buffer) => {
      output.pause();
      onOutput?.(chunk);
      writing = file
        .sink(chunk, () => dropChunk(chunk))
        .then(() => {
          output.resume();
        });
    });
    finished(output, (err) => {
      if (err) reject(err);
      else writing.then(() => file.finished()).then(resolve, reject);
    });
  });
}

/** How one kind of output ends: `finish` leaves the complete file written (and synced on disk with `sync`), `stop` abandons the writers. */
interface OutputEnding {
  finish(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The finish, commit and discard steps every output shares around its own ending: flush, finish, move into
 * place and return the image ID; or stop the writers (unless finished), remove the temporary file. Each
 * happens at most once.
 */
function temporaryArchive(tar: TarOutput, tmp: string, out: string, options: ArchiveOutputOptions, untrack: () => void, ending: OutputEnding): ArchiveOutput {
  let state: 'open' | 'finished' | 'committed' | 'discarded' = 'open';
  // A hash gives its digest once: taken when the file is complete, returned by finish and commit alike.
  let imageId: string | undefined;
  const finish = async (): Promise<string | undefined> => {
    if (state !== 'open') throw new Error(`archive output ${state}: it cannot be finished again`);
    await tar.flush();
    await ending.finish();
    const hash = tarHash(options);
    imageId = hash === 'sha256' ? 'sha256:' + tar.hexDigest() : hash === 'sha512' ? tar.digest() : undefined;
    state = 'finished';
    return imageId;
  };
  return {
    tar,
    finish,
    async commit() {
      if (state === 'open') await finish();
      if (state !== 'finished') throw new Error(`archive output ${state}: it cannot be committed`);
      await commitFile(tmp, out, options.overwrite === true);
      state = 'committed';
      untrack();
      return imageId;
    },
    async discard() {
      if (state === 'committed' || state === 'discarded') return;
      // A finished output's writers are done and its descriptor closed: only the file is left to remove.
      if (state === 'open') await ending.stop();
      state = 'discarded';
      await unlink(tmp).catch(() => {});
      untrack();
    },
  };
}

/**
 * A promise that rejects as soon as writing `out` fails, never resolving otherwise: the file writer or the
 * compressor failed, or the compressor's output closed before its end (a silent stop would otherwise leave
 * the writer waiting forever). Errors are reported as ACI_WRITE_FAILED naming `out`.
 */
export function writeFailure(out: string, compressor: Compressor, written: Promise<void>): Promise<never> {
  const failure = new Promise<never>((_, reject) => {
    const fail = (e: unknown): void => reject(asWriteFailure(out, e));
    written.catch(fail);
    compressor.done.catch(fail);
    compressor.output.once('close', () => {
      if (compressor.output.readableEnded) return;
      // A failing file writer closes the output too: give its own error the first word.
      setImmediate(() => fail(compressor.output.errored ?? new Error('the compressor stopped before the end of its output')));
    });
  });
  failure.catch(() => {});
  return failure;
}

function asWriteFailure(out: string, e: unknown): AppcError {
  if (isAppcError(e)) return e.file !== undefined ? e : new AppcError(e.code, e.message, { file: out, cause: e });
  const reason = e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' ? describeIoError(e) : e instanceof Error ? e.message : String(e);
  return new AppcError('ACI_WRITE_FAILED', `writing the archive failed: ${reason}; nothing was written`, { file: out, cause: e });
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
export async function commitFile(tmp: string, out: string, overwrite: boolean): Promise<void> {
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
