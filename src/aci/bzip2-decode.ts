/**
 * bzip2 decoding in pure JavaScript with backpressure: the block decoder of unbzip2-stream, driven one
 * block at a time from an async generator, so the consumer's pace decides when the next block is decoded.
 * The package's own stream wrapper decodes every block it holds in one go and collects each block's bytes
 * in a JS array (8 bytes per byte); a bzip2 bomb expanding to 1 GiB then held most of it in memory. Here
 * memory is bounded by one block's output (at most ~46 MB for a run-length bomb, usually 900 KB).
 * Errors keep the decoder's wording ("No magic number found", "crc32 do not match", "ended prematurely"),
 * which classifyDecompressError sorts.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { failAfterDrain } from './decompress-child.js';
import type { WholeOutput } from './whole-output.js';

const require = createRequire(import.meta.url);

interface BitReader {
  (n: number | null): number;
  bytesRead: number;
}
interface Bzip2Blocks {
  header(bits: BitReader): number;
  decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
}

/** Output is handed on in pieces of this size. */
const PIECE = 256 * 1024;
/** Compressed bytes a block may need beyond its nominal size (the decoder's own margin). */
const BLOCK_MARGIN = 25_000;

/** Decodes a bzip2 stream (or several concatenated) from `input`. */
export function bzip2DecodeStream(input: Readable): Readable {
  const blocks = decodeBlocks(input);
  let pulling = false;
  const output = new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (pulling) return;
      pulling = true;
      void (async () => {
        try {
          for (;;) {
            const next = await blocks.next();
            if (output.destroyed) return;
            if (next.done) {
              output.push(null);
              return;
            }
            if (!output.push(next.value)) return;
          }
        } catch (e) {
          failAfterDrain(output, e instanceof Error ? e : new Error(String(e)));
        } finally {
          pulling = false;
        }
      })();
    },
  });
  return output;
}

/**
 * Block buffers (up to 3.6 MB each) of finished decoders, for the next one: a batch of small bzip2 archives
 * otherwise spends its time allocating and zeroing them. The decoder overwrites every cell it reads.
 */
const spareBlockBuffers: Int32Array[] = [];

function takeBlockBuffer(size: number): Int32Array {
  const i = spareBlockBuffers.findIndex((b) => b.length === size);
  if (i >= 0) return spareBlockBuffers.splice(i, 1)[0]!;
  if (spareBlockBuffers.length > 2) spareBlockBuffers.shift();
  return new Int32Array(size);
}

/**
 * The steps of decoding concatenated bzip2 streams, shared by the stream and the in-memory decoder so both take
 * the same ones: a stream header when no stream is open (after the first, a bad magic is data after the end),
 * else one block.
 */
class Bzip2Streams {
  /** The open stream's block size in 100 kB units; 0 between streams. */
  blockSize = 0;
  #crc: number | null = null;
  #streamsEnded = 0;
  #blockBuffer: Int32Array | undefined;
  readonly #bz2: Bzip2Blocks;

  constructor(bz2: Bzip2Blocks) {
    this.#bz2 = bz2;
  }

  /** False while a stream is open (its header read, its end not yet). */
  get ended(): boolean {
    return this.#crc === null;
  }

