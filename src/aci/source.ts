/** Byte sources for archives: a path, a Node stream, a web ReadableStream, an async iterable of bytes, or bytes. */
import { createReadStream } from 'node:fs';
import { iterateStream } from '../internal/bytes.js';
import { Readable } from 'node:stream';
import { freeMemory, noteGarbage } from './garbage.js';

/** Anything an archive can be read from. A string is a file path. */
export type AciSource = string | Uint8Array | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Read size for files: large reads keep the decompressor busy (TOOLCHAIN §3: 1 MiB reads, 128 KiB zlib chunks). */
export const READ_CHUNK = 1 << 20;

function isWebStream(s: unknown): s is ReadableStream<Uint8Array> {
  return typeof s === 'object' && s !== null && typeof (s as ReadableStream).getReader === 'function' && typeof (s as { pipe?: unknown }).pipe !== 'function';
}

/** Turns any source into an async iterable of byte chunks. */
export function toByteIterable(source: AciSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') return createReadStream(source, { highWaterMark: READ_CHUNK });
  if (source instanceof Uint8Array) {
    return (async function* () {
      for (let i = 0; i < source.length; i += READ_CHUNK) yield source.subarray(i, i + READ_CHUNK);
    })();
  }
  if (isWebStream(source)) {
    if (Symbol.asyncIterator in source) return source as unknown as AsyncIterable<Uint8Array>;
    return iterateStream(source);
  }
  if (typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return source as AsyncIterable<Uint8Array>;
  // An old-style Node stream without async iteration.
  return new Readable({ read() {} }).wrap(source as NodeJS.ReadableStream);
}

/** Counters shared between a source and its consumers. */
export interface SourceStats {
  /** Bytes read from the source so far (compressed bytes for a compressed archive). */
  compressedBytes: number;
  /** True once the source has delivered its last byte. */
  ended: boolean;
  /**
   * The last chunks read (at least TAIL_BYTES in all when the source is that long), kept by reference: a
   * decoder failure is sorted by looking for the end of the compressed stream in them (trailing data).
   */
  tail: Uint8Array[];
}

/** Compressed bytes kept in {@link SourceStats.tail}. */
export const TAIL_BYTES = 64 * 1024;

/**
 * Adds a chunk to the tail, dropping chunks no longer needed to cover TAIL_BYTES; `onLeave` hears each chunk
 * dropped from it.
 */
export function keepTail(stats: SourceStats, chunk: Uint8Array, onLeave?: (chunk: Uint8Array) => void): void {
  stats.tail.push(chunk);
  let total = 0;
  for (let i = stats.tail.length - 1; i >= 0; i--) {
    total += stats.tail[i]!.length;
    if (total >= TAIL_BYTES) {
      if (i > 0) {
        const left = stats.tail.splice(0, i);
        if (onLeave) for (const c of left) onLeave(c);
      }
      return;
    }
  }
}

/** The concatenated tail of a source (see {@link SourceStats.tail}). */
export function tailBytes(stats: SourceStats): Uint8Array {
  return Buffer.concat(stats.tail);
}

/** A source opened for reading: its first bytes (for type detection) and a stream of all its bytes. */
export interface OpenedSource {
  /** Up to the first 512 bytes. */
  readonly head: Uint8Array;
  /** Every byte of the source, first bytes included, as a Node stream. */
  readonly stream: Readable;
  readonly stats: SourceStats;
  /**
   * Tells the source that the consumer of `stream` is done with `chunk` and keeps no view of it (a decoder whose
   * write completed). A chunk the source read from a file into memory of its own is then freed, at once or as
   * soon as it has left the tail; other chunks are left to the collector. Optional: a chunk never released is
   * garbage like any other.
   */
  release(chunk: Uint8Array): void;
  /** Stops reading and releases the source. */
  close(): void;
}

/** Opens a source: reads its first bytes for detection and returns a stream that replays them, counting bytes. */
export async function openSource(source: AciSource, onChunk?: (stats: SourceStats) => void): Promise<OpenedSource> {
  const iterable = toByteIterable(source);
  const iterator = iterable[Symbol.asyncIterator]();
  const stats: SourceStats = { compressedBytes: 0, ended: false, tail: [] };
  const prefix: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < 512) {
    const r = await iterator.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value as ArrayBuffer);
    if (chunk.length === 0) continue;
    prefix.push(chunk);
    have += chunk.length;
  }
  const head = new Uint8Array(Math.min(have, 512));
  let o = 0;
  for (const p of prefix) {
    if (o >= head.length) break;
    const n = Math.min(p.length, head.length - o);
    head.set(p.subarray(0, n), o);
    o += n;
  }
  // Chunks a file stream read into memory of their own (fs allocates each read afresh), which release() may free;
  // and those released while still in the tail, freed when they leave it.
  const own = new WeakSet<Uint8Array>();
  const releasedInTail = new Set<Uint8Array>();
  const ownsMemory = typeof source === 'string';
  const leaveTail = (chunk: Uint8Array): void => {
    if (releasedInTail.delete(chunk)) freeMemory(chunk);
  };
  const track = (chunk: Uint8Array): void => {
    if (ownsMemory && chunk.byteOffset === 0 && chunk.length === chunk.buffer.byteLength) own.add(chunk);
    keepTail(stats, chunk, leaveTail);
  };
  let started = false;
  async function* all(): AsyncGenerator<Uint8Array> {
    started = true;
    try {
      for (const p of prefix) {
        stats.compressedBytes += p.length;
        track(p);
        onChunk?.(stats);
        yield p;
      }
      prefix.length = 0;
      if (!done) {
        for (;;) {
          const r = await iterator.next();
          if (r.done) break;
          const chunk = r.value;
          stats.compressedBytes += chunk.length;
          track(chunk);
          onChunk?.(stats);
          yield chunk;
          // Soon garbage (once the decoder has it and the tail moved on): counted, so collections also free
          // source chunks, which a file stream allocates afresh for every read.
          noteGarbage(chunk.length);
        }
      }
      stats.ended = true;
    } finally {
      if (!stats.ended) await iterator.return?.();
    }
  }
  const stream = Readable.from(all(), { objectMode: false, highWaterMark: READ_CHUNK });
  return {
    head,
    stream,
    stats,
    release(chunk) {
      if (!own.has(chunk)) return;
      own.delete(chunk);
      // The tail is read when a decoder fails (trailing data is told apart from damage there): kept until it leaves.
      if (stats.tail.includes(chunk)) releasedInTail.add(chunk);
      else freeMemory(chunk);
    },
    close() {
      stream.destroy();
      // A generator that never started has no finally block to run: release the source here.
      if (!started && !done) void iterator.return?.()?.catch(() => {});
    },
  };
}
