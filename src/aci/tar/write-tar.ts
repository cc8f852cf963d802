/**
 * Tar header encoding, like Go's tar.Writer: a plain ustar header when every field fits, otherwise a
 * PAX extended header first (long or non-ASCII names, big ids, sizes or times, xattrs). Directory names
 * are written without a trailing slash (A-TH-3). Portable.
 */
import { concatBytes } from '../../internal/bytes.js';

/** The entry types a builder writes (A-TH-1). */
export type WritableEntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

/** One entry to write. */
export interface TarEntryInput {
  readonly name: string;
  readonly type: WritableEntryType;
  /** Permission and set-id/sticky bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname?: string | undefined;
  readonly gname?: string | undefined;
  /** Data size; only regular files carry data. */
  readonly size?: number;
  /** Modification time in whole seconds since the epoch. */
  readonly mtime: number;
  readonly linkname?: string | undefined;
  readonly devmajor?: number | undefined;
  readonly devminor?: number | undefined;
  /** Extended attributes, written as PAX `SCHILY.xattr.<name>` records. */
  readonly xattrs?: Readonly<Record<string, string>>;
}

const FLAGS: Record<WritableEntryType, number> = {
  file: 0x30,
  link: 0x31,
  symlink: 0x32,
  'character-device': 0x33,
  'block-device': 0x34,
  directory: 0x35,
  fifo: 0x36,
};

const encoder = new TextEncoder();
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80 || s.charCodeAt(i) === 0) return false;
  return true;
}

function writeString(block: Uint8Array, offset: number, length: number, s: string): void {
  for (let i = 0; i < s.length && i < length; i++) block[offset + i] = s.charCodeAt(i);
}

/** 8 ** n for the field widths, by n (a table: `8 ** n` is a call to pow per field). */
const OCTAL_CAPACITY: readonly number[] = Array.from({ length: 12 }, (_, n) => 8 ** n);

/**
 * Writes `value` as `digits` zero-padded octal digits. Digits are computed, not formatted: a header used to
 * make two strings per field (toString, padStart), ~2 KB of garbage per entry for the builder.
 */
