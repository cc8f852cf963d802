/** Streaming decompression of image archives (spec/aci.md#image-archives: gzip, bzip2, xz or none; A-CD-2). */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { bzip2DecodeStream } from './bzip2-decode.js';
import { childDecompressStream, decideAfterPeek, type DecompressProgram, findDecompressor } from './decompress-child.js';
import type { Compression, FileType } from './detect.js';
import { feedReleasing } from './feed-releasing.js';
import { markSoleView } from './garbage.js';
import { xzDataAfterStreamEnd } from './xz-end.js';
import { xzWasmStream } from './xz-stream.js';

const require = createRequire(import.meta.url);

/** zlib output chunk size (TOOLCHAIN §3: 128 KiB beats the 16 KiB default by ~30%). */
export const ZLIB_CHUNK = 128 * 1024;

/** A decompressor failure, sorted into what it means for the archive. */
export interface DecompressFailure {
  readonly kind: 'truncated' | 'corrupt' | 'trailing';
  readonly message: string;
}

/**
 * Creates the decompressing stream for a compression; `none` passes bytes through. bzip2 and xz go through
 * the system `bzip2 -dc` / `xz -dc` when present (measured 3-4x faster than the built-in decoders, see
 * docs/design.md), else through the built-in JS (bzip2) and wasm (xz) decoders. Every decoder honours
 * backpressure, so memory stays flat whatever the uncompressed size.
 */
export function decompressStream(compression: Compression, input: Readable, release?: (chunk: Uint8Array) => void): Readable {
  switch (compression) {
    case 'none':
      return input;
    case 'gzip': {
      const gunzip = markWholeOutputs(createGunzip({ chunkSize: ZLIB_CHUNK }));
      input.on('error', (e) => gunzip.destroy(e));
      if (release === undefined) return input.pipe(gunzip);
      feedReleasing(input, gunzip, release);
      return gunzip;
    }
    case 'bzip2':
      return chooseDecoder(input, 'bzip2', bzip2DecodeStream, release);
    case 'xz':
      return chooseDecoder(input, 'xz', xzDecodeStream, release);
  }
}

/**
 * Marks each output chunk of `gunzip` that fills a whole zlib output buffer as the only view of its memory
 * (garbage.ts markSoleView), so a consumer done with it frees it at once instead of leaving it to a
 * collection. node:zlib pushes slices of a ZLIB_CHUNK buffer it allocates for itself (never Buffer's shared
 * pool at this size) and starts a new buffer once one is full, so a chunk that spans its whole buffer is
 * the only view ever made of it; a partial one shares its buffer with the next chunk and is left to the
 * collector (test/aci/serial-release.test.ts checks both). With the source chunks freed too (feedReleasing),
 * `actool validate` of the 1 GB foreign-gzip bench tar went from 70 to 62 MB peak RSS and 25% less CPU (no
 * collections). The hook only marks; what is pushed, and when, is unchanged.
 */
export function markWholeOutputs(gunzip: Gunzip): Gunzip {
  const push = gunzip.push;
  gunzip.push = function (this: Gunzip, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk instanceof Uint8Array && chunk.byteOffset === 0 && chunk.length === chunk.buffer.byteLength && chunk.length === ZLIB_CHUNK) markSoleView(chunk);
    return push.call(this, chunk, encoding);
  };
  return gunzip;
}

/**
 * The built-in xz decoder: a Node stream over the package's wasm decoder (xz-stream.ts), or the package's own
 * web stream when that cannot be had (the wasm module not found, another xz stream decoding in this thread).
 */
function xzDecodeStream(input: Readable, release?: (chunk: Uint8Array) => void): Readable {
  const direct = xzWasmStream(input, release);
  if (direct !== undefined) return direct;
  // Loaded on demand: the wasm decoder is only needed for xz archives.
  const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress');
  const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
  return Readable.fromWeb(new XzReadableStream(web) as unknown as import('node:stream/web').ReadableStream<Uint8Array>, { highWaterMark: ZLIB_CHUNK * 4 });
}

/**
 * The system tool for inputs above SMALL_COMPRESSED bytes when it is installed, the built-in decoder
 * otherwise: starting a process costs more than decoding a small archive in this one (a batch of 1,000
 * small ACIs would spend most of its time in process start-up).
 */
function chooseDecoder(input: Readable, program: DecompressProgram, builtin: (input: Readable, release?: (chunk: Uint8Array) => void) => Readable, release?: (chunk: Uint8Array) => void): Readable {
  const path = findDecompressor(program);
  if (!path) return builtin(input, release);
  return decideAfterPeek(input, SMALL_COMPRESSED, (peeked) => (peeked.ended ? builtin(peeked.stream, release) : childDecompressStream(program, path, peeked.stream, release)));
}

