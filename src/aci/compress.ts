/**
 * Compressing writers for archives: gzip (node:zlib), xz (the `xz` program, else lzma-native), bzip2 (the
 * `bzip2` program, several at once on segments), or none.
 */
import { createRequire } from 'node:module';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { constants as zc, createGzip } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { compressFile, createProgramCompressor, findCompressor } from './compress-child.js';
import { createSegmentedCompressor } from './compress-segments.js';
import type { TarSink } from './archive-output.js';
import type { Compression } from './detect.js';
import { markSoleView } from './garbage.js';
import { MEMBER_HEADER_BYTES, sizedMemberHeader } from './gzip-members.js';

const require = createRequire(import.meta.url);

/** Options of the compressors. */
export interface CompressOptions {
  /** gzip level 0-9 (default 6, like Go's DefaultCompression). */
  readonly gzipLevel?: number;
  /** xz preset 0-9 (default 6). */
  readonly xzPreset?: number;
  /**
   * gzip in 1 MiB blocks compressed side by side on the thread pool, each its own gzip member carrying its
   * compressed length (gzip-members.ts), so readers of this library can inflate them side by side too: about
   * one core's speed per core, 0.2% larger than one stream, and the same bytes whatever the core count.
   * Every gzip reader reads multi-member gzip. bzip2 in 4.5 MB segments, one `bzip2` process each, as many
   * at once as there are cores (as pbzip2 does; concatenated streams), each segment passed through unlinked
   * temporary files next to the output. `false` uses one zlib stream or one `bzip2` process (default true).
   */
  readonly parallel?: boolean;
}

/** A compressor: write the tar into `input`, read the compressed bytes from `output`; `done` settles when it exits. */
export interface Compressor {
  readonly input: Writable;
  readonly output: Readable;
  readonly done: Promise<void>;
  /**
   * True when the input is done with a chunk once its write callback fires (zlib and pipes copy it), so
   * the writer may fill that buffer again; false when the compressor may keep a reference to it.
   */
  readonly releasesChunks: boolean;
  /**
   * Another way in than `input`, taking whole buffers without copying them when it can: the compressor
   * keeps the buffer until it calls `release` (then the writer may fill it again) and resolves when the next
   * may be sent. Chunks go in the same order as through `input` would; use one or the other, and end with
   * `input.end()`. Only the parallel gzip writer has one.
   */
  readonly sink?: TarSink;
}

/**
 * Creates a compressor. gzip output carries no timestamp or file name (node:zlib writes MTIME 0), so equal
 * input gives equal bytes. xz runs the system `xz -T0` (multi-threaded; since xz 5.4 its output does not
 * depend on the thread count), else lzma-native's multi-threaded encoder (an optional dependency; measured
 * 1.4x the CPU time and twice the memory of the system's xz 5.4, see docs/design.md).
 * bzip2 needs the `bzip2` program (no maintained streaming encoder is installed): one process per
 * BZIP2_SEGMENT bytes, as many at once as there are cores, each segment spooled into an unlinked temporary
 * file in `spoolDirectory` (default: the system's temporary directory; the archive writer passes the
 * output's directory), at most cores + 1 segments at once.
 */
export function createCompressor(compression: Compression, options: CompressOptions = {}, spoolDirectory?: string): Compressor {
  switch (compression) {
    case 'none': {
      const p = new PassThrough({ highWaterMark: 1 << 20 });
      return { input: p, output: p, done: Promise.resolve(), releasesChunks: false };
    }
    case 'gzip': {
      if (options.parallel === false) {
        const g = createGzip({ level: options.gzipLevel ?? zc.Z_DEFAULT_COMPRESSION, chunkSize: 128 * 1024 });
        return { input: g, output: g, done: Promise.resolve(), releasesChunks: true };
      }
      return createParallelGzip(options.gzipLevel ?? 6);
    }
    case 'xz': {
      const preset = xzPreset(options.xzPreset);
      const args = ['-c', `-${preset}`, '-T0', '--no-warn'];
      const xz = findCompressor('xz');
      if (xz !== undefined) return createProgramCompressor('xz', args, xz);
      // lzma-native is an optional dependency (a native addon); without either, ACI_COMPRESSOR_MISSING.
      const lzma = loadLzmaNative();
      if (lzma === undefined) return createProgramCompressor('xz', args);
      const x = lzma.createCompressor({ preset, threads: 0 }) as unknown as PassThrough;
      // The binding's bookkeeping of written chunks is not documented: never reuse them.
      return { input: x, output: x, done: Promise.resolve(), releasesChunks: false };
    }
    case 'bzip2': {
      const bzip2 = findCompressor('bzip2');
      if (bzip2 === undefined || options.parallel === false) return createProgramCompressor('bzip2', ['-c', '-9'], bzip2);
      return createSegmentedCompressor((stdin, stdout) => compressFile('bzip2', ['-c', '-9'], stdin, stdout, bzip2), BZIP2_SEGMENT, availableParallelism(), spoolDirectory);
    }
  }
}

