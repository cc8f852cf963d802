/** Feeding a decoder while telling the source which chunks it may free. */
import type { Readable, Writable } from 'node:stream';

/**
 * `input.pipe(decoder)`, telling `release` of each input chunk once the decoder has consumed it: a write
 * completes only when the decoder will not touch the chunk again (node:zlib has read all of it and dropped its
 * reference; a child's stdin has handed it to the pipe), so the source may free the chunk's memory at once
 * instead of leaving it to a collection (garbage.ts). A write that fails releases nothing. Backpressure, end
 * and errors as pipe's; returns the equivalent of `unpipe`, which also runs once the decoder closes.
 */
export function feedReleasing(input: Readable, decoder: Writable, release: (chunk: Uint8Array) => void): () => void {
  const onData = (chunk: Uint8Array): void => {
    if (decoder.destroyed) return;
    const written = (err?: Error | null): void => {
      if (!err) release(chunk);
    };
    if (!decoder.write(chunk, written)) input.pause();
  };
  const onDrain = (): void => {
    input.resume();
  };
  const onEnd = (): void => {
    decoder.end();
  };
  const stop = (): void => {
    // As unpipe: the decoder is gone (ended, failed or destroyed), so reading on would only waste the source.
    input.pause();
    input.off('data', onData);
    input.off('end', onEnd);
    decoder.off('drain', onDrain);
    decoder.off('close', stop);
  };
  input.on('data', onData);
  input.once('end', onEnd);
  decoder.on('drain', onDrain);
  decoder.once('close', stop);
  return stop;
}
