/**
 * Walks an image layout directory like Go's filepath.Walk (A-AW-2): depth-first, pre-order, names in
 * byte order, symlinks not followed. Names are read as bytes, so a name that is not UTF-8 is reported
 * instead of silently dropping its directory (fast-glob does that, which is why it is not used here).
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { entryTypeOfBigIntStats } from './entry-type.js';
import type { TarEntryType } from './tar/header.js';

/** One path under the layout root. */
export interface LayoutFile {
  /** Slash-separated path relative to the root, decoded as UTF-8 (U+FFFD where it is not). */
  readonly rel: string;
  /**
   * The absolute path for node:fs calls: a string when every segment is valid UTF-8 (the string encodes back
   * to the same bytes), else the bytes.
   */
  readonly abs: string | Buffer;
  readonly stats: BigIntStats;
  /** What the stats say the path is (entryTypeOf), found once for the walk, the checks and the writer. */
  readonly type: TarEntryType;
  /** False when some segment of the name is not valid UTF-8. */
  readonly utf8: boolean;
}

const SLASH = 0x2f;

/**
 * Yields every path under `root` (not the root itself) in Go's walk order. Directory reads and lstat calls
 * are synchronous, as Go's are: one system call each instead of a thread-pool round trip, which made the
 * walk ten times slower than Go's on trees of small files. A directory is read and stat'ed in one step, so
 * the event loop waits at most that long (~2 µs per entry).
 */
export async function* walkLayout(root: string): AsyncGenerator<LayoutFile> {
  yield* walkLayoutSync(root);
}

/** {@link walkLayout} without the promise per path, for callers that walk in one go. */
export function* walkLayoutSync(root: string): Generator<LayoutFile> {
  // Each stack frame: a directory's children still to visit, already sorted and stat'ed.
  const stack: { items: LayoutFile[]; i: number }[] = [{ items: listDir(root, '', true), i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.i++]!;
    yield item;
    if (item.type === 'directory') stack.push({ items: listDir(item.abs, item.rel, item.utf8), i: 0 });
  }
}

/**
 * A directory's children, sorted by their names' bytes. Names are read as strings: a Buffer per name (its
 * own ArrayBuffer) and a path Buffer per entry were most of the walk's garbage. A name that is not valid
 * UTF-8 decodes with U+FFFD, so a directory with U+FFFD in any name is read again as bytes.
 */
function listDir(dir: string | Buffer, rel: string, parentUtf8: boolean): LayoutFile[] {
  if (typeof dir !== 'string') return listDirBytes(dir, rel, parentUtf8);
  const names = readdirSync(dir);
  for (const n of names) if (n.includes('\uFFFD')) return listDirBytes(Buffer.from(dir), rel, parentUtf8);
  names.sort(compareCodePoints);
  const items: LayoutFile[] = [];
  for (const name of names) {
    const abs = `${dir}/${name}`;
    const stats = lstatSync(abs, { bigint: true });
    items.push({ rel: rel === '' ? name : `${rel}/${name}`, abs, stats, type: entryTypeOfBigIntStats(stats), utf8: parentUtf8 });
  }
  return items;
}

/** Orders strings by code point, which is the byte order of their UTF-8 (UTF-16 units put U+E000-U+FFFF after surrogates). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800-DFFF, code points above FFFF) after E000-FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function listDirBytes(dir: Buffer, rel: string, parentUtf8: boolean): LayoutFile[] {
  const names = readdirSync(dir, { encoding: 'buffer' });
  names.sort(Buffer.compare);
  const items: LayoutFile[] = [];
  for (const n of names) {
    // The path, built in place: Buffer.concat checked and summed a list per name.
    const abs = Buffer.allocUnsafe(dir.length + 1 + n.length);
    dir.copy(abs, 0);
    abs[dir.length] = SLASH;
    n.copy(abs, dir.length + 1);
    const name = n.toString('utf8');
    const stats = lstatSync(abs, { bigint: true });
    items.push({ rel: rel === '' ? name : `${rel}/${name}`, abs, stats, type: entryTypeOfBigIntStats(stats), utf8: parentUtf8 && isUtf8(n) });
  }
  return items;
}