/**
 * Bytes of tar per bzip2 process: five blocks of `bzip2 -9` (900 kB each), so a segment rarely ends with a
 * nearly empty block; large enough that a process start (2-20 ms of the main thread, which is mostly idle
 * meanwhile) is noise, small enough that the segments spooled on disk stay a few MB (the bytes depend on it:
 * changing it changes every bzip2 archive written).
 */
export const BZIP2_SEGMENT = 4_500_000;

/** The xz preset as the program's option digit (0-9). */
function xzPreset(preset: number | undefined): number {
  const p = preset ?? 6;
  if (!Number.isInteger(p) || p < 0 || p > 9) throw new RangeError(`xzPreset must be an integer from 0 to 9 (given ${p})`);
  return p;
}

interface LzmaNative {
  createCompressor(o: { preset: number; threads: number; check?: number }): NodeJS.ReadWriteStream;
}

/** lzma-native when it is installed (it is optional), else undefined. */
function loadLzmaNative(): LzmaNative | undefined {
  try {
    return require('lzma-native') as LzmaNative;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

const GZIP_BLOCK = 1 << 20;
/**
 * zlib's output buffer size for the members. Each member gets a fresh engine, so every output buffer it fills
 * is seen by no one else once the member is done: its pieces are handed on as one view per buffer, marked as
 * the only view of that memory (garbage.ts markSoleView), and the writer frees each once written. zlib's
 * one-shot `gzip()` instead concatenated its 128 KiB pieces into a fresh copy per member, two garbage copies
 * that made the build's peak RSS grow with the archive (92 MB for the 256 MB bench layout).
 *
 * Kept under glibc's 128 KiB mmap threshold on purpose: freeing an mmapped block (a 1 MiB buffer) makes glibc
 * raise its mmap and trim thresholds for the rest of the process, after which every thread's malloc arena
 * (V8's compiler threads) kept ~2 MB of freed memory: measured 69.5 against 65.7 MB peak with 1 MiB + 64 KiB
 * output buffers, same CPU time (s13-rss in docs/design.md). A member takes a few more thread-pool turns.
 */
const MEMBER_OUTPUT_CHUNK = 64 << 10;
/**
 * Level 0 keeps the 128 KiB output buffers it always had: zlib sizes stored blocks by the output space it is
 * given, so its bytes depend on the buffer size (levels 1-9 do not; test/aci/writer-memory.test.ts pins both).
 */
const STORED_MEMBER_OUTPUT_CHUNK = 128 << 10;

/**
 * One block as a sized gzip member: zlib's gzip on the thread pool (deflate and CRC-32), its 10-byte header
 * replaced by ours. The engine is driven as zlib's one-shot `gzip(block)` drives it (`end(block)`, the same
 * writes and flushes, so the same bytes); only the output is taken differently: the header, then one view
 * per zlib output buffer, each the only view of its memory.
 */
function gzipMember(block: Buffer, level: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const engine = createGzip({ level, chunkSize: level === 0 ? STORED_MEMBER_OUTPUT_CHUNK : MEMBER_OUTPUT_CHUNK });
    // node:zlib sets its state up (~270 KB for deflate) on the thread pool at the first write, so each pool
    // thread's malloc arena kept one it could not reuse (~0.5 MB RSS each); `reset()` (documented for every
    // zlib stream, missing from @types/node's Gzip) sets it up here, in the main thread's arena, where the
    // next member reuses it. deflateInit ends with a deflateReset, so this changes no byte.
    (engine as unknown as { reset(): void }).reset();
    const parts: Buffer[] = [];
    let length = 0;
    engine.on('data', (part: Buffer) => {
      parts.push(part);
      length += part.length;
    });
    engine.once('error', reject);
    engine.once('end', () => {
      engine.close();
      const runs = runsOfParts(parts);
      const first = runs[0];
      // zlib writes the bare 10-byte header (FLG 0); the body and trailer follow it unchanged.
      if (first === undefined || first.length < 10 || first[3] !== 0) return reject(new Error('unexpected gzip header from zlib'));
      runs[0] = first.subarray(10);
      for (const run of runs) markSoleView(run);
      resolve([sizedMemberHeader(MEMBER_HEADER_BYTES + length - 10), ...runs]);
    });
    engine.end(block);
  });
}

