/**
 * A guess at an image archive's manifest from its last bytes alone, for readers that must choose a strategy
 * before they reach the manifest (the exporter: write the layer while reading, or read twice). Builders
 * following Go's order (this library's included) write the manifest last, so in a plain tar or a gzip of
 * sized members (gzip-members.ts: every member's header gives its length, so the last members are found
 * without inflating the others) the manifest lies in the last MiB or two. Never a verdict: the bytes found
 * are not checked as an archive (a file body may look like a header), and a caller must read the real
 * manifest in its own pass and act only on that.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ImageManifest } from '../schema/image-manifest.js';
import { parseImageManifest } from '../schema/image-manifest.js';
import { concatBytes } from '../internal/bytes.js';
import { detectFileType } from './detect.js';
import { freeMemory } from './garbage.js';
import { MEMBER_HEADER_BYTES, MEMBER_TRAILER_BYTES, sizedMemberLength } from './gzip-members.js';
import { checksumMatches, cString, decodeName, parseNumeric } from './tar/header.js';
import { cleanPath } from './tar/path.js';

/** Bytes of a plain tar's end searched for the manifest. */
const PLAIN_TAIL_BYTES = 2 << 20;
/** Sized members inflated at the end (each holds up to 1 MiB of tar). */
const TAIL_MEMBERS = 2;
/** Most bytes a member may inflate to here (ours hold 1 MiB). */
const MAX_MEMBER_OUTPUT = 4 << 20;
/** Most members walked (a 1 TB archive of ours): beyond that, no guess. */
const MAX_MEMBERS = 1 << 20;
/** A manifest larger than this is not guessed (the readers' default limit is 1 MiB). */
const MAX_MANIFEST_BYTES = 1 << 20;
const BLOCK = 512;

/**
 * The manifest a plain tar or sized-member gzip file seems to end with: the last top-level `manifest` regular
 * file whose header and body lie in the archive's last bytes and whose body is a valid image manifest.
 * Undefined when there is no such thing or the file is in another form (foreign gzip, bzip2, xz), or unreadable.
 */
export function peekManifestAtEnd(path: string): ImageManifest | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const head = readAt(fd, 0, Math.min(BLOCK, st.size));
    if (sizedMemberLength(head) !== undefined) {
      return manifestInLastMembers(fd, st.size);
    }
    if (detectFileType(head) !== 'tar') return undefined;
    const length = Math.min(st.size, PLAIN_TAIL_BYTES);
    const tail = readAt(fd, st.size - length, length);
    try {
      return manifestIn(tail, st.size - length);
    } finally {
      freeAll([tail]);
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Frees the memory of buffers that own it whole (not slices of a pool), rather than leave it to the collector. */
function freeAll(buffers: readonly Uint8Array[]): void {
  for (const b of buffers) if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) freeMemory(b);
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/**
 * The manifest in the last members, walking the members by their headers (two small reads per member: its
 * header, for its length, and its trailer's ISIZE, for the tar offsets). The last member is inflated first and
 * the one before only when the manifest does not lie in the last alone. Undefined when the file is not sized
 * members to its last byte.
 */
function manifestInLastMembers(fd: number, size: number): ImageManifest | undefined {
  const members: { start: number; length: number; tarOffset: number }[] = [];
  let pos = 0;
  let tarOffset = 0;
  while (pos < size) {
    if (members.length >= MAX_MEMBERS) return undefined;
    const length = sizedMemberLength(readAt(fd, pos, MEMBER_HEADER_BYTES));
    if (length === undefined || pos + length > size) return undefined;
    const trailer = readAt(fd, pos + length - MEMBER_TRAILER_BYTES, MEMBER_TRAILER_BYTES);
    members.push({ start: pos, length, tarOffset });
    tarOffset += (trailer[4]! | (trailer[5]! << 8) | (trailer[6]! << 16) | (trailer[7]! << 24)) >>> 0;
    pos += length;
    if (members.length > TAIL_MEMBERS) members.shift();
  }
  // Freed at once (garbage.ts): a peek at the start of an export should not leave megabytes for the collector.
  const held: Uint8Array[] = [];
  const inflate = (m: { start: number; length: number }): Uint8Array => {
    const member = readAt(fd, m.start, m.length);
    held.push(member);
    const out = gunzipSync(member, { maxOutputLength: MAX_MEMBER_OUTPUT });
    held.push(out);
    return out;
  };
  try {
    let tail: Uint8Array | undefined;
    for (let i = members.length - 1; i >= 0; i--) {
      const bytes = inflate(members[i]!);
      tail = tail === undefined ? bytes : concatBytes([bytes, tail]);
      if (tail !== bytes) held.push(tail);
      const found = manifestIn(tail, members[i]!.tarOffset);
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    freeAll(held);
  }
}

/** The last manifest found in `tail`, tar bytes starting at tar offset `offset`. */
function manifestIn(tail: Uint8Array, offset: number): ImageManifest | undefined {
  // Headers sit at tar offsets that are multiples of 512; the last one is searched first.
  const first = (BLOCK - (offset % BLOCK)) % BLOCK;
  for (let at = first + Math.floor((tail.length - BLOCK - first) / BLOCK) * BLOCK; at >= first; at -= BLOCK) {
    const block = tail.subarray(at, at + BLOCK);
    const flag = block[156];
    if ((flag !== 0 && flag !== 0x30) || !checksumMatches(block)) continue;
    const prefix = block[257] === 0x75 /* 'u' of ustar */ ? decodeName(cString(block, 345, 155)).text : '';
    const name = decodeName(cString(block, 0, 100)).text;
    if (cleanPath(prefix === '' ? name : `${prefix}/${name}`) !== 'manifest') continue;
    const bodySize = parseNumeric(block, 124, 12);
    if (!(bodySize >= 0 && bodySize <= MAX_MANIFEST_BYTES) || at + BLOCK + bodySize > tail.length) continue;
    const parsed = parseImageManifest(tail.subarray(at + BLOCK, at + BLOCK + bodySize));
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}
