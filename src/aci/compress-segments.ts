/**
 * Parallel compression by segments, as pbzip2 does: the input is cut into fixed-size segments, each
 * compressed into a complete stream by its own compressor (a `bzip2` child process), up to `parallel` at
 * once, and the streams are written out in order. bzip2 readers (the `bzip2` program, Go's compress/bzip2,
 * our own decoder) read concatenated streams as one file. The output depends only on the segment size, not
 * on the core count.
 *
 * Feeding: a segment's process starts with its first byte, and its input goes through its pipe in pieces.
 * The writer is sequential, so a segment can start only once the one before it has all its bytes: while no
 * further segment could start anyway (`parallel` already running), the newest is fed at the pace its process
 * reads (the pipe's backpressure); as soon as one could, the rest of the current segment is copied into
 * pieces held in memory until the pipe takes them, and the writer moves on. A pipe holds only 64 KiB, so
 * without that hold two processes would run one after the other (measured: no faster than one). Memory: the
 * input held for at most `parallel` - 1 segments and a few pieces in the pipes, where every segment used to be
 * collected whole before its process started (`parallel` + 1 segments: 13.5 MB for bzip2 on 2 cores), plus
 * the output of the segments not yet at the head.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Compressor } from './compress.js';

/**
 * Bytes of a piece of input: the unit copied, handed to a pipe and reused once written. Under glibc's 128 KiB
 * mmap threshold (see MEMBER_OUTPUT_CHUNK in compress.ts), and the size of a pipe.
 */
const PIECE_BYTES = 64 << 10;

interface Segment {
  readonly compressor: Compressor;
  /** Output that arrived before the segment's turn. */
  readonly waiting: Buffer[];
  /** Its output ended (the child closed its stdout). */
  ended: boolean;
}

/**
 * Creates a compressor running `start()` once per `segmentBytes` of input, `parallel` at most at once.
 * Each segment is written through its own compressor and its output kept until the segments before it are
 * out. Input chunks are copied into pieces, so the caller may reuse them at once.
 */
export function createSegmentedCompressor(start: () => Compressor, segmentBytes: number, parallel: number): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  /** Segments not yet fully written out, in order; the first streams straight into `output`. */
  const queue: Segment[] = [];
  /** The segment being fed, and the bytes it has been given. */
  let feeding: Segment | undefined;
  let fed = 0;
  /** The piece being filled, and pieces whose bytes a pipe has taken, to be filled again. */
  let piece: Buffer | undefined;
  let pieceFill = 0;
  const spare: Buffer[] = [];
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
  /** Waits for the next change (a segment written out, a failure, or `input` drained). */
  const changed = (input?: Writable): Promise<void> =>
    new Promise<void>((resolve) => {
      const wake = (): void => {
        input?.off('drain', wake);
        resolve();
      };
      waiters.push(wake);
      input?.once('drain', wake);
    });

  const fail = (e: Error): void => {
    if (failure) return;
    failure = e;
    for (const s of queue) {
      s.compressor.input.destroy();
      s.compressor.output.destroy();
    }
    output.destroy(e);
    rejectDone(e);
    notify();
  };

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

  const open = (): Segment => {
    const compressor = start();
    const segment: Segment = { compressor, waiting: [], ended: false };
    started++;
    const out = compressor.output;
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
    const exit = compressor.done.catch((e: Error) => {
      fail(e);
      throw e;
    });
    exit.catch(() => {});
    exits.push(exit);
    queue.push(segment);
    return segment;
  };

  /** Hands the piece being filled to the segment being fed; the piece is filled again once its pipe took it. */
  const sendPiece = (segment: Segment): void => {
    const full = piece;
    if (full === undefined || pieceFill === 0) return;
    segment.compressor.input.write(full.subarray(0, pieceFill), () => spare.push(full));
    piece = undefined;
    pieceFill = 0;
  };

  /** Ends the input of the segment being fed. */
  const endSegment = (segment: Segment): void => {
    sendPiece(segment);
    segment.compressor.input.end();
    feeding = undefined;
    fed = 0;
  };

  /** Starts the next segment's process, once fewer than `parallel` are compressing or waiting. */
  const startSegment = async (): Promise<Segment> => {
    while (queue.length >= parallel && !failure) await changed();
    if (failure) throw failure;
    feeding = open();
    return feeding;
  };

  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      void (async () => {
        let o = 0;
        while (o < chunk.length) {
          if (failure) throw failure;
          const segment = feeding ?? (await startSegment());
          piece ??= spare.pop() ?? Buffer.allocUnsafe(PIECE_BYTES);
          const n = chunk.copy(piece, pieceFill, o, Math.min(chunk.length, o + PIECE_BYTES - pieceFill, o + segmentBytes - fed));
          pieceFill += n;
          fed += n;
          o += n;
          if (fed === segmentBytes) endSegment(segment);
          else if (pieceFill === PIECE_BYTES) {
            sendPiece(segment);
            // No next segment could start yet: feed this one at its process's pace instead of holding its input.
            while (segment.compressor.input.writableNeedDrain && queue.length >= parallel && !failure) await changed(segment.compressor.input);
          }
        }
      })().then(
        () => cb(),
        (e: Error) => cb(failure ?? e),
      );
    },
    final(cb) {
      void (async () => {
        // The last, partial segment; an empty input is still one (empty) stream.
        if (feeding) endSegment(feeding);
        else if (started === 0) endSegment(await startSegment());
        while (queue.length > 0 && !failure) await changed();
        if (failure) throw failure;
        await Promise.all(exits);
        output.end();
        resolveDone();
      })().then(
        () => cb(),
        (e: Error) => cb(failure ?? e),
      );
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
