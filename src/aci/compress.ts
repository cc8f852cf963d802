/** Compressing writers for archives: gzip (node:zlib), xz (lzma-native), bzip2 (the system `bzip2`), or none. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { constants as zc, createGzip } from 'node:zlib';
import { AppcError } from '../issues/appc-error.js';
import type { Compression } from './detect.js';

const require = createRequire(import.meta.url);

/** Options of the compressors. */
export interface CompressOptions {
  /** gzip level 0-9 (default 6, like Go's DefaultCompression). */
  readonly gzipLevel?: number;
  /** xz preset 0-9 (default 6). */
  readonly xzPreset?: number;
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
 * thread count. bzip2 needs the `bzip2` program (no maintained streaming encoder is installed).
 */
export function createCompressor(compression: Compression, options: CompressOptions = {}): Compressor {
  switch (compression) {
    case 'none': {
      const p = new PassThrough({ highWaterMark: 1 << 20 });
      return { input: p, output: p, done: Promise.resolve() };
    }
    case 'gzip': {
      const g = createGzip({ level: options.gzipLevel ?? zc.Z_DEFAULT_COMPRESSION, chunkSize: 128 * 1024 });
      return { input: g, output: g, done: Promise.resolve() };
    }
    case 'xz': {
      const lzma = require('lzma-native') as { createCompressor(o: { preset: number; threads: number; check?: number }): NodeJS.ReadWriteStream };
      const x = lzma.createCompressor({ preset: options.xzPreset ?? 6, threads: 0 }) as unknown as PassThrough;
      return { input: x, output: x, done: Promise.resolve() };
    }
    case 'bzip2': {
      const child = spawn('bzip2', ['-c', '-9'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 1000)));
      const done = new Promise<void>((resolve, reject) => {
        child.on('error', (e: NodeJS.ErrnoException) => {
          const err =
            e.code === 'ENOENT'
              ? new AppcError('ACI_COMPRESSOR_MISSING', 'writing bzip2 needs the "bzip2" program, which was not found on PATH; install it or use --compression=gzip or xz', { cause: e })
              : e;
          // Fail the streams too, so whoever writes or reads them stops instead of waiting forever.
          child.stdin.destroy(err);
          child.stdout.destroy(err);
          reject(err);
        });
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bzip2 exited with code ${code}: ${stderr.trim()}`))));
      });
      // Errors surface through `done`; keep stream errors from being unhandled meanwhile.
      child.stdin.on('error', () => {});
      done.catch(() => {});
      return { input: child.stdin, output: child.stdout, done };
    }
  }
}
