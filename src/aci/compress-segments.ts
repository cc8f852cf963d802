/**
 * Parallel compression by segments, as pbzip2 does: the input is cut into fixed-size segments, each
 * compressed into a complete stream by its own compressor (a `bzip2` child process), up to `parallel` at
 * once, and the streams are written out in order. bzip2 readers (the `bzip2` program, Go's compress/bzip2,
 * our own decoder) read concatenated streams as one file. The output depends only on the segment size, not
 * on the core count.
 *
 * Spooling: each segment's input is written into an unlinked temporary file (spool-file.ts) as it comes, by
 * synchronous writes straight from the writer's chunks; once the segment is complete, its process starts
 * with that file as its stdin and another as its stdout, as soon as fewer than `parallel` processes are
 * running (and fewer than 2 x `parallel` segments wait to be written out). So the writer fills the next
 * segment's file while `parallel` processes run, and waits only once that one is full too. A segment's output
 * is read back from its file in 64 KiB pieces once its process has exited and the segments before it are
 * out. Disk: at most `parallel` + 1 input files and 2 x `parallel` output files at once (bzip2 on 2 cores:
 * 31.5 MB at most, 15-20 MB with compressible input), each freed when its process exits or its output is
 * out. The page cache holds them, not our memory, which keeps only the output pieces on their way. Before
 * (session 16) the rest of the current segment was copied into pieces held in memory until its pipe took
 * them (up to a whole segment, 4.5 MB, of our heap), and a segment that finished before its turn kept its
 * output in memory (up to 4.5 MB more): docs/design.md, s17-bzip2.
 */
import { read } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { describeIoError } from '../node/io-error.js';
import type { FileRun } from './compress-child.js';
import type { Compressor } from './compress.js';
import { markSoleView } from './garbage.js';
import { closeQuietly, closeSpoolFile, openSpoolFile, type SpoolFile, writeToSpool } from './spool-file.js';

/** The temporary files' names (for the instant they have one): `.compress-spool-<pid>-<random>`. */
const SPOOL_PREFIX = 'compress-spool';

/**
 * Bytes of a piece of output read back from a segment's file: the size of the pipe reads it replaces, under
 * glibc's 128 KiB mmap threshold (see MEMBER_OUTPUT_CHUNK in compress.ts).
 */
const OUTPUT_PIECE = 64 << 10;

interface Segment {
  readonly run: FileRun;
  /** A reading descriptor of the file its process writes its output into. */
  readonly output: number;
}

/**
 * Creates a compressor running `start(stdin, stdout)` once per `segmentBytes` of input, `parallel` at most at
 * once: `stdin` a descriptor of the segment's input file, `stdout` one of the file for its output (both in
 * `spoolDirectory`, by default the system's temporary directory), which `start` hands to its child before it
 * returns (ours are closed then). Input chunks are written to the file before their write callback, so the
 * caller may reuse them at once; output pieces are each the only view of their memory (garbage.ts
 * markSoleView). A spool file that cannot be created or written (EACCES, ENOSPC, EFBIG) fails the
 * compressor, naming the directory; so does a process that fails (the others are stopped).
 */
export function createSegmentedCompressor(start: (stdin: number, stdout: number) => FileRun, segmentBytes: number, parallel: number, spoolDirectory: string = tmpdir()): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  /** Segments started and not yet written out, in order. */
  const queue: Segment[] = [];
  /** The input file of the segment being filled (none before its first byte), and the bytes it has. */
  let spool: SpoolFile | undefined;
  let fed = 0;
  let started = 0;
  /** Processes that have not exited. */
  let running = 0;
  /**
   * Segments started and not yet written out, at most: a process starts as soon as another exits, even one
   * whose output waits for its turn (on disk), with a bound on the files that wait.
   */
  const maxQueued = 2 * parallel;
  /** Whether the loop passing the outputs on is running. */
  let passing = false;
  let failure: Error | undefined;
  const waiters: (() => void)[] = [];
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});

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
    for (const s of queue) s.run.stop();
    // Output files still being read are closed by the loop passing them on, once its read returns.
    if (!passing) for (const s of queue.splice(0)) closeQuietly(s.output);
    output.destroy(e);
    rejectDone(e);
    notify();
  };

  /** The spool's own errors, naming where it is (the archive writer reports them as ACI_WRITE_FAILED). */
  const spoolError = (what: string, e: unknown): Error => new Error(`the temporary file of a compressed segment in ${spoolDirectory} could not be ${what}: ${describeIoError(e)}`, { cause: e });

  /** Resolves when the output wants more, or is closed. */
  const drained = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const wake = (): void => {
        output.off('drain', wake).off('close', wake);
        resolve();
      };
      output.on('drain', wake).on('close', wake);
    });

  /** A piece that a read at the end of a file left empty, for the next. */
  let unused: Buffer | undefined;
  /** Reads a finished segment's output file from its start into the output, one fresh piece at a time. */
  const passOn = async (fd: number): Promise<void> => {
    for (let position = 0; !failure; ) {
      const piece = unused ?? Buffer.allocUnsafeSlow(OUTPUT_PIECE);
      unused = undefined;
      const n = await new Promise<number>((resolve, reject) => read(fd, piece, 0, OUTPUT_PIECE, position, (e, bytes) => (e ? reject(spoolError('read', e)) : resolve(bytes))));
      if (n === 0) unused = piece;
      if (n === 0 || failure) return;
      position += n;
      const chunk = n === OUTPUT_PIECE ? piece : piece.subarray(0, n);
      markSoleView(chunk);
      if (!output.write(chunk)) await drained();
    }
  };

  /** Passes on the head's output once its process has exited, then the next one's, until none is started. */
  const passOutputs = async (): Promise<void> => {
    if (passing) return;
    passing = true;
    try {
      while (queue.length > 0 && !failure) {
        const head = queue[0]!;
        await head.run.done;
        await passOn(head.output);
        if (failure) break;
        closeQuietly(head.output);
        queue.shift();
        notify();
      }
    } catch (e) {
      fail(e as Error);
    } finally {
      passing = false;
      if (failure) for (const s of queue.splice(0)) closeQuietly(s.output);
    }
  };

  /** The input file of the segment being filled, created at its first byte. */
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
   * `parallel` are running and fewer than `maxQueued` segments wait to be written out, and closes our
   * descriptors of its input file.
   */
  const startSegment = async (): Promise<void> => {
    while ((running >= parallel || queue.length >= maxQueued) && !failure) await changed();
    if (failure) throw failure;
    const input = currentSpool();
    spool = undefined;
    fed = 0;
    try {
      let out: SpoolFile;
      try {
        out = openSpoolFile(spoolDirectory, SPOOL_PREFIX);
      } catch (e) {
        throw spoolError('created', e);
      }
      let run: FileRun;
      try {
        run = start(input.readFd, out.writeFd);
      } catch (e) {
        closeSpoolFile(out);
        throw e;
      }
      started++;
      // Its writing end is the child's now; ours reads the output back once the process has exited.
      closeQuietly(out.writeFd);
      running++;
      // A failure of any process fails the whole write at once, not when its turn comes.
      run.done.then(
        () => {
          running--;
          notify();
        },
        (e: Error) => fail(e),
      );
      queue.push({ run, output: out.readFd });
      void passOutputs();
    } finally {
      closeSpoolFile(input);
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
