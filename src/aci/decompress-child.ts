/**
 * bzip2 and xz decoding through the system `bzip2 -dc` / `xz -dc` (Go's actool shells out to xz too):
 * 3-4x the speed of the JS/wasm decoders, constant memory in a separate process, and backpressure through
 * the pipe. Used when the program is on PATH; `APPC_DECOMPRESSOR=builtin` forces the built-in decoders.
 * The tools' diagnostics are turned into the wording of the built-in decoders, so one classifier
 * (classifyDecompressError) sorts both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { findProgram } from './find-program.js';
import { feedReleasing } from './feed-releasing.js';
import { markSoleView } from './garbage.js';

/** The programs this module can run. */
export type DecompressProgram = 'bzip2' | 'xz';

/** The absolute path of `program` on PATH, or undefined (also when the built-in decoders are forced). */
export function findDecompressor(program: DecompressProgram): string | undefined {
  if (process.env['APPC_DECOMPRESSOR'] === 'builtin') return undefined;
  return findProgram(program);
}

/**
 * The most memory `xz -dc` may use: enough for a 64 MiB dictionary (xz -9's, 65 MiB with the decoder's state),
 * not for the next size a stream header can name (96 MiB). The built-in decoder refuses the same dictionaries,
 * so a stream gets one verdict whichever decoder reads it.
 */
const XZ_MEMORY_LIMIT = '80MiB';

/**
 * The most memory xz 5.4's threaded decoder may use for its threads. It decodes the blocks of a multi-block file
 * (`xz -T0` writes them) on two threads, 1.3x the speed of one (validate of the 256 MB bench tar: 2.5-2.7 s
 * against 3.3 s for `xz -dc | sha512sum` and 3.7 s with one thread, idle), but holds each block's whole output
 * until the block is done. Without a limit of ours its limit is a quarter of the machine's memory: a 156 KB
 * file with one block that claims 1 GiB of zeros took 1 GiB of RSS. Over this limit it waits for a thread or
 * decodes the block on one thread, streaming (~3 MB). With 80 MiB the bench file's child peaks at ~86 MB
 * (64 MiB: 65 MB, and no faster than one thread).
 */
const XZ_THREADS_MEMORY_LIMIT = '80MiB';

/** Whether an `xz` program has the threaded decoder (5.4 and later; older ones refuse `--memlimit-mt`), probed once per path. */
const xzThreaded = new Map<string, boolean>();

/** True when `xz --version` says 5.4 or later (~2 ms, once, only before decoding an xz input of 256 KiB or more). */
function hasThreadedDecoder(xz: string): boolean {
  let threaded = xzThreaded.get(xz);
  if (threaded === undefined) {
    const r = spawnSync(xz, ['--version'], { encoding: 'utf8', timeout: 5000 });
    const m = /xz \(XZ Utils\) (\d+)\.(\d+)/.exec(r.stdout ?? '');
    threaded = m !== null && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 4));
    xzThreaded.set(xz, threaded);
  }
  return threaded;
}

/** The stdio buffer `bzip2 -dc` is given through `stdbuf` (see {@link decompressCommand}). */
const BZIP2_OUTPUT_BUFFER = '1M';

/** Whether a `stdbuf` program can run a `bzip2` program with a larger output buffer (probed once per pair). */
const stdbufWorks = new Map<string, boolean>();

/**
 * `stdbuf` on PATH when it works with this `bzip2`, else undefined. The probe runs `bzip2 --version` under it once
 * (~3 ms, only before decoding a bzip2 input of 256 KiB or more): stdbuf fails with 125 when its preload library
 * is missing, and the real run could then not be retried (the child would have taken input already).
 */
function stdbufFor(bzip2: string): string | undefined {
  const stdbuf = findProgram('stdbuf');
  if (stdbuf === undefined) return undefined;
  const key = `${stdbuf}\0${bzip2}`;
  let works = stdbufWorks.get(key);
  if (works === undefined) {
    works = spawnSync(stdbuf, [`-o${BZIP2_OUTPUT_BUFFER}`, bzip2, '--version'], { stdio: 'ignore', timeout: 5000 }).status === 0;
    stdbufWorks.set(key, works);
  }
  return works ? stdbuf : undefined;
}

/**
 * The command line that decodes with `path`. bzip2 writes its output in 5,000-byte units through stdio, so this
 * process woke up ~50,000 times for a 256 MB tar, and its reads and wake-ups (twice the system time of
 * `bzip2 -dc | sha512sum`) slowed the child down; under coreutils' `stdbuf -o1M` the same output comes in
 * ~4,000 pipe-sized reads (measured: system time 1.1 -> 0.5 s, wall 0.3-0.7 s shorter over ~9.5 s). bzip2
 * exits through `exit()`, which flushes the buffer, so a failing stream still delivers every byte it decoded.
 * xz writes with write(2) in its own buffers, which stdbuf cannot change.
 */
export function decompressCommand(program: DecompressProgram, path: string): { readonly file: string; readonly args: readonly string[] } {
  if (program === 'xz') {
    const threads = hasThreadedDecoder(path) ? ['-T2', `--memlimit-mt=${XZ_THREADS_MEMORY_LIMIT}`] : ['-T1'];
    return { file: path, args: ['-dc', ...threads, `--memlimit-decompress=${XZ_MEMORY_LIMIT}`] };
  }
  const stdbuf = stdbufFor(path);
  return stdbuf === undefined ? { file: path, args: ['-dc'] } : { file: stdbuf, args: [`-o${BZIP2_OUTPUT_BUFFER}`, path, '-dc'] };
}

/**
 * Decodes `input` with `path` (a bzip2 or xz program) in a child process. `release` hears each input chunk the
 * child's pipe has taken (the source may free it: OpenedSource.release).
 */
