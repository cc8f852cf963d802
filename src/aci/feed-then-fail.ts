/**
 * Feeding a decoder's output into the tar walker so that a decoder failure is reported only after the walker
 * has processed every byte the decoder delivered before it. `pipeline()` destroys the sink the moment the
 * source fails, so how much of the delivered data the walker had parsed (whether it had seen the manifest, how
 * many bytes it counted) depended on how far the event loop had got: the verdict's code was fixed, its details
 * were a race. Here the sink drains first, so the outcome depends on the bytes alone.
 */
import { finished, type Readable, type Writable } from 'node:stream';

/**
 * Writes `source` into `sink` with backpressure and resolves when both are done: with undefined when the
 * source ended and the sink finished; with the source's error once the sink has processed all it was given
 * (the sink is ended, not destroyed); with the sink's error (an early stop, a limit) at once, destroying the
 * source; with the signal's reason on abort, destroying both. Never rejects.
 */
export function feedThenFail(source: Readable, sink: Writable, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    let sourceError: unknown;
    let settled = false;
    const settle = (outcome: unknown): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      sink.off('drain', onDrain);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onData = (chunk: Uint8Array): void => {
      if (!sink.write(chunk)) source.pause();
    };
    const onDrain = (): void => {
      source.resume();
    };
    const onAbort = (): void => {
      source.destroy();
      sink.destroy();
      settle(signal?.reason);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', onData);
    sink.on('drain', onDrain);
    finished(source, { writable: false }, (err) => {
      if (err) {
        sourceError = err;
        // A source that fails while paused (the sink held it back) keeps what it had buffered: destroy() stops
        // 'data', but read() still returns it. node:zlib fails this way at its final flush (a cut trailer, a byte
        // after the stream), with its last outputs not yet taken; dropping them made the walker's view, the
        // manifest included, depend on timing. What is left is at most the source's buffer.
        source.off('data', onData);
        if (!sink.writableEnded && !sink.destroyed) for (let chunk = source.read() as Uint8Array | null; chunk !== null; chunk = source.read() as Uint8Array | null) sink.write(chunk);
      }
      // Ended or failed: let the sink finish what it holds, then settle (with the source's error, if any).
      if (!sink.writableEnded) sink.end();
    });
    finished(sink, (err) => {
      if (err) {
        source.destroy();
        settle(err);
      } else settle(sourceError);
    });
  });
}
