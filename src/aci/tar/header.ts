/** Tar header decoding: ustar, GNU and v7 headers, base-256 numbers, PAX records (POSIX.1-2001 pax; GNU tar formats). Portable. */

/** Entry kinds, named like tar-stream's. `pax-global-header` is kept as an entry because Go reports it as one (A-VA-1). */
export type TarEntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'contiguous-file'
  | 'pax-global-header'
  | 'gnu-sparse'
  | 'gnu-volume-header'
  | 'gnu-multivolume'
  | 'gnu-dumpdir'
  | 'unknown';

/** One decoded tar entry header, with PAX and GNU long names already applied. */
export interface TarHeader {
  /** The member name as stored (PAX `path` or GNU long name when present), decoded as UTF-8. */
  readonly name: string;
  /** Link target (hard link: another member name; symlink: any text). Empty when none. */
  readonly linkname: string;
  readonly type: TarEntryType;
  /** The raw typeflag character (`'0'`, `'5'`, `'x'` ...; `'\0'` for old regular files). */
  readonly typeflag: string;
  /** Permission bits and set-id/sticky bits (`0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of data stored after the header (0 for header-only types, whatever the header says). */
  readonly size: number;
  /** The size field as written, for header-only types that declare one. */
  readonly declaredSize: number;
  /** Modification time in seconds since the epoch (fractional with a PAX `mtime`). */
  readonly mtime: number;
  readonly uname: string;
  readonly gname: string;
  readonly devmajor: number;
  readonly devminor: number;
  /** PAX records that applied to this entry (local merged over global), when any. */
  readonly pax?: Readonly<Record<string, string>>;
  /** Extended attributes from PAX `SCHILY.xattr.*` records. */
  readonly xattrs?: Readonly<Record<string, string>>;
  /** For sparse files: the size of the file once expanded. */
  readonly realSize?: number;
  /** False when the name or link name was not valid UTF-8 (it then holds U+FFFD replacements). */
  readonly utf8: boolean;
  /** Byte offset of the entry's first header block (PAX or GNU long-name headers included) in the tar stream. */
  readonly offset: number;
  /** Byte offset of the entry's data. */
  readonly dataOffset: number;
  /** Exact values of the numeric fields that exceed 2^53 (the number fields then hold the nearest double). */
  readonly exact?: Readonly<Partial<Record<'uid' | 'gid' | 'mtime' | 'devmajor' | 'devminor', bigint>>>;
}