/** Compressed size up to which the built-in decoders are used even when the system tool is present. */
export const SMALL_COMPRESSED = 256 * 1024;

/**
 * Sorts a decompressor error. `sourceEnded`: the compressed input was read to its end; `tail`: the last
 * compressed bytes read (SourceStats.tail); `head`: the first bytes of the file. The verdict depends only on
 * the compressed bytes and the decoder's own report, never on how far the tar reader had got when the error
 * arrived (that varied with timing), so every decoder and every run gives the same code.
 */
export function classifyDecompressError(compression: Compression, error: unknown, sourceEnded: boolean, tail: Uint8Array, head: Uint8Array): DecompressFailure {
  const raw = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  if (compression === 'gzip') {
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(raw)) return { kind: 'truncated', message: 'the gzip stream ends before its end (the file is truncated)' };
    // After a complete member, node:zlib parses any following non-zero bytes as a new gzip header:
    // a bad magic or method there means other data follows the compressed stream.
    if (/incorrect header check/.test(raw) || (/unknown compression method|unknown header flags/.test(raw) && head[2] === 8)) {
      return { kind: 'trailing', message: 'data that is not gzip follows the end of the gzip stream' };
    }
    if (/incorrect data check/.test(raw)) return { kind: 'corrupt', message: 'the gzip CRC-32 does not match the data (the file is corrupt)' };
    if (/incorrect length check/.test(raw)) return { kind: 'corrupt', message: 'the gzip length field does not match the data (the file is corrupt)' };
    return { kind: 'corrupt', message: `the gzip data is corrupt (${raw})` };
  }
  if (compression === 'bzip2') {
    // Both decoders say so only once a whole stream has ended (bzip2's "trailing garbage after EOF").
    if (/No magic number found after the last bzip2 stream/.test(raw)) return { kind: 'trailing', message: 'data that is not bzip2 follows the end of the bzip2 stream' };
    if (/crc32 do not match/.test(raw)) return { kind: 'corrupt', message: 'a bzip2 block CRC does not match the data (the file is corrupt)' };
    if (/ended prematurely/.test(raw) || (sourceEnded && error instanceof TypeError)) return { kind: 'truncated', message: 'the bzip2 stream ends before its end (the file is truncated)' };
    return { kind: 'corrupt', message: `the bzip2 data is corrupt (decoder said: ${raw})` };
  }
  if (compression === 'xz' && xzDataAfterStreamEnd(tail, head)) {
    return { kind: 'trailing', message: 'other data follows the end of the xz stream' };
  }
  if (compression === 'xz') {
    // xz-embedded reports XZ_BUF_ERROR (8) when input runs out, XZ_DATA_ERROR (7) for bad data or checks.
    const m = /error code (\d+)/.exec(raw);
    const xzCode = m ? Number(m[1]) : -1;
    if (xzCode === 8) return { kind: 'truncated', message: 'the xz stream ends before its end (the file is truncated)' };
    if (xzCode === 7) return { kind: 'corrupt', message: 'the xz data or its check does not match (the file is corrupt)' };
    if (xzCode === 5) return { kind: 'corrupt', message: 'the xz stream header is invalid' };
    if (xzCode === 2 || xzCode === 6) return { kind: 'corrupt', message: 'the xz stream uses options or a check this decoder does not support' };
    if (xzCode === 4) return { kind: 'corrupt', message: 'the xz stream needs a dictionary larger than 64 MiB (xz -9 uses 64 MiB), more memory than this reader allows' };
    return { kind: 'corrupt', message: `the xz data is corrupt (${raw})` };
  }
  return { kind: 'corrupt', message: raw };
}

/** Human name of a file type, for messages. */
export function describeFileType(type: FileType): string {
  switch (type) {
    case 'zstd':
      return 'a zstd-compressed file (zstd is not an ACI compression: recompress with gzip, bzip2 or xz)';
    case 'lzma':
      return 'an LZMA-alone (.lzma) file (not an ACI compression: recompress with xz)';
    case 'openpgp':
      return 'an OpenPGP-encrypted file (decrypt it first, e.g. gpg --output image.aci --decrypt image.aci.gpg)';
    case 'text':
      return 'a text file, not an image archive (a manifest?)';
    default:
      return 'not an image archive (no gzip, bzip2 or xz magic and no tar header)';
  }
}
