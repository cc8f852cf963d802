/**
 * Parallel compression by segments, as pbzip2 does: the input is cut into fixed-size segments, each
 * compressed into a complete stream by its own compressor (a `bzip2` child process), up to `parallel` at
 * once, and the streams are written out in order. bzip2 readers (the `bzip2` program, Go's compress/bzip2,
 * our own decoder) read concatenated streams as one file. The output depends only on the segment size, not
 * on the core count. Memory: at most `parallel` segments' compressed output waits here for its turn.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Compressor } from './compress.js';

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
 * out. Its input releases a chunk (the write callback) once every byte of it was handed to a compressor
 * and that compressor's write completed, so the caller may reuse its buffers.
 */
export function createSegmentedCompressor(start: () => Compressor, segmentBytes: number, parallel: number): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  /** Segments not yet fully written out, in order; the first streams straight into `output`. */
  const queue: Segment[] = [];
  let current: Segment | undefined;
  let fill = 0;
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
  let rejectFailed!: (e: Error) => void;
  /** Rejects when the compressor fails; pending forever otherwise. */
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => {});
  const exits: Promise<void>[] = [];

  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  /** Waits for the next change (a segment written out, a failure). */
  const changed = (): Promise<void> => new Promise<void>((resolve) => waiters.push(resolve));

  const fail = (e: Error): void => {
    if (failure) return;
    failure = e;
    for (const s of queue) {
      s.compressor.input.destroy();
      s.compressor.output.destroy();
    }
    output.destroy(e);
    rejectDone(e);
    rejectFailed(e);
    notify();
  };

  /** Moves finished heads out and lets the next segment stream straight into the output. */
  const advance = (): void => {
    while (queue.length > 0) {
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

  /** Writes `bytes` into the segment's compressor; resolves once its write completed. */
  const feed = (segment: Segment, bytes: Buffer): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      segment.compressor.input.write(bytes, (e) => (e ? reject(e) : resolve()));
    });

  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      void (async () => {
        const writes: Promise<void>[] = [];
        let o = 0;
        while (o < chunk.length) {
          if (failure) throw failure;
          if (!current) {
            // One more segment only when fewer than `parallel` are still being compressed or waiting.
            while (queue.length >= parallel && !failure) await changed();
            if (failure) throw failure;
            current = open();
          }
          const n = Math.min(chunk.length - o, segmentBytes - fill);
          writes.push(feed(current, chunk.subarray(o, o + n)));
          fill += n;
          o += n;
          if (fill === segmentBytes) {
            current.compressor.input.end();
            current = undefined;
            fill = 0;
          }
        }
        await Promise.race([Promise.all(writes), failed]);
      })().then(
        () => cb(),
        (e: Error) => cb(failure ?? e),
      );
    },
    final(cb) {
      void (async () => {
        // An empty input is still one (empty) stream.
        if (!current && started === 0) current = open();
        current?.compressor.input.end();
        current = undefined;
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
