import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateEach, validateMany } from '../../src/node/validate-many.js';
import type { PathReport } from '../../src/node/validate-path.js';
import { validatePath } from '../../src/node/validate-path.js';
import { fixturePath } from '../support/paths.js';
import { makeLayout, tempDir } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));
const manifests = ['image', 'pod', 'any'].flatMap((kind) =>
  ['valid', 'invalid'].flatMap((verdict) => {
    const dir = fixturePath('manifests', kind, verdict);
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  }),
);
const aci = readdirSync(fixturePath('aci'))
  .filter((f) => f.endsWith('.aci'))
  .sort()
  .map((f) => fixturePath('aci', f));

describe('validateMany', () => {
  it('A-CD-2 detects the type like Go in the workers: directory -> layout, archive magic -> image, text -> manifest', async () => {
    const [lay, img, zstd, text, missing] = await validateMany(
      [makeLayout(tmp), fixturePath('aci', 'gnu-tar-xz.aci'), fixturePath('aci', 'zstd.aci'), fixturePath('aci', 'text.aci'), join(tmp, 'nope')],
      { concurrency: 2, workerMinBytes: 0 },
    );
    assert.equal(lay!.type, 'layout');
    assert.equal(lay!.valid, true);
    assert.equal(img!.type, 'appimage');
    assert.equal(img!.compression, 'xz');
    assert.match(img!.imageId ?? '', /^sha512-[0-9a-f]{128}$/);
    assert.equal(zstd!.issues[0]?.code, 'ACI_UNSUPPORTED_COMPRESSION');
    assert.equal(text!.type, 'manifest');
    assert.equal(missing!.issues[0]?.code, 'FILE_UNREADABLE');
  });

  it('gives the same reports in input order with a worker pool as one by one', async () => {
    const inputs = [...aci, join(tmp, 'missing.aci')];
    const seen: number[] = [];
    const pooled = await validateMany(inputs, { concurrency: 2, workerMinBytes: 0, onResult: (i) => seen.push(i) });
    const serial = await validateMany(inputs, { concurrency: 1 });
    assert.deepEqual(pooled, serial);
    assert.equal(pooled.length, inputs.length);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      inputs.map((_, i) => i),
    );
    assert.equal(pooled[pooled.length - 1]!.valid, false);
    assert.ok(pooled.some((r) => r.valid));
  });

  it('passes options to the workers (strict turns warnings into errors)', async () => {
    const [loose, strict] = await Promise.all([
      validateMany([fixturePath('aci', 'symlink-escape.aci'), fixturePath('aci', 'minimal.aci')], { concurrency: 2, workerMinBytes: 0 }),
      validateMany([fixturePath('aci', 'symlink-escape.aci'), fixturePath('aci', 'minimal.aci')], { concurrency: 2, workerMinBytes: 0, strict: true }),
    ]);
    assert.equal(loose[0]!.valid, true);
    assert.equal(strict[0]!.valid, false);
    assert.equal(strict[1]!.valid, true);
  });

  it('validateEach streams the reports of validatePath one by one, for a long mixed batch (with and without the stat pass)', async () => {
    // Valid and invalid manifests of every kind, small images, a directory and a missing file, repeated.
    const base = [...manifests, ...aci.slice(0, 6), makeLayout(tmp, 'batch-layout'), join(tmp, 'missing.json')];
    const inputs = Array.from({ length: 600 }, (_, i) => base[i % base.length]!);
    const expected: PathReport[] = [];
    for (const input of inputs) expected.push(await validatePath(input));
    assert.ok(expected.some((r) => r.valid) && expected.some((r) => !r.valid));
    for (const concurrency of [1, 2]) {
      const got: PathReport[] = new Array(inputs.length);
      const order: number[] = [];
      await validateEach(inputs, {
        concurrency,
        onResult: (i, report) => {
          got[i] = report;
          order.push(i);
        },
      });
      assert.deepEqual(got, expected);
      // No input is large (no pool), so the reports come in input order.
      assert.deepEqual(
        order,
        inputs.map((_, i) => i),
      );
      assert.deepEqual(await validateMany(inputs, { concurrency }), expected);
    }
  });

  it('validateEach sets large inputs of a long list aside for the pool, in the probe or after it, with the same reports', async () => {
    // With workerMinBytes 4000, these images are "large"; every manifest fixture is smaller.
    const big = ['gnu-tar-plain.aci', 'members-ok.aci', 'members-bad-crc.aci'].map((f) => fixturePath('aci', f));
    const lists = [
      // Mostly manifests (no stat pass): two large inputs in the probe (pooled), two after it (validated in turn).
      Array.from({ length: 700 }, (_, i) => (i === 3 || i === 40 ? big[0]! : i === 300 || i === 650 ? big[i % 3]! : manifests[i % manifests.length]!)),
      // Mostly manifests, one large input in the probe.
      Array.from({ length: 650 }, (_, i) => (i === 10 ? big[1]! : manifests[i % manifests.length]!)),
      // Mostly large inputs: a stat pass; the probe's large inputs and the later ones share the pool.
      Array.from({ length: 620 }, (_, i) => (i % 5 === 0 ? manifests[i % manifests.length]! : big[i % 3]!)),
    ];
    for (const inputs of lists) {
      const expected: PathReport[] = [];
      for (const input of inputs) expected.push(await validatePath(input));
      const got: PathReport[] = new Array(inputs.length);
      const seen: number[] = [];
      await validateEach(inputs, {
        concurrency: 2,
        workerMinBytes: 4000,
        onResult: (i, report) => {
          got[i] = report;
          seen.push(i);
        },
      });
      assert.deepEqual(got, expected);
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        inputs.map((_, i) => i),
      );
    }
  });
});
