/**
 * The tar header encoder as it was before its fast path (session 14): strings per octal field, a PAX record
 * object and closures per entry. Kept only to pin the current encoder to it byte for byte
 * (write-tar-reference.test.ts); never used by the product.
 */
import { concatBytes } from '../../../src/internal/bytes.js';
import type { TarEntryInput, WritableEntryType } from '../../../src/aci/tar/write-tar.js';

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

/** Writes an octal field: zero-padded digits and a terminating NUL, as Go and GNU tar do. */
function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = Math.trunc(value)
    .toString(8)
    .padStart(length - 1, '0');
  writeString(block, offset, length - 1, digits);
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
function encodePaxRecords(records: Readonly<Record<string, string>>): Uint8Array {
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

function basicBlock(fields: {
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
}): Uint8Array {
  const b = new Uint8Array(512);
  writeString(b, 0, 100, fields.name);
  writeOctal(b, 100, 8, fields.mode);
  writeOctal(b, 108, 8, fields.uid);
  writeOctal(b, 116, 8, fields.gid);
  writeOctal(b, 124, 12, fields.size);
  writeOctal(b, 136, 12, fields.mtime);
  b[156] = fields.flag;
  writeString(b, 157, 100, fields.linkname);
  writeString(b, 257, 6, 'ustar\0');
  writeString(b, 263, 2, '00');
  writeString(b, 265, 32, fields.uname);
  writeString(b, 297, 32, fields.gname);
  if (fields.devmajor > MAX_OCTAL_7) writeBase256(b, 329, 8, fields.devmajor);
  else writeOctal(b, 329, 8, fields.devmajor);
  if (fields.devminor > MAX_OCTAL_7) writeBase256(b, 337, 8, fields.devminor);
  else writeOctal(b, 337, 8, fields.devminor);
  writeString(b, 345, 155, fields.prefix);
  // Checksum: computed with the field as spaces, stored as six octal digits, NUL, space.
  for (let i = 148; i < 156; i++) b[i] = 0x20;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i]!;
  writeString(b, 148, 6, sum.toString(8).padStart(6, '0'));
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

/** Bytes of zero padding after `size` bytes of data. */
function padding(size: number): number {
  return (512 - (size % 512)) % 512;
}

/**
 * Encodes an entry's header blocks: one ustar block, preceded by a PAX header (and its padded records)
 * when a field does not fit. Data and its padding are the caller's to write.
 */
export function referenceEncodeTarHeader(entry: TarEntryInput): Uint8Array {
  const pax: Record<string, string> = {};
  const size = entry.type === 'file' ? (entry.size ?? 0) : 0;
  let name = entry.name;
  let prefix = '';
  if (!isAscii(name) || name.length > 100) {
    const split = splitUstar(name);
    if (split) [prefix, name] = split;
    else {
      pax['path'] = entry.name;
      name = asciiFallback(entry.name, 100);
    }
  }
  let linkname = entry.linkname ?? '';
  if (!isAscii(linkname) || linkname.length > 100) {
    pax['linkpath'] = linkname;
    linkname = asciiFallback(linkname, 100);
  }
  const num = (key: string, value: number, max: number): number => {
    if (Number.isInteger(value) && value >= 0 && value <= max) return value;
    pax[key] = String(value);
    return 0;
  };
  const uid = num('uid', entry.uid, MAX_OCTAL_7);
  const gid = num('gid', entry.gid, MAX_OCTAL_7);
  const sizeField = num('size', size, MAX_OCTAL_11);
  const mtime = num('mtime', Math.floor(entry.mtime), MAX_OCTAL_11);
  const str = (key: string, value: string): string => {
    if (isAscii(value) && value.length <= 32) return value;
    pax[key] = value;
    return asciiFallback(value, 32);
  };
  const uname = str('uname', entry.uname ?? '');
  const gname = str('gname', entry.gname ?? '');
  for (const [k, v] of Object.entries(entry.xattrs ?? {})) pax[`SCHILY.xattr.${k}`] = v;
  const main = basicBlock({
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
  if (Object.keys(pax).length === 0) return main;
  const records = encodePaxRecords(pax);
  const slash = entry.name.replace(/\/+$/, '').lastIndexOf('/');
  const paxName = asciiFallback(slash === -1 ? `PaxHeaders.0/${entry.name}` : `${entry.name.slice(0, slash)}/PaxHeaders.0/${entry.name.slice(slash + 1)}`, 100);
  const paxHeader = basicBlock({
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