/** A decode failure inside one header; the walker turns it into TAR_BAD_HEADER or TAR_BAD_CHECKSUM. */
export class TarHeaderError extends Error {
  override name = 'TarHeaderError';
  constructor(
    readonly code: 'TAR_BAD_HEADER' | 'TAR_BAD_CHECKSUM',
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/** Decodes bytes as UTF-8; `ok` is false (and U+FFFD used) when they are not valid UTF-8. */
export function decodeName(bytes: Uint8Array): { text: string; ok: boolean } {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && bytes.length <= 256) return { text: String.fromCharCode.apply(null, bytes as unknown as number[]), ok: true };
  try {
    return { text: utf8.decode(bytes), ok: true };
  } catch {
    return { text: utf8Lenient.decode(bytes), ok: false };
  }
}

/** The bytes of a NUL-terminated field. */
export function cString(block: Uint8Array, start: number, length: number): Uint8Array {
  const end = start + length;
  let i = start;
  while (i < end && block[i] !== 0) i++;
  return block.subarray(start, i);
}

/**
 * Parses a numeric field like Go's `parseNumeric`: base-256 when the high bit of the first byte is set,
 * otherwise octal text with spaces and NULs trimmed. Returns NaN when the field is not a number or leaves
 * Go's range (a signed 64-bit integer). Values above 2^53 come back as the nearest double: read them exactly
 * with {@link parseNumericExact}.
 */
export function parseNumeric(block: Uint8Array, start: number, length: number): number {
  const first = block[start]!;
  if (first & 0x80) {
    // Base-256 (GNU): two's complement, big-endian; the first byte carries the sign.
    const negative = (first & 0x40) !== 0;
    let value = 0;
    for (let i = 0; i < length; i++) {
      let b = block[start + i]!;
      if (i === 0) b &= 0x7f;
      if (negative) b ^= 0xff;
      if (i === 0 && negative) b &= 0x7f;
      value = value * 256 + b;
      if (value > Number.MAX_SAFE_INTEGER) {
        const exact = parseNumericExact(block, start, length);
        return exact === undefined ? NaN : Number(exact);
      }
    }
    return negative ? -(value + 1) : value;
  }
  let s = start;
  let e = start + length;
  while (s < e && (block[s] === 0x20 || block[s] === 0)) s++;
  while (e > s && (block[e - 1] === 0x20 || block[e - 1] === 0)) e--;
  if (s === e) return 0;
  // Like Go's parseString: the text ends at the first NUL.
  for (let i = s; i < e; i++)
    if (block[i] === 0) {
      e = i;
      break;
    }
  let value = 0;
  for (let i = s; i < e; i++) {
    const d = block[i]! - 0x30;
    if (d < 0 || d > 7) return NaN;
    value = value * 8 + d;
  }
  return value;
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * The exact value of a numeric field (Go's range: a signed 64-bit integer), or undefined when it is not a
 * number or is out of that range.
 */
export function parseNumericExact(block: Uint8Array, start: number, length: number): bigint | undefined {
  const first = block[start]!;
  if (!(first & 0x80)) {
    const n = parseNumeric(block, start, length);
    return Number.isNaN(n) ? undefined : BigInt(n);
  }
  const negative = (first & 0x40) !== 0;
  let x = 0n;
  for (let i = 0; i < length; i++) {
    let b = block[start + i]!;
    if (negative) b ^= 0xff;
    if (i === 0) b &= 0x7f;
    x = (x << 8n) | BigInt(b);
  }
  if (x > INT64_MAX) return undefined;
  return negative ? -x - 1n : x;
}

/** True when the 512-byte block is all zeros. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < 512; i++) if (block[i] !== 0) return false;
  return true;
}

/** Verifies a header checksum like Go: the unsigned or the signed byte sum, with the field read as spaces. */
export function checksumMatches(block: Uint8Array): boolean {
  const stored = parseNumeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b < 0x80 ? b : b - 256;
  }
  return stored === unsigned || stored === signed;
}

/** The header format, from the magic at offset 257. */
export type TarFormat = 'ustar' | 'star' | 'gnu' | 'v7';

/** Reads the magic and version fields. */
export function formatOf(block: Uint8Array): TarFormat {
  const m = block;
  const isUstarMagic = m[257] === 0x75 && m[258] === 0x73 && m[259] === 0x74 && m[260] === 0x61 && m[261] === 0x72;
  if (!isUstarMagic) return 'v7';
  if (m[262] === 0 && m[263] === 0x30 && m[264] === 0x30) {
    // star puts "tar\0" in the last bytes and a shorter prefix.
    if (m[508] === 0x74 && m[509] === 0x61 && m[510] === 0x72 && m[511] === 0) return 'star';
    return 'ustar';
  }
  if (m[262] === 0x20 && m[263] === 0x20 && m[264] === 0) return 'gnu';
  return 'v7';
}

/** Maps a typeflag byte to an entry type. */
export function typeOfFlag(flag: number): TarEntryType {
  switch (flag) {
    case 0:
    case 0x30:
      return 'file';
    case 0x31:
      return 'link';
    case 0x32:
      return 'symlink';
    case 0x33:
      return 'character-device';
    case 0x34:
      return 'block-device';
    case 0x35:
      return 'directory';
    case 0x36:
      return 'fifo';
    case 0x37:
      return 'contiguous-file';
    case 0x67: // 'g'
      return 'pax-global-header';
    case 0x53: // 'S'
      return 'gnu-sparse';
    case 0x56: // 'V'
      return 'gnu-volume-header';
    case 0x4d: // 'M'
      return 'gnu-multivolume';
    case 0x44: // 'D'
      return 'gnu-dumpdir';
    default:
      return 'unknown';
  }
}

/** Types that never carry data, whatever their size field says (Go `isHeaderOnlyType`). */
export function isHeaderOnly(type: TarEntryType): boolean {
  return type === 'link' || type === 'symlink' || type === 'character-device' || type === 'block-device' || type === 'directory' || type === 'fifo';
}

/** PAX keys whose values are names: a NUL byte in them makes the record invalid (Go's validPAXRecord). */
const NUL_FREE_PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname']);

/**
 * Parses PAX extended header records (`"%d %s=%s\n"`). Throws TarHeaderError on a malformed record,
 * as Go does. Later records win; an empty value deletes the key.
 */
export function parsePaxRecords(data: Uint8Array, into: Record<string, string>): void {
  let pos = 0;
  while (pos < data.length) {
    // Trailing NUL padding after the last record is tolerated (some writers pad).
    if (data[pos] === 0) {
      for (let i = pos; i < data.length; i++) if (data[i] !== 0) throw new TarHeaderError('TAR_BAD_HEADER', 'PAX header has data after NUL padding');
      return;
    }
    let sp = pos;
    while (sp < data.length && sp - pos < 20 && data[sp] !== 0x20) sp++;
    if (sp >= data.length || data[sp] !== 0x20 || sp === pos) throw new TarHeaderError('TAR_BAD_HEADER', 'PAX record has no length');
    let len = 0;
    for (let i = pos; i < sp; i++) {
      const d = data[i]! - 0x30;
      if (d < 0 || d > 9) throw new TarHeaderError('TAR_BAD_HEADER', 'PAX record length is not a decimal number');
      len = len * 10 + d;
    }
    const end = pos + len;
    if (len <= sp - pos + 1 || end > data.length || data[end - 1] !== 0x0a) throw new TarHeaderError('TAR_BAD_HEADER', `PAX record at byte ${pos} has a bad length ${len}`);
    const rec = data.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarHeaderError('TAR_BAD_HEADER', 'PAX record has no key=value');
    const keyBytes = rec.subarray(0, eq);
    const key = utf8Lenient.decode(keyBytes);
    const valueBytes = rec.subarray(eq + 1);
    // As Go's validPAXRecord: no NUL in a key, nor in a name's value (a NUL would cut the name short for the
    // system, and node:fs refuses such a path outright).
    if (keyBytes.includes(0) || (NUL_FREE_PAX_KEYS.has(key) && valueBytes.includes(0))) throw new TarHeaderError('TAR_BAD_HEADER', `PAX record "${key.replaceAll('\0', '\\0')}" holds a NUL byte`);
    // Values are UTF-8 by the standard; keep the raw bytes readable either way (names are re-checked later).
    const value = decodeName(valueBytes).text;
    if (value === '') delete into[key];
    else into[key] = value;
    pos = end;
  }
}

/**
 * Parses a decimal PAX number (integer, or with a fraction for times) within Go's range (a signed 64-bit
 * integer part); NaN when malformed or out of range. Values above 2^53 come back as the nearest double.
 */
export function parsePaxNumber(text: string, allowFraction: boolean): number {
  const re = allowFraction ? /^-?\d+(\.\d+)?$/ : /^\d+$/;
  if (!re.test(text)) return NaN;
  const whole = BigInt(text.split('.')[0]!);
  if (whole > INT64_MAX || whole < -INT64_MAX - 1n) return NaN;
  return Number(text);
}