function writeDigits(block: Uint8Array, offset: number, digits: number, value: number): void {
  if (!(value >= 0 && value < OCTAL_CAPACITY[digits]! && Number.isInteger(value))) return writeDigitsAsText(block, offset, digits, value);
  let v = value;
  for (let i = offset + digits - 1; i >= offset; i--) {
    block[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
}

/**
 * What {@link writeDigits} wrote before it computed digits, kept for values that are not a whole number that
 * fits: only a device number from a caller (negative or fractional; the builder's never are) gets here, since
 * every other field is checked to fit first.
 */
function writeDigitsAsText(block: Uint8Array, offset: number, digits: number, value: number): void {
  writeString(block, offset, digits, Math.trunc(value).toString(8).padStart(digits, '0'));
}

/** Writes an octal field: zero-padded digits and a terminating NUL, as Go and GNU tar do. */
function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeDigits(block, offset, length - 1, value);
  block[offset + length - 1] = 0;
}

/** Writes a GNU base-256 field (for device numbers that do not fit in octal). */
function writeBase256(block: Uint8Array, offset: number, length: number, value: number): void {
  let v = value;
  for (let i = length - 1; i > 0; i--) {
    block[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[offset] = 0x80;
}

/** Splits a long ASCII name into ustar prefix and name (Go `splitUSTARPath`). */
function splitUstar(name: string): [string, string] | undefined {
  if (name.length <= 100 || !isAscii(name)) return undefined;
  let length = name.length;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  if (i <= 0) return undefined;
  const suffix = name.length - i - 1;
  if (suffix > 100 || suffix === 0 || i > 155) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Encodes PAX records (`"%d %s=%s\n"`, the length counting itself). */
export function encodePaxRecords(records: Readonly<Record<string, string>>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = encoder.encode(` ${key}=${value}\n`);
    let len = body.length + 1;
    while (String(len).length + body.length > len) len++;
    const rec = encoder.encode(`${len}${` ${key}=${value}\n`}`);
    parts.push(rec);
  }
  return concatBytes(parts);
}

/** A device number field: octal, or GNU base-256 when it does not fit. */
function writeDevice(b: Uint8Array, offset: number, value: number): void {
  if (value > MAX_OCTAL_7) writeBase256(b, offset, 8, value);
  else writeOctal(b, offset, 8, value);
}

/** The bytes every ustar block shares: the magic and version, device numbers 0, the checksum field as spaces. */
const BLOCK_TEMPLATE: Uint8Array = (() => {
  const b = new Uint8Array(512);
  writeString(b, 257, 6, 'ustar\0');
  writeString(b, 263, 2, '00');
  writeOctal(b, 329, 8, 0);
  writeOctal(b, 337, 8, 0);
  b.fill(0x20, 148, 156);
  return b;
})();

/** Fills `b` (all 512 bytes) with a ustar header block. */
function basicBlock(
  b: Uint8Array,
  fields: {
    name: string;
    prefix: string;
    mode: number;
    uid: number;
    gid: number;
    size: number;
    mtime: number;
    flag: number;
    linkname: string;
    uname: string;
    gname: string;
    devmajor: number;
    devminor: number;
  },
): Uint8Array {
  // What every block shares (the rest is zeros): fewer writes, and a smaller function for V8 to optimize.
  b.set(BLOCK_TEMPLATE);
  writeString(b, 0, 100, fields.name);
  writeOctal(b, 100, 8, fields.mode);
  writeOctal(b, 108, 8, fields.uid);
  writeOctal(b, 116, 8, fields.gid);
  writeOctal(b, 124, 12, fields.size);
  writeOctal(b, 136, 12, fields.mtime);
  b[156] = fields.flag;
  writeString(b, 157, 100, fields.linkname);
  writeString(b, 265, 32, fields.uname);
  writeString(b, 297, 32, fields.gname);
  if (fields.devmajor !== 0) writeDevice(b, 329, fields.devmajor);
  if (fields.devminor !== 0) writeDevice(b, 337, fields.devminor);
  writeString(b, 345, 155, fields.prefix);
  // Checksum: computed with the field as spaces (in the template), stored as six octal digits, NUL, space.
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  writeDigits(b, 148, 6, sum);
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

/** Bytes of zero padding after `size` bytes of data. */
export function padding(size: number): number {
  return (512 - (size % 512)) % 512;
}

/** Whether `value` fits a numeric ustar field (a whole number from 0 to `max`); otherwise it goes in a PAX record. */
function fits(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** Whether a string fits a ustar text field of `max` bytes as it is (ASCII, no NUL). */
function fitsText(value: string, max: number): boolean {
  return value.length <= max && isAscii(value);
}

/**
 * Encodes an entry's header blocks: one ustar block, preceded by a PAX header (and its padded records)
 * when a field does not fit. Data and its padding are the caller's to write.
 *
 * @param into a 512-byte block to encode into when no PAX header is needed (it is returned, overwritten
 * whole), for a writer that copies each header out before it encodes the next; by default a new block.
 */
export function encodeTarHeader(entry: TarEntryInput, into?: Uint8Array): Uint8Array {
  // Records in Go's order, made only when a field does not fit (most entries need none).
  let pax: Record<string, string> | undefined;
  const size = entry.type === 'file' ? (entry.size ?? 0) : 0;
  let name = entry.name;
  let prefix = '';
  if (!fitsText(name, 100)) {
    const split = splitUstar(name);
    if (split) [prefix, name] = split;
    else {
      (pax ??= {})['path'] = entry.name;
      name = asciiFallback(entry.name, 100);
    }
  }
  let linkname = entry.linkname ?? '';
  if (!fitsText(linkname, 100)) {
    (pax ??= {})['linkpath'] = linkname;
    linkname = asciiFallback(linkname, 100);
  }
  let uid = entry.uid;
  if (!fits(uid, MAX_OCTAL_7)) {
    (pax ??= {})['uid'] = String(uid);
    uid = 0;
  }
  let gid = entry.gid;
  if (!fits(gid, MAX_OCTAL_7)) {
    (pax ??= {})['gid'] = String(gid);
    gid = 0;
  }
  let sizeField = size;
  if (!fits(sizeField, MAX_OCTAL_11)) {
    (pax ??= {})['size'] = String(sizeField);
    sizeField = 0;
  }
  let mtime = Math.floor(entry.mtime);
  if (!fits(mtime, MAX_OCTAL_11)) {
    (pax ??= {})['mtime'] = String(mtime);
    mtime = 0;
  }
  let uname = entry.uname ?? '';
  if (!fitsText(uname, 32)) {
    (pax ??= {})['uname'] = uname;
    uname = asciiFallback(uname, 32);
  }
  let gname = entry.gname ?? '';
  if (!fitsText(gname, 32)) {
    (pax ??= {})['gname'] = gname;
    gname = asciiFallback(gname, 32);
  }
  if (entry.xattrs !== undefined) for (const [k, v] of Object.entries(entry.xattrs)) (pax ??= {})[`SCHILY.xattr.${k}`] = v;
  const reuse = pax === undefined && into !== undefined && into.length === 512;
  const main = basicBlock(reuse ? into : new Uint8Array(512), {
    name,
    prefix,
    mode: entry.mode & 0o7777,
    uid,
    gid,
    size: sizeField,
    mtime,
    flag: FLAGS[entry.type],
    linkname,
    uname,
    gname,
    devmajor: entry.devmajor ?? 0,
    devminor: entry.devminor ?? 0,
  });
  if (pax === undefined) return main;
  const records = encodePaxRecords(pax);
  const slash = entry.name.replace(/\/+$/, '').lastIndexOf('/');
  const paxName = asciiFallback(slash === -1 ? `PaxHeaders.0/${entry.name}` : `${entry.name.slice(0, slash)}/PaxHeaders.0/${entry.name.slice(slash + 1)}`, 100);
  const paxHeader = basicBlock(new Uint8Array(512), {
    name: paxName,
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime,
    flag: 0x78,
    linkname: '',
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
  });
  const out = new Uint8Array(512 + records.length + padding(records.length) + 512);
  out.set(paxHeader, 0);
  out.set(records, 512);
  out.set(main, out.length - 512);
  return out;
}

/** An ASCII stand-in for a field that goes in a PAX record: non-ASCII characters dropped, cut to `max`. */
function asciiFallback(s: string, max: number): string {
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c > 0 && c < 0x80) out += s[i];
  }
  return out;
}

/** The end-of-archive marker: two zero blocks (Go writes no further record padding). */
export const END_OF_ARCHIVE: Uint8Array = new Uint8Array(1024);
