/**
 * Freed chunks on the serial paths (s12-rss): with bounded garbage on, as in the CLI, a foreign gzip file's
 * zlib outputs that fill a whole zlib buffer are freed by the consumer (decompress.ts markWholeOutputs), its
 * source chunks once zlib has consumed them and they left the tail (source.ts release), and a plain tar's
 * chunks once the reader is done with them. Pinned here: the marking never marks a chunk that shares its memory,
 * the tail still holds the file's last bytes, and validateAci, computeImageId, readAciManifest and extractAci
 * give exactly what they give with bounded garbage off (chunks left to the collector, on Node 20), whole
 * outcomes, on intact and damaged files. The same for bzip2 and xz files read through the `bzip2 -dc` and
 * `xz -dc` children, whose source chunks are freed once the child's pipe took them (s13-rss). This file turns
 * bounded garbage on for its process.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { buildAci } from '../../src/aci/build-aci.js';
import { decompressStream, ZLIB_CHUNK } from '../../src/aci/decompress.js';
import { findProgram } from '../../src/aci/find-program.js';
import { boundGarbage, dropChunk } from '../../src/aci/garbage.js';
import { openSource, tailBytes, TAIL_BYTES } from '../../src/aci/source.js';
import { incompressibleBytes as noise, TEST_MANIFEST, tempDir } from '../support/aci-layout.js';
import { readerOutcomes } from '../support/reader-outcomes.js';
import { applyDamage, damageArbitrary } from '../support/damage.js';

const dir = tempDir('serial-release-');
after(() => rmSync(dir, { recursive: true, force: true }));
let tar: Buffer;
let foreign: Buffer;
/** A smaller tar as bzip2 and xz (over the 256 KiB below which the built-in decoders are used), by program. */
const viaChild = new Map<'bzip2' | 'xz', Buffer>();
let fileCount = 0;

before(async () => {
  boundGarbage();
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'rootfs', 'd'), { recursive: true });
  writeFileSync(join(layout, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(layout, 'rootfs', 'd', 'noise'), noise(5 << 20, 'noise'));
  // Text that compresses well, so zlib fills whole output buffers from one input chunk.
  writeFileSync(join(layout, 'rootfs', 'd', 'text'), 'a line of text that repeats\n'.repeat(200_000));
  writeFileSync(join(layout, 'rootfs', 'small'), 'small file\n');
  const out = join(dir, 'plain.aci');
  await buildAci(layout, out, { compression: 'none' });
  tar = readFileSync(out);
  // One plain gzip stream (not our sized members): the serial decoder reads it.
  foreign = gzipSync(tar, { level: 1 });
  const small = join(dir, 'small');
  mkdirSync(join(small, 'rootfs'), { recursive: true });
  writeFileSync(join(small, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(small, 'rootfs', 'noise'), noise(600_000, 'small noise'));
  writeFileSync(join(small, 'rootfs', 'text'), 'a line of text that repeats\n'.repeat(20_000));
  await buildAci(small, join(dir, 'small.aci'), { compression: 'none' });
  const smallTar = readFileSync(join(dir, 'small.aci'));
  for (const program of ['bzip2', 'xz'] as const) {
    if (findProgram(program) === undefined) continue;
    const r = spawnSync(program, ['-c', '-6'], { input: smallTar, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, String(r.stderr));
    viaChild.set(program, r.stdout);
  }
});

/** The readers' outcomes on a file, extractAci's written tree included. */
function outcomes(path: string): Promise<string[]> {
  return readerOutcomes(() => path, { manifest: true, extractTo: join(dir, `x${fileCount++}`) });
}

/**
 * Outcomes with bounded garbage off (chunks left to the collector), then on (freed), which must be the same,
 * whole, byte counts included, for the readers that do not hash (validate without the image ID, readAciManifest,
 * extractAci) and for the hashing ones (validate with the image ID, computeImageId), on intact and damaged
 * files. The hashing readers read slowly enough that zlib's final-flush failure (a cut trailer, a byte after the
 * stream) found outputs still buffered, which it dropped (feed-then-fail.ts now hands them on): their outcome
 * varied from run to run until then.
 */
async function assertSameFreed(path: string): Promise<string[]> {
  boundGarbage(false);
  let kept: string[];
  try {
    kept = await outcomes(path);
  } finally {
    boundGarbage(true);
  }
  assert.deepEqual(await outcomes(path), kept);
  return kept;
}

describe('markWholeOutputs (serial gunzip)', () => {
  it('marks only chunks that are the only view of their memory, and frees exactly those', async () => {
    const chunks: Buffer[] = [];
    // Input in uneven pieces, so zlib's output buffers are shared by several chunks at the piece boundaries.
    const pieces = [1000, 70_000, 3, 300_000];
    const input = Readable.from(
      (function* () {
        for (let o = 0, i = 0; o < foreign.length; i++) {
          const n = pieces[i % pieces.length]!;
          yield foreign.subarray(o, o + n);
          o += n;
        }
      })(),
    );
    for await (const chunk of decompressStream('gzip', input)) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(tar));
    const byMemory = new Map<ArrayBufferLike, number>();
    for (const c of chunks) byMemory.set(c.buffer, (byMemory.get(c.buffer) ?? 0) + 1);
    let freed = 0;
    let kept = 0;
    for (const c of chunks) {
      const shared = byMemory.get(c.buffer)! > 1;
      const length = c.length;
      dropChunk(c);
      if (c.length === 0) {
        freed++;
        assert.equal(length, ZLIB_CHUNK);
        assert.ok(!shared, 'a freed chunk shared its memory with another chunk');
      } else kept++;
    }
    assert.ok(freed > 10 && kept > 0, `${freed} freed, ${kept} kept`);
  });
});

