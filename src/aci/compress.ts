/** Compressing writers for archives: gzip (node:zlib), xz (lzma-native, else the `xz` program), bzip2 (the `bzip2` program), or none. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { constants as zc, createGzip, gzip } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { AppcError } from '../issues/appc-error.js';
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
   * Every gzip reader reads multi-member gzip. `false` uses one zlib stream (default true).
   */
  readonly parallel?: boolean;
}

/** A compressor: write the tar into `input`, read the compressed bytes from `output`; `done` settles when it exits. */
export interface Compressor {
  readonly input: Writable;
  readonly output: Readable;
  readonly done: Promise<void>;
}

/**
 * Creates a compressor. gzip output carries no timestamp or file name (node:zlib writes MTIME 0), so equal
 * input gives equal bytes. xz runs liblzma's multi-threaded encoder, whose output does not depend on the
 * thread count; without lzma-native (an optional dependency) the `xz` program is used. bzip2 needs the
 * `bzip2` program (no maintained streaming encoder is installed).
 */
export function createCompressor(compression: Compression, options: CompressOptions = {}): Compressor {
  switch (compression) {
    case 'none': {
      const p = new PassThrough({ highWaterMark: 1 << 20 });
      return { input: p, output: p, done: Promise.resolve() };
    }
    case 'gzip': {
      if (options.parallel === false) {
        const g = createGzip({ level: options.gzipLevel ?? zc.Z_DEFAULT_COMPRESSION, chunkSize: 128 * 1024 });
        return { input: g, output: g, done: Promise.resolve() };
      }
      return createParallelGzip(options.gzipLevel ?? 6);
    }
    case 'xz': {
      // lzma-native is an optional dependency (a native addon); without it the `xz` program does the work.
      const lzma = loadLzmaNative();
      if (lzma === undefined) return createProgramCompressor('xz', ['-c', `-${options.xzPreset ?? 6}`, '-T0']);
      const x = lzma.createCompressor({ preset: options.xzPreset ?? 6, threads: 0 }) as unknown as PassThrough;
      return { input: x, output: x, done: Promise.resolve() };
    }
    case 'bzip2':
      return createProgramCompressor('bzip2', ['-c', '-9']);
  }
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

/**
 * A compressor that pipes through a program (`bzip2 -c`, `xz -c`). A missing program is
 * ACI_COMPRESSOR_MISSING with what to install or choose instead.
 *
 * @internal exported for tests, which run it with a program that does not exist.
 */
export function createProgramCompressor(program: string, args: readonly string[]): Compressor {
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 1000)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      const err =
        e.code === 'ENOENT'
          ? new AppcError('ACI_COMPRESSOR_MISSING', `writing ${program} needs the "${program}" program, which was not found on PATH; install it or use --compression=gzip`, { cause: e })
          : e;
      // Fail the streams too, so whoever writes or reads them stops instead of waiting forever.
      child.stdin.destroy(err);
      child.stdout.destroy(err);
      reject(err);
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} exited with code ${code}: ${stderr.trim()}`))));
  });
  // Errors surface through `done`; keep stream errors from being unhandled meanwhile.
  child.stdin.on('error', () => {});
  done.catch(() => {});
  return { input: child.stdin, output: child.stdout, done };
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
  return { input, output, done: Promise.resolve() };
}