export function childDecompressStream(program: DecompressProgram, path: string, input: Readable, release?: (chunk: Uint8Array) => void): Readable {
  const command = decompressCommand(program, path);
  const child = spawn(command.file, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  let finished = false;
  /** Stops feeding the child (set below, once the feeding starts). */
  let unfeed = (): void => {};
  const output = new Readable({
    highWaterMark: 1 << 20,
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      // A consumer that stops early: stop feeding and end the child (its exit is then of no interest).
      if (!finished) {
        finished = true;
        unfeed();
        child.stdin.destroy();
        child.stdout.destroy();
        child.kill();
      }
      cb(err);
    },
  });
  child.stdout.on('data', (chunk: Buffer) => {
    // Each pipe read comes in memory of its own, which nothing else views: a consumer done with it may free it.
    if (chunk.byteOffset === 0 && chunk.length === chunk.buffer.byteLength) markSoleView(chunk);
    if (!output.push(chunk)) child.stdout.pause();
  });
  // The program may exit before reading everything (bad data): the pipe then closes under the writer.
  child.stdin.on('error', () => {});
  input.on('error', (e) => {
    if (!finished) output.destroy(e);
  });
  if (release) unfeed = feedReleasing(input, child.stdin, release);
  else {
    input.pipe(child.stdin);
    unfeed = () => void input.unpipe(child.stdin);
  }
  child.on('error', (e) => {
    if (!finished) output.destroy(e);
    finished = true;
  });
  // 'close' comes after the output pipe is drained, so every byte was pushed before the verdict.
  child.on('close', (code, signal) => {
    if (finished) return;
    finished = true;
    unfeed();
    const failure = describeChildFailure(program, code, signal, stderr);
    if (failure) failAfterDrain(output, failure);
    else output.push(null);
  });
  return output;
}

/** The error a tool's exit means, in the built-in decoder's words; undefined for success. */
export function describeChildFailure(program: DecompressProgram, code: number | null, signal: NodeJS.Signals | null, stderr: string): Error | undefined {
  const said =
    stderr
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  if (program === 'bzip2') {
    // bzip2 warns and exits 0 when other bytes follow the last stream; Go and the JS decoder refuse them.
    if (/trailing garbage after EOF/.test(stderr)) return new Error(`No magic number found after the last bzip2 stream (${said})`);
    if (code === 0) return undefined;
    if (/ends unexpectedly/.test(stderr)) return new Error(`input stream ended prematurely (${said})`);
    if (/not a bzip2 file/.test(stderr)) return new Error(`No magic number found (${said})`);
    return new Error(signal ? `bzip2 -dc was killed by ${signal}` : said || `bzip2 -dc exited with code ${code}`);
  }
  if (code === 0) return undefined;
  // xz-embedded's codes, which classifyDecompressError reads: 8 input ran out, 7 bad data, 5 bad header, 6 unsupported,
  // 4 the dictionary is over the memory limit.
  if (/Unexpected end of input/.test(stderr)) return new Error(`${said} (error code 8)`);
  if (/Compressed data is corrupt/.test(stderr)) return new Error(`${said} (error code 7)`);
  if (/File format not recognized/.test(stderr)) return new Error(`${said} (error code 5)`);
  if (/Unsupported/.test(stderr)) return new Error(`${said} (error code 6)`);
  if (/Memory usage limit reached/.test(stderr)) return new Error(`${said} (error code 4)`);
  return new Error(signal ? `xz -dc was killed by ${signal}` : said || `xz -dc exited with code ${code}`);
}

/**
 * Destroys `stream` with `error` once its consumer has taken every byte already pushed: a decoder failing
 * after the end of the tar (trailing data) must not take the tar's last blocks down with it.
 */
export function failAfterDrain(stream: Readable, error: Error): void {
  if (stream.destroyed) return;
  if (stream.readableLength === 0) stream.destroy(error);
  else setImmediate(() => failAfterDrain(stream, error));
}

/**
 * Reads up to `limit` bytes of `input` (or all of it, when shorter), then calls `choose` with a stream that
 * replays those bytes followed by the rest, and whether the input already ended. The returned stream is
 * the chosen decoder's output; errors of either side reach it.
 */
export function decideAfterPeek(input: Readable, limit: number, choose: (peeked: { stream: Readable; ended: boolean }) => Readable): Readable {
  const head: Buffer[] = [];
  let size = 0;
  let decoded: Readable | undefined;
  const output = new Readable({
    highWaterMark: 1 << 20,
    read() {
      decoded?.resume();
    },
    destroy(err, cb) {
      input.off('data', onData).off('end', onEnd).off('error', onError);
      decoded?.destroy();
      cb(err);
    },
  });
  const decide = (ended: boolean): void => {
    input.off('data', onData).off('end', onEnd).off('error', onError);
    input.pause();
    const replay = ended ? Readable.from(head, { objectMode: false }) : Readable.from(replayThenRest(head, input), { objectMode: false });
    decoded = choose({ stream: replay, ended });
    decoded.on('data', (chunk: Buffer) => {
      if (!output.push(chunk)) decoded!.pause();
    });
    decoded.on('end', () => output.push(null));
    decoded.on('error', (e) => failAfterDrain(output, e));
  };
  const onData = (chunk: Buffer): void => {
    head.push(chunk);
    size += chunk.length;
    if (size > limit) decide(false);
  };
  const onEnd = (): void => decide(true);
  const onError = (e: Error): void => {
    output.destroy(e);
  };
  input.on('data', onData).on('end', onEnd).on('error', onError);
  return output;
}

async function* replayThenRest(head: readonly Buffer[], rest: Readable): AsyncGenerator<Buffer> {
  yield* head;
  for await (const chunk of rest) yield chunk as Buffer;
}
