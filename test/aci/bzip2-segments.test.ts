/**
 * The block-parallel bzip2 reader (src/aci/decompress-bzip2-segments.ts) gives exactly the bytes and the
 * verdict of the serial decoder (`bzip2 -dc`), on valid files of every level, multi-stream files, and damaged
 * ones (flips, cuts, a block magic planted in the data, trailing bytes, a bad combined CRC). Small segment
 * sizes make small files take the parallel path with many segments.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ArchiveError } from '../../src/aci/archive-codes.js';
import { bzip2SegmentCounts, bzip2Segmenting } from '../../src/aci/decompress-bzip2-segments.js';
import { findProgram } from '../../src/aci/find-program.js';
import { openArchive } from '../../src/aci/open-archive.js';

const dir = mkdtempSync(join(tmpdir(), 'bzip2-segments-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const saved = { ...bzip2Segmenting };
after(() => Object.assign(bzip2Segmenting, saved));

async function readThrough(path: string): Promise<string> {
  let archive;
  try {
    archive = await openArchive(path);
  } catch (e) {
    if (e instanceof ArchiveError) return e.code;
    throw e;
  }
  const hash = createHash('sha512');
  try {
    for await (const _ of archive.chunks(() => false, hash)) void _;
    return `ok ${archive.bytes} ${hash.digest('hex').slice(0, 32)}`;
  } catch (e) {
    if (e instanceof ArchiveError) return `${e.code} ${e.message.replace(/ \(\d+ compressed bytes read\)/, '')}`;
    throw e;
  } finally {
    archive.close();
  }
}

/** Serial and parallel reads of the same bytes. */
async function both(bytes: Uint8Array): Promise<{ serial: string; parallel: string; segments: number }> {
  const path = join(dir, `${fileCount++}.bz2`);
  writeFileSync(path, bytes);
  Object.assign(bzip2Segmenting, { minFileBytes: 0, segmentBytes: 3000, lanes: 1 });
  const serial = await readThrough(path);
  const before = bzip2SegmentCounts.segments;
  Object.assign(bzip2Segmenting, { lanes: 2 });
  const parallel = await readThrough(path);
  return { serial, parallel, segments: bzip2SegmentCounts.segments - before };
}

/**
 * Pseudo-random bytes, or text-like ones. Files are kept above 256 KiB compressed: below that the serial path
 * uses the built-in decoder, whose messages differ from `bzip2 -dc`'s (the parallel path is only taken above).
 */
function data(size: number, seed: number, random: boolean): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 64) createHash('sha512').update(`${seed} ${i}`).digest().copy(out, i);
  if (!random) for (let i = 0; i < size; i++) out[i] = 97 + (out[i]! % 7);
  return out;
}

const bzip2 = (input: Uint8Array, level: number): Buffer => execFileSync('bzip2', [`-${level}`, '-c'], { input, maxBuffer: 1 << 28 });

describe('block-parallel bzip2: same bytes and verdict as the serial decoder', { skip: findProgram('bzip2') === undefined && 'bzip2 not installed' }, () => {
  it('reads valid single- and multi-stream files of each level in many segments', async () => {
    for (let level = 1; level <= 9; level++) {
      const one = bzip2(Buffer.concat([data(270_000, level, true), data(level * 20_000, level, false)]), level);
      const r = await both(level % 3 === 0 ? Buffer.concat([one, bzip2(data(30_000, 7, true), 1), one]) : one);
      assert.equal(r.parallel, r.serial, `level ${level}`);
      assert.match(r.serial, /^ok /);
      assert.ok(r.segments > (level <= 2 ? 1 : 0), `level ${level}: took the parallel path (${r.segments} segments)`);
    }
  });

  const damage = fc.oneof(
    fc.record({ kind: fc.constant('none' as const) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('magic' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), shift: fc.integer({ min: 0, max: 7 }), end: fc.boolean() }),
    fc.record({ kind: fc.constant('trailing' as const), bytes: fc.constantFrom('zeros', 'garbage', 'BZh', 'BZh9') }),
    fc.record({ kind: fc.constant('combined' as const) }),
  );
  const content = fc.record({
    size: fc.integer({ min: 0, max: 120_000 }),
    seed: fc.integer({ min: 0, max: 1000 }),
    random: fc.boolean(),
    level: fc.integer({ min: 1, max: 9 }),
    streams: fc.integer({ min: 1, max: 3 }),
  });

  it('property: random files, damaged or not', async () => {
    await fc.assert(
      fc.asyncProperty(content, damage, async (c, d) => {
        const parts: Buffer[] = [];
        for (let s = 0; s < c.streams; s++) parts.push(bzip2(data(Math.floor(c.size / c.streams), c.seed + s, c.random), c.level));
        parts.unshift(bzip2(data(270_000, c.seed, true), c.level));
        let file = Buffer.concat(parts);
        const at = (x: number): number => Math.min(file.length - 1, Math.floor(x * file.length));
        if (d.kind === 'flip') file[at(d.at)]! ^= d.value;
        if (d.kind === 'cut') file = file.subarray(0, at(d.at));
        if (d.kind === 'combined') file[file.length - 2]! ^= 1;
        if (d.kind === 'trailing') file = Buffer.concat([file, d.bytes === 'zeros' ? Buffer.alloc(9) : Buffer.from(d.bytes === 'garbage' ? 'GARBAGE' : d.bytes)]);
        if (d.kind === 'magic') {
          // A block (or end-of-stream) magic written into the data at any bit offset: a false boundary.
          const magic = d.end ? 0x177245385090n : 0x314159265359n;
          const bit = Math.max(32, at(d.at) * 8 - 64) + d.shift;
          for (let i = 0; i < 48; i++) {
            const b = bit + i;
            if (b >> 3 >= file.length) break;
            const one = Number((magic >> BigInt(47 - i)) & 1n);
            file[b >> 3] = (file[b >> 3]! & ~(0x80 >> (b & 7))) | (one << (7 - (b & 7)));
          }
        }
        const r = await both(file);
        assert.equal(r.parallel, r.serial, `damage ${JSON.stringify(d)}`);
      }),
      { numRuns: 60 },
    );
  });
});
