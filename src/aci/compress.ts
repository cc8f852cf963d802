/**
 * Compressing writers for archives: gzip (node:zlib), xz (the `xz` program, else lzma-native), bzip2 (the
 * `bzip2` program, several at once on segments), or none.
 */
import { createRequire } from 'node:module';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { constants as zc, createGzip, gzip } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { createProgramCompressor, findCompressor } from './compress-child.js';
import { createSegmentedCompressor } from './compress-segments.js';
import type { Compression } from './detect.js';
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
   * at once as there are cores (as pbzip2 does; concatenated streams). `false` uses one zlib stream or one
   * `bzip2` process (default true).
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
}

/**
 * Creates a compressor. gzip output carries no timestamp or file name (node:zlib writes MTIME 0), so equal
 * input gives equal bytes. xz runs the system `xz -T0` (multi-threaded; since xz 5.4 its output does not
 * depend on the thread count), else lzma-native's multi-threaded encoder (an optional dependency; measured
 * 1.4x the CPU time and twice the memory of the system's xz 5.4, see docs/design.md).
 * bzip2 needs the `bzip2` program (no maintained streaming encoder is installed): one process per
 * BZIP2_SEGMENT bytes, as many at once as there are cores.
 */
export function createCompressor(compression: Compression, options: CompressOptions = {}): Compressor {
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
      return createSegmentedCompressor(() => createProgramCompressor('bzip2', ['-c', '-9'], bzip2), BZIP2_SEGMENT, availableParallelism());
    }
  }
}

/**
 * Bytes of tar per bzip2 process: five blocks of `bzip2 -9` (900 kB each), so a segment rarely ends with a
 * nearly empty block; large enough that a process start (2-20 ms of the main thread, which is mostly idle
 * meanwhile) is noise, small enough that the segments held in memory stay a few MB.
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

/** One block as a sized gzip member: zlib's gzip on the thread pool (deflate and CRC-32), its 10-byte header replaced by ours. */
function gzipMember(block: Buffer, level: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    gzip(block, { level, chunkSize: 128 * 1024 }, (err, out) => {
      if (err) return reject(err);
      // zlib writes the bare 10-byte header (FLG 0); the body and trailer follow it unchanged.
      if (out[3] !== 0) return reject(new Error('unexpected gzip header from zlib'));
      const rest = out.subarray(10);
      resolve([sizedMemberHeader(MEMBER_HEADER_BYTES + rest.length), rest]);
    });
  });
}

/** Sized gzip members compressed side by side (see CompressOptions.parallel and gzip-members.ts). */
function createParallelGzip(level: number): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  const inFlight: Promise<Buffer[]>[] = [];
  // One block per core; the pool's other threads stay free for the file reads that feed us.
  const maxInFlight = Math.max(1, Math.min(availableParallelism(), 3));
  let block: Buffer = Buffer.allocUnsafe(GZIP_BLOCK);
  let fill = 0;
  let members = 0;
  // Blocks whose member is written, for reuse: no fresh 1 MiB buffer (garbage) per block.
  const free: Buffer[] = [];

  const emit = async (data: Buffer): Promise<void> => {
    if (!output.write(data)) await new Promise<void>((resolve) => output.once('drain', resolve));
  };
  const submit = (): void => {
    const full = block;
    inFlight.push(
      gzipMember(full.subarray(0, fill), level).then((parts) => {
        free.push(full);
        return parts;
      }),
    );
    members++;
    block = free.pop() ?? Buffer.allocUnsafe(GZIP_BLOCK);
    fill = 0;
  };
  const drainOne = async (): Promise<void> => {
    const next = inFlight.shift();
    if (next) for (const part of await next) await emit(part);
  };
  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      void (async () => {
        let o = 0;
        while (o < chunk.length) {
          const n = Math.min(chunk.length - o, GZIP_BLOCK - fill);
          chunk.copy(block, fill, o, o + n);
          fill += n;
          o += n;
          if (fill === GZIP_BLOCK) {
            submit();
            while (inFlight.length >= maxInFlight) await drainOne();
          }
        }
      })().then(
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
  return { input, output, done: Promise.resolve(), releasesChunks: true };
}