/**
 * zlib's output pieces as runs, one view per output buffer: zlib pushes slices of its output buffer, one after
 * the other, and starts a new one only when that is full, so the pieces of one buffer follow each other in it.
 * Each run is the only view of its buffer once this engine is gone.
 */
function runsOfParts(parts: readonly Buffer[]): Buffer[] {
  const runs: Buffer[] = [];
  let run: Buffer | undefined;
  for (const part of parts) {
    if (run !== undefined && part.buffer === run.buffer && part.byteOffset === run.byteOffset + run.length) run = Buffer.from(run.buffer, run.byteOffset, run.length + part.length);
    else {
      if (run !== undefined) runs.push(run);
      run = part;
    }
  }
  if (run !== undefined) runs.push(run);
  return runs;
}

/**
 * Sized gzip members compressed side by side (see CompressOptions.parallel and gzip-members.ts). Whole 1 MiB
 * buffers handed to the {@link Compressor.sink} are deflated where they are, each released once zlib is done
 * with it; anything else (the `input` stream, a last partial buffer) is copied into blocks of our own. Either
 * way a member starts at every GZIP_BLOCK bytes of input, so the bytes are the same.
 */
function createParallelGzip(level: number): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  const inFlight: Promise<Buffer[]>[] = [];
  // One block per core; the pool's other threads stay free for the file reads that feed us.
  const maxInFlight = Math.max(1, Math.min(availableParallelism(), 3));
  /** The block being filled by copies (made on first need: a writer using the sink rarely needs one). */
  let block: Buffer | undefined;
  let fill = 0;
  let members = 0;
  // Blocks whose member is written, for reuse: no fresh 1 MiB buffer (garbage) per block.
  const free: Buffer[] = [];

  const emit = async (data: Buffer): Promise<void> => {
    if (!output.write(data)) await new Promise<void>((resolve) => output.once('drain', resolve));
  };
  /** Starts deflating `data` as the next member; `done` is called once zlib has finished with it. */
  const start = (data: Buffer, done: () => void): void => {
    inFlight.push(gzipMember(data, level).finally(done));
    members++;
  };
  const submit = (): void => {
    const full = block ?? Buffer.alloc(0);
    start(full.subarray(0, fill), () => {
      if (full.length > 0) free.push(full);
    });
    block = undefined;
    fill = 0;
  };
  const drainOne = async (): Promise<void> => {
    const next = inFlight.shift();
    if (next) for (const part of await next) await emit(part);
  };
  const throttle = async (): Promise<void> => {
    while (inFlight.length >= maxInFlight) await drainOne();
  };
  const copyIn = async (chunk: Buffer): Promise<void> => {
    let o = 0;
    while (o < chunk.length) {
      block ??= free.pop() ?? Buffer.allocUnsafe(GZIP_BLOCK);
      const n = Math.min(chunk.length - o, GZIP_BLOCK - fill);
      chunk.copy(block, fill, o, o + n);
      fill += n;
      o += n;
      if (fill === GZIP_BLOCK) {
        submit();
        await throttle();
      }
    }
  };
  const sink = async (chunk: Buffer, release: () => void): Promise<void> => {
    if (fill === 0 && chunk.length === GZIP_BLOCK) {
      start(chunk, release);
      await throttle();
      return;
    }
    try {
      await copyIn(chunk);
    } finally {
      release();
    }
  };
  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      copyIn(chunk).then(
        () => cb(),
        (e: Error) => cb(e),
      );
    },
    final(cb) {
      void (async () => {
        // The last partial block; empty input still makes one (empty) member, a valid gzip file.
        if (fill > 0 || members === 0) submit();
        while (inFlight.length > 0) await drainOne();
        output.end();
      })().then(
        () => cb(),
        (e: Error) => cb(e),
      );
    },
    destroy(err, cb) {
      // A Writable destroys itself after 'finish' (autoDestroy): by then the output holds the last blocks
      // unread when the reader is slower than us (incompressible input). Only an abort
      // (an error, or a destroy before end()) may take the output down with it.
      if (err || !output.writableEnded) output.destroy(err ?? undefined);
      cb(err);
    },
  });
  return { input, output, done: Promise.resolve(), releasesChunks: true, sink };
}