describe('openSource release', () => {
  it('frees a file chunk only once it has left the tail, which keeps the last bytes', async () => {
    const path = join(dir, 'source.bin');
    const bytes = noise((3 << 20) + 12_345, 'source');
    writeFileSync(path, bytes);
    const opened = await openSource(path);
    const seen: Buffer[] = [];
    for await (const chunk of opened.stream) {
      seen.push(chunk as Buffer);
      opened.release(chunk as Buffer);
    }
    assert.ok(seen.length >= 4, `${seen.length} chunks`);
    // Every chunk that left the tail was freed; the tail is whole and holds the file's last bytes.
    for (const c of seen.slice(0, -2)) assert.equal(c.length, 0);
    const tail = tailBytes(opened.stats);
    assert.ok(tail.length >= TAIL_BYTES);
    assert.ok(Buffer.from(tail).equals(bytes.subarray(bytes.length - tail.length)));
    opened.close();
  });

  it('never frees the chunks of a source it did not read itself', async () => {
    const bytes = noise(2 << 20, 'stream');
    const chunks = [bytes.subarray(0, 1 << 20), Buffer.from(bytes.subarray(1 << 20))];
    const opened = await openSource(Readable.from(chunks));
    for await (const chunk of opened.stream) opened.release(chunk as Buffer);
    assert.equal(chunks[1]!.length, 1 << 20);
    opened.close();
  });
});

describe('serial gzip and plain tar files read with chunks freed early', () => {
  it('the archives are large enough to be streamed', () => {
    assert.ok(foreign.length > 4 << 20 && tar.length > 4 << 20, `${foreign.length}, ${tar.length} bytes`);
  });

  it('A-CD-2 a foreign gzip cut in its trailer or followed by a byte: ACI_TRUNCATED from every reader, every run, freed or not', async () => {
    for (const [name, bytes] of [
      ['cut 8 bytes short', foreign.subarray(0, foreign.length - 8)],
      ['cut 1 byte short', foreign.subarray(0, foreign.length - 1)],
      ['one byte after the stream', Buffer.concat([foreign, Buffer.from([11])])],
    ] as const) {
      const path = join(dir, `${fileCount++}.aci`);
      writeFileSync(path, bytes);
      try {
        for (let run = 0; run < 3; run++) {
          const kept = await assertSameFreed(path);
          for (const i of [0, 1]) assert.match(kept[i]!, /ACI_TRUNCATED/, `${name}: validateAci`);
          assert.match(kept[2]!, /^throws ACI_TRUNCATED/, `${name}: computeImageId`);
          assert.match(kept[4]!, /^throws ACI_TRUNCATED/, `${name}: extractAci`);
        }
      } finally {
        rmSync(path, { force: true });
      }
    }
  });

  for (const kind of ['foreign gzip', 'plain tar'] as const) {
    it(`gives the outcomes of chunks left to the collector on an intact ${kind}`, async () => {
      const path = join(dir, `intact-${kind.replace(' ', '-')}.aci`);
      writeFileSync(path, kind === 'plain tar' ? tar : foreign);
      const kept = await assertSameFreed(path);
      assert.equal(kept[3], '"manifest 114"');
      assert.equal(JSON.parse(kept[2]!), 'sha512-' + createHash('sha512').update(tar).digest('hex'));
      assert.match(kept[4]!, /"written":\d+/);
    });

    it(`gives the outcomes of chunks left to the collector on a damaged ${kind}`, async () => {
      const image = kind === 'plain tar' ? tar : foreign;
      await fc.assert(
        fc.asyncProperty(damageArbitrary, async (damage) => {
          const bytes = applyDamage(image, damage);
          const path = join(dir, `${fileCount++}.aci`);
          writeFileSync(path, bytes);
          try {
            await assertSameFreed(path);
          } finally {
            rmSync(path, { force: true });
          }
        }),
        { numRuns: 6, seed: 12 },
      );
    });
  }
});

describe('bzip2 and xz files read through the system programs, source chunks freed once the pipe took them', () => {
  for (const program of ['bzip2', 'xz'] as const) {
    it(`${program}: the outcomes of chunks left to the collector, on an intact file and damaged ones`, {
      skip: findProgram(program) === undefined ? `${program} is not installed` : false,
    }, async () => {
      const image = viaChild.get(program)!;
      assert.ok(image.length > 256 << 10, `${image.length} bytes: over the built-in decoders' limit`);
      const path = join(dir, `intact.${program}.aci`);
      writeFileSync(path, image);
      const kept = await assertSameFreed(path);
      assert.match(kept[4]!, /"written":\d+/);
      await fc.assert(
        fc.asyncProperty(damageArbitrary, async (damage) => {
          const damaged = join(dir, `${fileCount++}.aci`);
          writeFileSync(damaged, applyDamage(image, damage));
          try {
            await assertSameFreed(damaged);
          } finally {
            rmSync(damaged, { force: true });
          }
        }),
        { numRuns: 4, seed: 13 },
      );
    });
  }
});
