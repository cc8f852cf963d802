/** Byte inputs accepted by the signature API, and conversions between async iterables and web streams. */
import { iterateStream } from '../../internal/bytes.js';

/** Bytes to verify or decrypt: a buffer, an async iterable of chunks (Node streams are), or a web ReadableStream. */
export type ByteInput = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as { getReader?: unknown }).getReader === 'function';
}

/** Records the first error the underlying source raised, so callers can tell I/O failures from verification failures. */
export interface SourceWatch {
  error: unknown;
  failed: boolean;
}

/**
 * Wraps any byte input as a pull-based web ReadableStream (what openpgp streams on), noting in `watch`
 * when the source itself fails. Pulling keeps memory flat: nothing is read ahead of the consumer.
 */
export function toWebStream(input: ByteInput, watch?: SourceWatch): ReadableStream<Uint8Array> {
  if (input instanceof Uint8Array) {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent && input.length > 0) controller.enqueue(input);
        sent = true;
        controller.close();
      },
    });
  }
  const note = (e: unknown): never => {
    if (watch && !watch.failed) {
      watch.failed = true;
      watch.error = e;
    }
    throw e;
  };
  if (isReadableStream(input)) {
    const reader = input.getReader();
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read().catch(note);
          if (done) controller.close();
          else controller.enqueue(toBytes(value));
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }
  const iterator = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await iterator.next().catch(note);
        if (done) controller.close();
        else controller.enqueue(toBytes(value));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  throw new TypeError(`expected byte chunks, got ${typeof chunk}`);
}

/** Reads a whole web stream, discarding the bytes (used to drive openpgp's streaming verification). */
export async function drain(stream: ReadableStream<unknown>): Promise<number> {
  const reader = stream.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value instanceof Uint8Array ? value.length : typeof value === 'string' ? value.length : 0;
  }
}

export { iterateStream };

/** Reads up to `n` bytes from the front of an input without losing them: returns the head and a stream of all bytes. */
export async function peek(input: ByteInput, n: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  if (input instanceof Uint8Array) return { head: input.subarray(0, n), rest: once(input) };
  const iterator: AsyncIterator<Uint8Array> = isReadableStream(input) ? iterateStream(input) : input[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let have = 0;
  let finished = false;
  while (have < n) {
    const { done, value } = await iterator.next();
    if (done) {
      finished = true;
      break;
    }
    const bytes = toBytes(value);
    chunks.push(bytes);
    have += bytes.length;
  }
  const buffered = concat(chunks);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (buffered.length > 0) yield buffered;
    if (finished) return;
    for (;;) {
      const { done, value } = await iterator.next();
      if (done) return;
      yield toBytes(value);
    }
  }
  return { head: buffered.subarray(0, n), rest: rest() };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

/** Concatenates byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