  /** Reads a stream header or decodes one block into `emit`; true for a block. */
  step(bits: BitReader, emit: (byte: number) => void): boolean {
    if (!this.blockSize) {
      this.blockSize = this.#streamsEnded === 0 ? this.#bz2.header(bits) : nextStreamHeader(this.#bz2, bits);
      this.#crc = 0;
      return false;
    }
    const size = 100_000 * this.blockSize;
    if (this.#blockBuffer === undefined || this.#blockBuffer.length !== size) {
      if (this.#blockBuffer !== undefined) spareBlockBuffers.push(this.#blockBuffer);
      this.#blockBuffer = takeBlockBuffer(size);
    }
    this.#crc = this.#bz2.decompress(bits, emit, this.#blockBuffer, size, this.#crc);
    if (this.#crc === null) {
      this.blockSize = 0; // end of this stream; another may follow
      this.#streamsEnded++;
    }
    return true;
  }

  /** Gives the block buffer back for the next decode. */
  dispose(): void {
    if (this.#blockBuffer !== undefined) spareBlockBuffers.push(this.#blockBuffer);
    this.#blockBuffer = undefined;
  }
}

async function* decodeBlocks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const bz2 = require('unbzip2-stream/lib/bzip2') as Bzip2Blocks;
  const bitIterator = require('unbzip2-stream/lib/bit_iterator') as (next: () => Buffer | undefined) => BitReader;
  const queue: Buffer[] = [];
  let received = 0;
  let ended = false;
  const iterator = input[Symbol.asyncIterator]();
  let bits: BitReader | undefined;
  const streams = new Bzip2Streams(bz2);
  let piece = Buffer.allocUnsafe(PIECE);
  let fill = 0;
  let pieces: Buffer[] = [];
  const emit = (byte: number): void => {
    piece[fill++] = byte;
    if (fill === PIECE) {
      pieces.push(piece);
      piece = Buffer.allocUnsafe(PIECE);
      fill = 0;
    }
  };
  for (;;) {
    // Hold enough compressed bytes for the next block (or the stream header) before decoding it, as the
    // decoder reads synchronously.
    const need = streams.blockSize ? BLOCK_MARGIN + 100_000 * streams.blockSize : 4;
    while (!ended && received - (bits?.bytesRead ?? 0) + 1 < need) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else {
        queue.push(next.value);
        received += next.value.length;
        bits ??= bitIterator(() => queue.shift());
      }
    }
    if (!bits || received <= bits.bytesRead) {
      if (ended) break;
      continue;
    }
    if (!streams.step(bits, emit)) continue;
    if (fill > 0) {
      pieces.push(piece.subarray(0, fill));
      piece = Buffer.allocUnsafe(PIECE);
      fill = 0;
    }
    const out = pieces;
    pieces = [];
    for (const p of out) yield p;
  }
  streams.dispose();
  if (!streams.ended) throw new Error('input stream ended prematurely');
  // On an early stop the input is left as it is: its owner closes it (as with the other decoders).
}

/**
 * Decodes a whole bzip2 input held in memory in one synchronous step, into `out`: true when every stream
 * decoded, ended and nothing else followed, exactly when {@link bzip2DecodeStream} would deliver the same bytes
 * and end without error (the same block decoder, the same steps: stream header, blocks, a next stream header
 * after each stream end while input is left). False, with `out` partly written, on any failure or when the
 * output would pass `out.max`: the caller then decodes with the stream, which reports the failure in its words.
 */
export function bzip2DecodeWhole(input: Uint8Array, out: WholeOutput): boolean {
  const bz2 = require('unbzip2-stream/lib/bzip2') as Bzip2Blocks;
  const bitIterator = require('unbzip2-stream/lib/bit_iterator') as (next: () => Uint8Array | undefined) => BitReader;
  const queue = [input];
  const bits = bitIterator(() => queue.shift());
  const streams = new Bzip2Streams(bz2);
  let bytes = out.bytes;
  let fill = out.length;
  // Where the next check is due: the end of the memory or the output's limit, whichever comes first.
  let room = Math.min(bytes.length, out.max);
  const emit = (byte: number): void => {
    if (fill >= room) {
      out.length = fill;
      if (!out.ensure(1)) throw OUTPUT_FULL;
      bytes = out.bytes;
      room = Math.min(bytes.length, out.max);
    }
    bytes[fill++] = byte;
  };
  try {
    while (bits.bytesRead < input.length) streams.step(bits, emit);
    out.length = fill;
    return streams.ended;
  } catch {
    return false;
  } finally {
    streams.dispose();
  }
}

/** Thrown by bzip2DecodeWhole's output when it is full (identity-checked by nobody: any throw means "fall back"). */
const OUTPUT_FULL = new Error('output limit');

/**
 * The header of a stream after the first: a bad magic there is data after the end of the bzip2 stream, said
 * the way the child-process decoder says it (describeChildFailure), so both get the same verdict.
 */
function nextStreamHeader(bz2: Bzip2Blocks, bits: BitReader): number {
  try {
    return bz2.header(bits);
  } catch (e) {
    if (e instanceof Error && /No magic number found/.test(e.message)) throw new Error('No magic number found after the last bzip2 stream');
    throw e;
  }
}
