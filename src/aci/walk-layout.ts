/**
 * Walks an image layout directory like Go's filepath.Walk (A-AW-2): depth-first, pre-order, names in
 * byte order, symlinks not followed. Names are read as bytes, so a name that is not UTF-8 is reported
 * instead of silently dropping its directory (fast-glob does that, which is why it is not used here).
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';

/** One path under the layout root. */
export interface LayoutFile {
  /** Slash-separated path relative to the root, decoded as UTF-8 (U+FFFD where it is not). */
  readonly rel: string;
  /** The absolute path as bytes (usable with every node:fs call). */
  readonly abs: Buffer;
  readonly stats: BigIntStats;
  /** False when some segment of the name is not valid UTF-8. */
  readonly utf8: boolean;
}

const SLASH = Buffer.from('/');
// lstat calls in flight per directory: enough to hide disk latency without flooding the thread pool.
const STAT_BATCH = 64;

/** Yields every path under `root` (not the root itself) in Go's walk order. */
export async function* walkLayout(root: string): AsyncGenerator<LayoutFile> {
  const rootBuf = Buffer.from(root);
  // Each stack frame: a directory's children still to visit, already sorted and stat'ed.
  const stack: { items: LayoutFile[]; i: number }[] = [{ items: await listDir(rootBuf, '', true), i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.i++]!;
    yield item;
    if (item.stats.isDirectory()) stack.push({ items: await listDir(item.abs, item.rel, item.utf8), i: 0 });
  }
}

async function listDir(dir: Buffer, rel: string, parentUtf8: boolean): Promise<LayoutFile[]> {
  const names = (await readdir(dir, { encoding: 'buffer' })) as Buffer[];
  names.sort(Buffer.compare);
  const out: LayoutFile[] = new Array(names.length);
  for (let start = 0; start < names.length; start += STAT_BATCH) {
    const batch = names.slice(start, start + STAT_BATCH);
    const stats = await Promise.all(batch.map((n) => lstat(Buffer.concat([dir, SLASH, n]), { bigint: true })));
    batch.forEach((n, j) => {
      const abs = Buffer.concat([dir, SLASH, n]);
      const ok = isUtf8(n);
      const name = n.toString('utf8');
      out[start + j] = { rel: rel === '' ? name : `${rel}/${name}`, abs, stats: stats[j]!, utf8: parentUtf8 && ok };
    });
  }
  return out;
}
