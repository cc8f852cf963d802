/**
 * Parallel compression by segments, as pbzip2 does: the input is cut into fixed-size segments, each
 * compressed into a complete stream by its own compressor (a `bzip2` child process), up to `parallel` at
 * once, and the streams are written out in order. bzip2 readers (the `bzip2` program, Go's compress/bzip2,
 * our own decoder) read concatenated streams as one file. The output depends only on the segment size, not
 * on the core count. A segment is collected in memory before its process starts: a pipe holds only 64 KiB,
 * so feeding the processes through their pipes alone would run them one after the other, each waiting for
 * its input at the pace the one before consumed it (measured: no faster than one process). Memory:
 * `parallel` + 1 segments of input, plus the output of those not yet at the head.
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
 * out. Input chunks are copied into the segment being collected, so the caller may reuse them at once.
 */
export function createSegmentedCompressor(start: () => Compressor, segmentBytes: number, parallel: number): Compressor {
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  /** Segments not yet fully written out, in order; the first streams straight into `output`. */
  const queue: Segment[] = [];
  /** The segment being collected. */
  let collecting: Buffer | undefined;
  /** Segment buffers whose bytes a process has taken, to be filled again (fresh ones would pile up until GC). */
  const spare: Buffer[] = [];
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

  /** Starts a compressor on the collected bytes and hands them all to it (its stream buffers them). */
  const launch = (): void => {
    const buffer = collecting;
    const bytes = buffer ? buffer.subarray(0, fill) : Buffer.alloc(0);
    collecting = undefined;
    fill = 0;
    const segment = open();
    // 'finish' comes once every byte is in the pipe: the buffer is free again.
    segment.compressor.input.end(bytes, () => {
      if (buffer && spare.length <= parallel) spare.push(buffer);
    });
  };

  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      void (async () => {
        let o = 0;
        while (o < chunk.length) {
          if (failure) throw failure;
          collecting ??= spare.pop() ?? Buffer.allocUnsafe(segmentBytes);
          const n = chunk.copy(collecting, fill, o, Math.min(chunk.length, o + segmentBytes - fill));
          fill += n;
          o += n;
          if (fill === segmentBytes) {
            // Start it only when fewer than `parallel` segments are being compressed or waiting.
            while (queue.length >= parallel && !failure) await changed();
            if (failure) throw failure;
            launch();
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
        if (collecting || started === 0) {
          while (queue.length >= parallel && !failure) await changed();
          if (failure) throw failure;
          launch();
        }
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
