/** File type detection from the first bytes (checklist §3.2 A-CD-1..3; Go `aci.DetectFileType`, extended). Portable. */

/**
 * What the first bytes of a file look like. The first five follow Go's order (gzip, bzip2, xz, tar, text);
 * `zstd`, `lzma` and `openpgp` are recognised so tools can say what a file is instead of "unknown".
 */
export type FileType = 'gzip' | 'bzip2' | 'xz' | 'tar' | 'zstd' | 'lzma' | 'openpgp' | 'text' | 'unknown';

/** How many leading bytes detection looks at (Go reads at most 512). */
export const SNIFF_LENGTH = 512;

const GZIP = [0x1f, 0x8b];
const BZIP2 = [0x42, 0x5a, 0x68];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
// LZMA-alone: the properties byte is almost always 0x5d (lc=3 lp=0 pb=2), followed by a little-endian dictionary size.
const LZMA = [0x5d, 0x00, 0x00];
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];
const TAR_MAGIC_OFFSET = 257;
const PGP_ARMOR = ascii('-----BEGIN PGP MESSAGE-----');

function startsWith(bytes: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[offset + i] !== sig[i]) return false;
  return true;
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * True for the first byte of an OpenPGP message that an encrypted file starts with: a public-key or
 * symmetric-key encrypted session key packet (tags 1 and 3), or encrypted data (tags 9, 18, 20), in
 * the old or the new packet format (RFC 4880 / RFC 9580 §4.2).
 */
function isOpenPgpPacket(bytes: Uint8Array): boolean {
  const b = bytes[0];
  if (b === undefined || (b & 0x80) === 0 || bytes.length < 2) return false;
  const tag = b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
  return tag === 1 || tag === 3 || tag === 9 || tag === 18 || tag === 20;
}

// Signatures Go's http.DetectContentType checks before its plain-text rule; a file starting with one of
// them is not "text/plain; charset=utf-8", so Go calls it unknown (A-CD-1: UTF-16 text is unknown).
// Kept as byte arrays, made once: validating 10,000 manifests sniffs 10,000 heads.
const HTML_TAGS = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(ascii);
const EXACT_NON_TEXT = ['%PDF-', '%!PS-Adobe-', 'GIF87a', 'GIF89a', 'BM', '.snd', 'wOFF', 'wOF2', 'ID3', '<?xml'].map(ascii);
// RIFF and FORM containers: four size bytes (any value) between the two ASCII tags.
const MASKED_NON_TEXT: readonly (readonly [number[], number[]])[] = [
  ['RIFF', 'WAVE'],
  ['RIFF', 'AVI '],
  ['RIFF', 'WEBP'],
  ['FORM', 'AIFF'],
].map(([outer, inner]) => [ascii(outer!), ascii(inner!)] as const);
const BOMS = [
  [0xfe, 0xff],
  [0xff, 0xfe],
  [0xef, 0xbb, 0xbf],
];

function isWhitespace(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
}

/** Go's sniffing says `text/plain; charset=utf-8`: no binary control bytes and no other known signature first. */
function sniffsAsUtf8Text(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, SNIFF_LENGTH);
  // A JSON object (a manifest: what a batch sniffs 10,000 times): whitespace and then `{` match no BOM and
  // no signature (those start with `<`, a letter, `%`, `.` or a BOM byte), so only the binary bytes decide.
  let first = 0;
  while (first < head.length && isWhitespace(head[first]!)) first++;
  if (head[first] === 0x7b) return !hasBinaryByte(head);
  // A UTF-8 BOM is text/plain; charset=utf-8 in Go; UTF-16 BOMs are another charset.
  if (startsWith(head, BOMS[2]!)) return true;
  if (startsWith(head, BOMS[0]!) || startsWith(head, BOMS[1]!)) return false;
  let start = 0;
  while (start < head.length && isWhitespace(head[start]!)) start++;
  for (const sig of HTML_TAGS) {
    if (head.length < start + sig.length + 1) continue;
    let match = true;
    for (let i = 0; i < sig.length && match; i++) {
      let c = head[start + i]!;
      if (c >= 0x61 && c <= 0x7a && sig[i]! >= 0x41 && sig[i]! <= 0x5a) c -= 0x20;
      match = c === sig[i];
    }
    const next = head[start + sig.length]!;
    if (match && (next === 0x20 || next === 0x3e)) return false;
  }
  for (const sig of EXACT_NON_TEXT) {
    if (startsWith(head, sig, sig[0] === 0x3c ? start : 0)) return false;
  }
  for (const [outer, inner] of MASKED_NON_TEXT) {
    if (startsWith(head, outer) && startsWith(head, inner, 8)) return false;
  }
  return !hasBinaryByte(head);
}

// Go's binary bytes, all below 0x20: 0x00-0x08, 0x0B, 0x0E-0x1A, 0x1C-0x1F (not tab, LF, FF, CR or ESC). Bit b is set for byte b.
const BINARY_CONTROL_BYTES = 0xf7ffc9ff;

/**
 * Whether any byte is one of Go's binary bytes. One comparison for a byte of text (0x20 and up) and a bit
 * test for the others: a batch of manifests sniffs 512 bytes of each, and a chain of range comparisons per
 * byte cost twice as much in every tier.
 */
function hasBinaryByte(head: Uint8Array): boolean {
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b < 0x20 && ((BINARY_CONTROL_BYTES >>> b) & 1) !== 0) return true;
  }
  return false;
}

/**
 * Detects the type of a file from its first bytes (pass at least the first 512 when the file has them).
 * Order: gzip, bzip2, xz, tar (A-CD: `ustar` at offset 257 and more than 262 bytes read), then zstd,
 * lzma, OpenPGP (binary packets or ASCII armor), then Go's plain-text sniffing, else unknown.
 * @example detectFileType(firstBytes) === 'gzip'
 */
export function detectFileType(firstBytes: Uint8Array): FileType {
  const b = firstBytes.subarray(0, SNIFF_LENGTH);
  if (startsWith(b, GZIP)) return 'gzip';
  if (startsWith(b, BZIP2)) return 'bzip2';
  if (startsWith(b, XZ)) return 'xz';
  if (b.length > TAR_MAGIC_OFFSET + USTAR.length && startsWith(b, USTAR, TAR_MAGIC_OFFSET)) return 'tar';
  if (startsWith(b, ZSTD)) return 'zstd';
  if (startsWith(b, LZMA)) return 'lzma';
  if (isOpenPgpPacket(b)) return 'openpgp';
  let start = 0;
  while (start < b.length && isWhitespace(b[start]!)) start++;
  if (startsWith(b, PGP_ARMOR, start)) return 'openpgp';
  // Like Go, an empty file sniffs as text.
  if (sniffsAsUtf8Text(b)) return 'text';
  return 'unknown';
}

/** The compressions an ACI may use (spec/aci.md: gzip, bzip2, xz, or none). */
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'none';

/** Maps a detected file type to the compression of an image archive, or undefined when it is not one. */
export function compressionOf(type: FileType): Compression | undefined {
  switch (type) {
    case 'gzip':
    case 'bzip2':
    case 'xz':
      return type;
    case 'tar':
      return 'none';
    default:
      return undefined;
  }
}
