/**
 * Sized gzip members: the gzip this library writes is a series of gzip members (RFC 1952 §2.2: a gzip file is
 * one or more members, read back to back by every gzip reader), each holding up to 1 MiB of input deflated on
 * its own, and each carrying in its header an FEXTRA subfield `AC` (appc) with the member's total compressed
 * length, as BGZF (SAM/BAM) does with its `BC` subfield. A reader that knows the subfield can find every
 * member without inflating the one before it, so it can inflate several at once; any other reader sees plain
 * multi-member gzip.
 */

/** Bytes of a sized member's header: the 10 fixed bytes, XLEN, and the 8-byte `AC` subfield. */
export const MEMBER_HEADER_BYTES = 20;
/** Bytes of a member's trailer (CRC-32 and ISIZE). */
export const MEMBER_TRAILER_BYTES = 8;
/** Largest member the parallel reader accepts (our writer's are about 1 MiB at most; anything larger is read serially). */
export const MAX_MEMBER_BYTES = 8 << 20;

const SI1 = 0x41; // 'A'
const SI2 = 0x43; // 'C'
const FEXTRA = 0x04;

/**
 * The header of a sized member whose total length (header, deflate data and trailer) is `memberBytes`.
 * ID1 ID2 CM=deflate FLG=FEXTRA MTIME=0 XFL=0 OS=3 (Unix), XLEN=8, then `A` `C` LEN=4 and the length:
 * no name and no time, so equal input gives equal bytes.
 */
export function sizedMemberHeader(memberBytes: number): Buffer {
  const h = Buffer.from([0x1f, 0x8b, 8, FEXTRA, 0, 0, 0, 0, 0, 3, 8, 0, SI1, SI2, 4, 0, 0, 0, 0, 0]);
  h.writeUInt32LE(memberBytes >>> 0, 16);
  return h;
}

/**
 * The total length of the member whose header starts `bytes`, when it is exactly a header {@link sizedMemberHeader}
 * writes and the length is plausible; undefined for anything else (a foreign gzip header, a lying or absurd
 * length, too few bytes), which the reader then leaves to the serial decoder.
 */
export function sizedMemberLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < MEMBER_HEADER_BYTES) return undefined;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8 || bytes[3] !== FEXTRA) return undefined;
  if (bytes[10] !== 8 || bytes[11] !== 0 || bytes[12] !== SI1 || bytes[13] !== SI2 || bytes[14] !== 4 || bytes[15] !== 0) return undefined;
  const n = (bytes[16]! | (bytes[17]! << 8) | (bytes[18]! << 16) | (bytes[19]! << 24)) >>> 0;
  // The smallest member: header, an empty final deflate block (2 bytes), trailer.
  if (n < MEMBER_HEADER_BYTES + 2 + MEMBER_TRAILER_BYTES || n > MAX_MEMBER_BYTES) return undefined;
  return n;
}
