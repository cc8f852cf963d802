/**
 * Chunks freed at once (garbage.ts dropChunk): with bounded garbage on, as in the CLI, the scan frees each
 * chunk of a sized-member gzip file as soon as it is done with it (the memory is detached, so any view left
 * would read as empty). Pinned here: a marked chunk is freed and an unmarked one is not, and validateAci,
 * computeImageId and readAciManifest give on such files exactly what they give with bounded garbage off (chunks
 * left to the collector, on Node 20), run after run, whole outcomes, damaged files (cuts, flipped bytes,
 * trailing bytes) included; and the verdicts of the serial path (a stream source, never freed early).
 * This file turns bounded garbage on for its process.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { buildAci } from '../../src/aci/build-aci.js';
import { boundGarbage, dropChunk, markSoleView } from '../../src/aci/garbage.js';
import type { AciSource } from '../../src/aci/source.js';
import { incompressibleBytes as noise, TEST_MANIFEST, tempDir } from '../support/aci-layout.js';
import { readerOutcomes } from '../support/reader-outcomes.js';
import { applyDamage, damageArbitrary } from '../support/damage.js';
import { sizedMembers } from '../support/sized-members.js';

const dir = tempDir('drop-chunks-');
after(() => rmSync(dir, { recursive: true, force: true }));
let image: Buffer;
let fileCount = 0;

before(async () => {
  boundGarbage();
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'rootfs', 'd'), { recursive: true });
  writeFileSync(join(layout, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(layout, 'rootfs', 'd', 'noise'), noise(5 << 20, 'noise'));
  writeFileSync(join(layout, 'rootfs', 'small'), 'small file\n');
  const out = join(dir, 'image.aci');
  await buildAci(layout, out, { compression: 'gzip' });
  image = readFileSync(out);
});

/** The same bytes as a stream source: the serial decoder, no chunk marked. */
async function* serially(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
}

/**
 * An outcome's verdict: codes, image ID, manifest size. Not the byte counts, which depend on how the source
 * is cut into chunks (a file path and a stream source are read in different chunks).
 */
function codes(outcome: string): string[] {
  return outcome.match(/ACI_[A-Z_]+|TAR_[A-Z_]+|sha512-[0-9a-f]+|^throws|^\{"ok":(true|false)/g) ?? [];
}

/** The readers' outcomes on a source (readAciManifest too when `withManifest`). */
function outcomes(source: () => AciSource, withManifest = false): Promise<string[]> {
  return readerOutcomes(source, { manifest: withManifest });
}

describe('dropChunk', () => {
  it('frees a chunk marked as the only view of its memory, and leaves others alone', () => {
    const marked = Buffer.allocUnsafe(1 << 20).fill(1);
    markSoleView(marked);
    dropChunk(marked);
    assert.equal(marked.length, 0, 'a freed chunk is detached');
    const unmarked = Buffer.allocUnsafe(1 << 20).fill(2);
    dropChunk(unmarked);
    assert.equal(unmarked.length, 1 << 20);
    assert.equal(unmarked[12345], 2);
  });
});

describe('sized gzip members read with chunks freed early', () => {
  it('the image is large enough to be streamed', () => {
    assert.ok(image.length > 4 << 20, `${image.length} bytes`);
  });

  it('gives the serial path answers on the intact image', async () => {
    const path = join(dir, 'intact.aci');
    writeFileSync(path, image);
    const fast = await outcomes(() => path, true);
    assert.deepEqual(fast, await outcomes(() => serially(image), true));
    assert.equal(fast[3], '"manifest 114"');
    boundGarbage(false);
    assert.deepEqual(await outcomes(() => path, true), fast);
    boundGarbage(true);
    assert.equal(JSON.parse(fast[2]!), 'sha512-' + createHash('sha512').update(gunzipSync(image)).digest('hex'));
  });

  it('gives the serial path answers when members do not end on tar blocks (headers and the manifest split across freed chunks)', async () => {
    // Our writer's members hold 1 MiB of tar each, so its chunks end on 512-byte blocks; a file made elsewhere
    // need not: the walker must have copied every partial header and manifest byte before a chunk is freed.
    const tar = gunzipSync(image);
    const odd = sizedMembers(tar, [700, 100_003, 511, 65_537]);
    const path = join(dir, 'odd-members.aci');
    writeFileSync(path, odd);
    const freed = await outcomes(() => path, true);
    assert.equal(freed[3], '"manifest 114"');
    assert.equal(JSON.parse(freed[2]!), 'sha512-' + createHash('sha512').update(tar).digest('hex'));
    assert.deepEqual(freed, await outcomes(() => serially(odd), true));
    boundGarbage(false);
    assert.deepEqual(await outcomes(() => path, true), freed);
    boundGarbage(true);
  });

  it('gives the verdicts of chunks left to the collector, and of the serial path, on damaged images', async () => {
    await fc.assert(
      fc.asyncProperty(damageArbitrary, async (damage) => {
        const bytes = applyDamage(image, damage);
        const path = join(dir, `${fileCount++}.aci`);
        writeFileSync(path, bytes);
        try {
          boundGarbage(false);
          const kept = await outcomes(() => path, true);
          boundGarbage(true);
          // The same file: the same whole outcomes, byte counts and readAciManifest included (no race).
          assert.deepEqual(await outcomes(() => path, true), kept);
          assert.deepEqual(await outcomes(() => path, true), kept);
          // A stream is read in other chunks, so its counts differ; its verdicts may not.
          assert.deepEqual((await outcomes(() => serially(bytes))).map(codes), kept.slice(0, 3).map(codes));
        } finally {
          rmSync(path, { force: true });
        }
      }),
      { numRuns: 12, seed: 16 },
    );
  });
});
