/**
 * Bit-level pieces of the bzip2 format for the block-parallel reader (decompress-bzip2-segments.ts): finding
 * the 48-bit block and end-of-stream magics at any bit offset, reading 32-bit fields at a bit offset, and
 * re-emitting a run of blocks as a standalone bzip2 stream (header, the blocks' bits shifted to a byte
 * boundary, an end-of-stream magic and the run's combined CRC). Nothing here decides anything: the magics
 * found may be chance patterns inside block data, which the reader's checks catch.
 */

/** What a magic found in the compressed bytes starts: a block or the end of a stream. */
export type MagicKind = 'block' | 'end';

/** A magic at an absolute bit offset, with the 32-bit field after it (block CRC, or the stream's combined CRC). */
export interface Magic {
  readonly bit: number;
  readonly kind: MagicKind;
  /** The 32 bits after the magic, or undefined when the file ends before them. */
  readonly crc: number | undefined;
}

const BLOCK_MAGIC = 0x314159265359n;
const END_MAGIC = 0x177245385090n;

/** One search pattern: a magic starting at bit `shift` of a byte, as bytes 0..6 of that window with masks. */
interface Pattern {
  readonly kind: MagicKind;
  readonly shift: number;
  /** Bytes 1..5 of the window: always whole bytes of the magic, searched for with indexOf. */
  readonly needle: Buffer;
  readonly first: number;
  readonly firstMask: number;
  readonly last: number;
  readonly lastMask: number;
}

function patternsOf(kind: MagicKind, magic: bigint): Pattern[] {
  const out: Pattern[] = [];
  const ones = (1n << 48n) - 1n;
  for (let shift = 0; shift < 8; shift++) {
    const value = magic << BigInt(16 - shift);
    const mask = ones << BigInt(16 - shift);
    const byte = (v: bigint, i: number): number => Number((v >> BigInt(56 - 8 * i)) & 0xffn);
    out.push({
      kind,
      shift,
      needle: Buffer.from([1, 2, 3, 4, 5].map((i) => byte(value, i))),
      first: byte(value, 0),
      firstMask: byte(mask, 0),
      last: byte(value, 6),
      lastMask: byte(mask, 6),
    });
  }
  return out;
}

const PATTERNS: readonly Pattern[] = [...patternsOf('block', BLOCK_MAGIC), ...patternsOf('end', END_MAGIC)];

/**
 * Every block or end-of-stream magic whose first bit lies in bytes [from, to) of `buf`, sorted by position.
 * `buf` holds the file from byte `base`; it should extend 11 bytes past `to` (or to the end of the file) so
 * the magic and its 32-bit field can be read.
 */
export function findMagics(buf: Buffer, from: number, to: number, base: number): Magic[] {
  const found: Magic[] = [];
  for (const p of PATTERNS) {
    // The needle is bytes 1..5 of the 7-byte window that starts at the magic's first byte k.
    let i = buf.indexOf(p.needle, from + 1);
    while (i !== -1 && i - 1 < to) {
      const k = i - 1;
      const lastOk = p.lastMask === 0 || (k + 6 < buf.length && (buf[k + 6]! & p.lastMask) === p.last);
      if ((buf[k]! & p.firstMask) === p.first && lastOk) {
        const bit = (base + k) * 8 + p.shift;
        // Callers pass 11 bytes past `to` unless the file ends sooner, so a field cut short is cut by the file.
        const crc = k * 8 + p.shift + 80 <= buf.length * 8 ? readBits32(buf, k * 8 + p.shift + 48) : undefined;
        found.push({ bit, kind: p.kind, crc });
      }
      i = buf.indexOf(p.needle, i + 1);
    }
  }
  return found.sort((a, b) => a.bit - b.bit);
}

/** The 32 bits of `buf` starting at bit `bit` (most significant bit first), as an unsigned number. */
export function readBits32(buf: Uint8Array, bit: number): number {
  const k = bit >> 3;
  const s = bit & 7;
  const b = (i: number): number => buf[k + i] ?? 0;
  const word = ((b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3)) >>> 0;
  if (s === 0) return word;
  return ((word << s) | (b(4) >>> (8 - s))) >>> 0;
}

/** The combined CRC of a stream (or a run of blocks) after one more block: rotate left by one, xor. */
export function combineCrc(combined: number, blockCrc: number): number {
  return (((combined << 1) | (combined >>> 31)) ^ blockCrc) >>> 0;
}

/**
 * Writes `count` bytes to `dst` at `at`: the bytes of `src` read from bit `shift` (0..7) of `src[0]`. `src`
 * must hold `count + 1` bytes when `shift` is not 0.
 */
export function shiftBytes(src: Uint8Array, shift: number, dst: Uint8Array, at: number, count: number): void {
  if (shift === 0) {
    dst.set(src.subarray(0, count), at);
    return;
  }
  const back = 8 - shift;
  // Four bytes at a time through 32-bit big-endian words: ~4x a byte loop, which matters at 100 MB.
  const source = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const target = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  let j = 0;
  for (; j + 4 <= count && j + 5 <= src.length; j += 4) target.setUint32(at + j, (source.getUint32(j) << shift) | (src[j + 4]! >>> back));
  for (; j < count; j++) dst[at + j] = ((src[j]! << shift) | ((src[j + 1] ?? 0) >>> back)) & 0xff;
}

/**
 * The end of a re-emitted stream: the last `bits` (0..7) bits of the body (the top bits of `partial`), the
 * end-of-stream magic, the combined CRC, zero padding to a byte.
 */
export function streamTrailer(partial: number, bits: number, combined: number): Buffer {
  const out = Buffer.alloc(11);
  let pos = 0;
  const put = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--) {
      if (Math.floor(value / 2 ** i) % 2 === 1) out[pos >> 3]! |= 0x80 >> (pos & 7);
      pos++;
    }
  };
  put(partial >>> (8 - bits), bits);
  put(0x1772, 16);
  put(0x45385090, 32);
  put(combined, 32);
  return out.subarray(0, (pos + 7) >> 3);
}
