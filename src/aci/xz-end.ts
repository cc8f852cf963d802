/**
 * Finds the end of an xz stream in the last bytes of a file, so data after it is told apart from damage
 * inside the stream whichever decoder failed (the system `xz` says "Compressed data is corrupt" for both,
 * the built-in decoder says "stream header is invalid"). Facts from the xz file format 1.0.4 §2.1.2.4:
 * a stream footer is CRC32(4) + backward size(4) + stream flags(2) + "YZ", and the flags repeat the header's.
 */

/** The xz stream footer size. */
const FOOTER = 12;
/** The magic bytes that start an xz stream. */
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/**
 * True when `tail` (the last bytes of the file) holds a valid stream footer followed by bytes that are
 * neither stream padding (zero bytes, a multiple of four) nor another xz stream. `head` is the file's
 * start, whose bytes 6-7 are the stream flags every footer repeats.
 */
export function xzDataAfterStreamEnd(tail: Uint8Array, head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let p = tail.length - FOOTER; p >= 0; p--) {
    if (tail[p + 10] !== 0x59 || tail[p + 11] !== 0x5a) continue;
    if (tail[p + 8] !== head[6] || tail[p + 9] !== head[7]) continue;
    const stored = (tail[p]! | (tail[p + 1]! << 8) | (tail[p + 2]! << 16) | (tail[p + 3]! << 24)) >>> 0;
    if (crc32(tail.subarray(p + 4, p + 10)) !== stored) continue;
    return followedByOtherData(tail.subarray(p + FOOTER));
  }
  return false;
}

/** Whether the bytes after a footer are something other than padding or a next stream. */
function followedByOtherData(rest: Uint8Array): boolean {
  if (rest.length === 0) return false;
  let zeros = 0;
  while (zeros < rest.length && rest[zeros] === 0) zeros++;
  if (zeros === rest.length) return zeros % 4 !== 0;
  if (zeros % 4 !== 0) return true;
  return !XZ_MAGIC.every((b, i) => rest[zeros + i] === b);
}

/** CRC-32 (IEEE, as xz uses) of a few bytes; bitwise, as it only ever runs over 6 bytes per candidate. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
