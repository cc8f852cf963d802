/**
 * Parallel compression by segments, as pbzip2 does: the input is cut into fixed-size segments, each
 * compressed into a complete stream by its own compressor (a `bzip2` child process), up to `parallel` at
 * once, and the streams are written out in order. bzip2 readers (the `bzip2` program, Go's compress/bzip2,
 * our own decoder) read concatenated streams as one file. The output depends only on the segment size, not
 * on the core count.
 *
 * Feeding: each segment's input is spooled into an unlinked temporary file (spool-file.ts) as it comes, by
 * synchronous writes straight from the writer's chunks; once the segment is complete, its process starts
 * with that file as its stdin, as soon as fewer than `parallel` segments are compressing or waiting for their
 * turn. So the writer fills the next segment's file while `parallel` processes run, and waits only once that
 * one is full too. Disk: at most `parallel` + 1 segments at once (13.5 MB for bzip2 on 2 cores), each file
 * freed when its process exits; the page cache holds them, not our memory. Before (session 16) the rest of
 * the current segment was copied into 64 KiB pieces held in memory until its pipe took them, up to a whole
 * segment (4.5 MB) of our heap (docs/design.md, s17-bzip2). Memory: the output of the segments not yet at
 * the head.
 */
import { tmpdir } from 'node:os';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { describeIoError } from '../node/io-error.js';
import type { ProgramRun } from './compress-child.js';
import type { Compressor } from './compress.js';
import { closeSpoolFile, openSpoolFile, type SpoolFile, writeToSpool } from './spool-file.js';

/** The temporary files' names (for the instant they have one): `.compress-spool-<pid>-<random>`. */
const SPOOL_PREFIX = 'compress-spool';

interface Segment {
  readonly output: Readable;
  /** Output that arrived before the segment's turn. */
  readonly waiting: Buffer[];
  /** Its output ended (the child closed its stdout). */
  ended: boolean;
}

/**
 * Creates a compressor running `start(stdin)` once per `segmentBytes` of input, `parallel` at most at once,
 * `stdin` a descriptor of the segment's spool file in `spoolDirectory` (default: the system's temporary
 * directory), which `start` must hand to its child before it returns (it is closed then). Each segment's
 * output is kept until the segments before it are out. Input chunks are written to the file before their
 * write callback, so the caller may reuse them at once. A spool file that cannot be created or written
 * (EACCES, ENOSPC, EFBIG) fails the compressor, naming the directory.
 */
export function createSegmentedCompressor(start: (stdin: number) => ProgramRun, segmentBytes: number, parallel: number, spoolDirectory: string = tmpdir()): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  /** Segments not yet fully written out, in order; the first streams straight into `output`. */
  const queue: Segment[] = [];
  /** The spool file of the segment being filled (none before its first byte), and the bytes it has. */
  let spool: SpoolFile | undefined;
  let fed = 0;
  let started = 0;
  let failure: Error | undefined;
  const waiters: (() => void)[] = [];
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});
  const exits: Promise<void>[] = [];

  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  /** Waits for the next change (a segment written out, or a failure). */
  const changed = (): Promise<void> => new Promise<void>((resolve) => waiters.push(resolve));

  const fail = (e: Error): void => {
    if (failure) return;
    failure = e;
    if (spool) closeSpoolFile(spool);
    spool = undefined;
    for (const s of queue) s.output.destroy();
    output.destroy(e);
    rejectDone(e);
    notify();
  };

  /** The spool's own errors, naming where it is (the archive writer reports them as ACI_WRITE_FAILED). */
  const spoolError = (what: string, e: unknown): Error => new Error(`the temporary file of a compressed segment in ${spoolDirectory} could not be ${what}: ${describeIoError(e)}`, { cause: e });

  /** Moves finished heads out and lets the next segment stream straight into the output. */
  const advance = (): void => {
    while (queue.length > 0 && !failure) {
      const head = queue[0]!;
      for (const chunk of head.waiting.splice(0)) output.write(chunk);
      if (!head.ended) return;
      queue.shift();
      notify();
    }
  };

  const open = (stdin: number): void => {
    const run = start(stdin);
    const segment: Segment = { output: run.output, waiting: [], ended: false };
    started++;
    const out = run.output;
    out.on('data', (chunk: Buffer) => {
      if (queue[0] !== segment) {
        segment.waiting.push(chunk);
        return;
      }
      if (!output.write(chunk)) {
        out.pause();
        output.once('drain', () => out.resume());
      }
    });
    out.on('end', () => {
      segment.ended = true;
      advance();
    });
    out.on('error', (e) => fail(e));
    const exit = run.done.catch((e: Error) => {
      fail(e);
      throw e;
    });
    exit.catch(() => {});
    exits.push(exit);
    queue.push(segment);
  };

  /** The spool file of the segment being filled, created at its first byte. */
  const currentSpool = (): SpoolFile => {
    try {
      spool ??= openSpoolFile(spoolDirectory, SPOOL_PREFIX);
      return spool;
    } catch (e) {
      throw spoolError('created', e);
    }
  };

  /**
   * Starts the process of the segment filled so far (an empty one when nothing was), once fewer than
   * `parallel` are compressing or waiting for their turn, and closes our descriptors of its file.
   */
  const startSegment = async (): Promise<void> => {
    while (queue.length >= parallel && !failure) await changed();
    if (failure) throw failure;
    const full = currentSpool();
    spool = undefined;
    fed = 0;
    try {
      open(full.readFd);
    } finally {
      closeSpoolFile(full);
    }
  };

  /** Runs a step of the input; its error (a spool write, a spawn) fails the whole compressor. */
  const step = (work: () => Promise<void>, cb: (e?: Error | null) => void): void => {
    work().then(
      () => cb(),
      (e: Error) => {
        fail(e);
        cb(failure);
      },
    );
  };

  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      step(async () => {
        for (let o = 0; o < chunk.length; ) {
          if (failure) throw failure;
          const n = Math.min(chunk.length - o, segmentBytes - fed);
          const file = currentSpool();
          try {
            writeToSpool(file, chunk, o, o + n);
          } catch (e) {
            throw spoolError('written', e);
          }
          fed += n;
          o += n;
          if (fed === segmentBytes) await startSegment();
        }
      }, cb);
    },
    final(cb) {
      step(async () => {
        // The last, partial segment; an empty input is still one (empty) stream.
        if (fed > 0 || started === 0) await startSegment();
        while (queue.length > 0 && !failure) await changed();
        if (failure) throw failure;
        await Promise.all(exits);
        output.end();
        resolveDone();
      }, cb);
    },
    destroy(err, cb) {
      // An abort (an error, or a destroy before end()) stops every child; after 'finish' the output is
      // complete and stays readable.
      if (err || !output.writableEnded) fail(err ?? new Error('the compressor was stopped'));
      cb(err);
    },
  });
  // The output destroyed before its end (the file writer failed, or the write was discarded): stop all.
  output.once('close', () => {
    if (!output.writableEnded) fail(output.errored ?? new Error('the compressed output was closed before its end'));
  });
  // Errors surface through `done` and the output; the writer may not listen on the input.
  input.on('error', () => {});
  return { input, output, done, releasesChunks: true };
}
