/**
 * Compressing through a system program (`xz -c`, `bzip2 -c`) in a child process: the tar goes into its
 * stdin and the compressed bytes come out of its stdout, both pipes (or, for bzip2's segments, both spool
 * files: compressFile). The child never outlives the write: an abandoned or
 * failed write (the output destroyed before its end) kills it, and a child that dies or exits non-zero
 * rejects `done`, which the archive writer reports as ACI_WRITE_FAILED.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AppcError } from '../issues/appc-error.js';
import type { Compressor } from './compress.js';
import { findProgram } from './find-program.js';
import { markSoleView } from './garbage.js';

/** Programs the writers run. */
export type CompressProgram = 'bzip2' | 'xz';

/**
 * The path of the system `xz` or `bzip2` to compress with, or undefined. `APPC_COMPRESSOR=builtin` makes
 * xz writing use lzma-native (when installed) instead; bzip2 has no built-in encoder, so it is unaffected.
 */
export function findCompressor(program: CompressProgram): string | undefined {
  if (program === 'xz' && process.env['APPC_COMPRESSOR'] === 'builtin') return undefined;
  return findProgram(program);
}

/** A compressing program's run between two files: `done` settles when it exits; `stop()` kills it. */
export interface FileRun {
  readonly done: Promise<void>;
  stop(): void;
}

/**
 * A compressor that pipes through `command` (by default `program` looked up on PATH). A missing program is
 * ACI_COMPRESSOR_MISSING with what to install or choose instead.
 *
 * @internal exported for tests, which run it with a program that does not exist.
 */
export function createProgramCompressor(program: string, args: readonly string[], command: string = program): Compressor {
  const { child, done } = runProgram(program, args, command, 'pipe', 'pipe');
  const input = child.stdin!;
  const output = child.stdout!;
  // An output destroyed before its end (a discarded or failed write): stop the child instead of letting it
  // compress the rest for nobody.
  output.once('close', () => {
    if (!output.readableEnded) stop(child);
  });
  // Each pipe read comes in memory of its own (node reads into a fresh buffer and trims it to the bytes read),
  // which nothing else views: marked before anyone sees it, so the archive writer frees it once written.
  const push = output.push;
  output.push = function (this: Readable, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk instanceof Uint8Array && chunk.byteOffset === 0 && chunk.length === chunk.buffer.byteLength) markSoleView(chunk);
    return push.call(this, chunk, encoding);
  };
  // Errors surface through `done`; keep stream errors (EPIPE from a child that died) from being unhandled.
  input.on('error', () => {});
  return { input, output, done, releasesChunks: true };
}

/**
 * Runs `command` (by default `program` looked up on PATH) from the file open as `stdin` into the file open
 * as `stdout` (descriptors shared with the child, which reads and writes them from their offsets; the caller
 * may close its own once this returns). Fails as {@link createProgramCompressor} does.
 */
export function compressFile(program: string, args: readonly string[], stdin: number, stdout: number, command: string = program): FileRun {
  const { child, done } = runProgram(program, args, command, stdin, stdout);
  return { done, stop: () => stop(child) };
}

/** Kills the child unless it has ended. */
function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill();
}

/** Starts the child; stderr is kept (4 KiB) for the message of a failure. */
function runProgram(program: string, args: readonly string[], command: string, stdin: 'pipe' | number, stdout: 'pipe' | number): { readonly child: ChildProcess; readonly done: Promise<void> } {
  const child = spawn(command, args, { stdio: [stdin, stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      const err =
        e.code === 'ENOENT'
          ? new AppcError('ACI_COMPRESSOR_MISSING', `writing ${program} needs the "${program}" program, which was not found on PATH; install it or use --compression=gzip`, { cause: e })
          : e;
      // Fail the streams too, so whoever writes or reads them stops instead of waiting forever.
      child.stdin?.destroy(err);
      child.stdout?.destroy(err);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
  done.catch(() => {});
  return { child, done };
}
