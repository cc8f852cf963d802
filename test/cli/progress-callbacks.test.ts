/**
 * The progress callbacks behind the bars of extract, render and convert (issue 13 item 3), and the commands
 * staying silent when stderr is not a terminal.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extractAci } from '../../src/aci/extract.js';
import { convertOciImage } from '../../src/convert/convert.js';
import { DirStore } from '../../src/render/dir-store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import { makeAci } from '../support/make-tar.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { runActool } from '../support/run-actool.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-progress-cb-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// 3 MB of file data in plain tars: several 1 MiB source reads, so several calls.
const BIG = 'x'.repeat(3_000_000);
const manifest = (name: string, deps: object[] = []): object => ({ acKind: 'ImageManifest', acVersion: '0.8.11', name, ...(deps.length ? { dependencies: deps } : {}) });
let base = '';
let app = '';
let oci = '';
const storeDir = join(tmp, 'store');

before(() => {
  base = join(tmp, 'base.aci');
  writeFileSync(base, makeAci(manifest('example.com/base'), [{ file: 'rootfs/big', content: BIG }]));
  app = join(tmp, 'app.aci');
  writeFileSync(app, makeAci(manifest('example.com/app', [{ imageName: 'example.com/base' }]), [{ file: 'rootfs/app', content: BIG }]));
  oci = join(tmp, 'oci');
  mkdirSync(oci);
  writeOciLayout(oci, { layers: [{ members: [{ file: 'big', content: BIG }] }, { members: [{ file: 'more', content: BIG }] }] });
});

/** Asserts the reported numbers never shrink, that there were several, and that the last is `total`. */
function assertGrowsTo(values: readonly number[], total: number): void {
  assert.ok(values.length >= 2, `expected several calls, got ${values.length}`);
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!, `value ${i} shrank: ${values[i - 1]} -> ${values[i]}`);
  assert.equal(values[values.length - 1], total);
}

describe('progress callbacks of extract, render and convert', () => {
  it('extractAci reports source bytes growing to the file size, and uncompressed bytes', async () => {
    const seen: { compressedBytes: number; bytes: number }[] = [];
    await extractAci(base, join(tmp, 'x1'), { onProgress: (p) => seen.push(p) });
    assertGrowsTo(
      seen.map((p) => p.compressedBytes),
      statSync(base).size,
    );
    assert.ok(seen[seen.length - 1]!.bytes > 3_000_000, 'the uncompressed bytes include the file data');
  });

  it('renderImage and writeRendered report bytes over all the images, ending at the sum of their sizes', async () => {
    const store = new DirStore(storeDir);
    await store.add(base);
    await store.add(app);
    const total = statSync(base).size + statSync(app).size;
    const reading: number[] = [];
    const rendered = await renderImage(store, { name: 'example.com/app' }, { onProgress: (p) => reading.push(p.compressedBytes) });
    assertGrowsTo(reading, total);
    const writing: number[] = [];
    await writeRendered(store, rendered, join(tmp, 'r1'), { onProgress: (p) => writing.push(p.compressedBytes) });
    assertGrowsTo(writing, total);
  });

  it('convertOciImage reports the tar bytes written, growing over the layered outputs to their sum', async () => {
    const squashed: number[] = [];
    const one = await convertOciImage(oci, { output: join(tmp, 'c1.aci'), compression: 'none', onProgress: (b) => squashed.push(b) });
    assertGrowsTo(squashed, one.images[0]!.bytes);
    const layered: number[] = [];
    const many = await convertOciImage(oci, { output: join(tmp, 'c2.aci'), layered: true, onProgress: (b) => layered.push(b) });
    assert.equal(many.images.length, 2);
    assertGrowsTo(
      layered,
      many.images.reduce((s, i) => s + i.bytes, 0),
    );
  });
});

describe('extract, render and convert print no progress when stderr is not a terminal', () => {
  it('stays silent in a pipeline', async () => {
    const extracted = await runActool(['extract', base, join(tmp, 'x2')]);
    assert.deepEqual([extracted.code, extracted.stderr], [0, '']);
    const converted = await runActool(['convert', oci, join(tmp, 'c3.aci')]);
    assert.deepEqual([converted.code, converted.stderr], [0, '']);
    const rendered = await runActool(['render', `--store=${storeDir}`, 'example.com/app', join(tmp, 'r2')]);
    assert.deepEqual([rendered.code, rendered.stderr], [0, '']);
  });
});
