import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAppcError } from '../../src/issues/appc-error.js';
import { MemoryStore } from '../../src/render/store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import type { TarSpec } from '../support/make-tar.js';
import { makeAci } from '../support/make-tar.js';
import { readJsonFixture } from '../support/paths.js';

interface ImageSpec {
  name: string;
  dependencies?: string[];
  pathWhitelist?: string[];
  labels?: { name: string; value: string }[];
  files: TarSpec[];
}
interface Scenario {
  name: string;
  rule: string;
  images: ImageSpec[];
  order?: string[];
  expected?: Record<string, string>;
  content?: Record<string, string>;
  warnings?: string[];
  error?: { code: string; message: string };
}

const tmp = mkdtempSync(join(tmpdir(), 'appc-render-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function manifestOf(spec: ImageSpec): object {
  return {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: spec.name,
    ...(spec.labels ? { labels: spec.labels } : {}),
    ...(spec.dependencies ? { dependencies: spec.dependencies.map((imageName) => ({ imageName })) } : {}),
    ...(spec.pathWhitelist ? { pathWhitelist: spec.pathWhitelist } : {}),
  };
}

async function storeOf(images: readonly ImageSpec[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const spec of images) await store.add(makeAci(manifestOf(spec), spec.files));
  return store;
}

const { scenarios } = readJsonFixture<{ scenarios: Scenario[] }>('render', 'scenarios.json');

describe('renderImage: the reference renderer scenarios', () => {
  for (const s of scenarios) {
    it(`${s.rule} ${s.name}`, async () => {
      const store = await storeOf(s.images);
      const root = { name: s.images[0]!.name };
      if (s.error) {
        await assert.rejects(renderImage(store, root), (e: unknown) => isAppcError(e) && e.code === s.error!.code && e.message.includes(s.error!.message));
        return;
      }
      const r = await renderImage(store, root);
      if (s.order) assert.deepEqual(r.images.map((i) => i.image.manifest.name), s.order);
      const got = Object.fromEntries(r.entries.map((e) => [e.path, r.images[e.image]!.image.manifest.name]));
      assert.deepEqual(got, s.expected);
      assert.deepEqual(r.warnings.map((w) => w.code), s.warnings ?? []);
      // Rendered twice: once by name, once by image ID, with the same selection.
      const byId = await renderImage(store, r.images[0]!.image.id);
      assert.deepEqual(byId.entries.map((e) => e.path), r.entries.map((e) => e.path));
      const dir = join(tmp, s.name);
      await writeRendered(store, r, dir);
      for (const [path, text] of Object.entries(s.content ?? {})) assert.equal(readFileSync(join(dir, path), 'utf8'), text);
      for (const path of Object.keys(s.expected ?? {})) if (path !== 'rootfs') assert.ok(statSync(join(dir, path.slice('rootfs/'.length))));
    });
  }
});

describe('renderImage: more', () => {
  it('R-DL-1 a 100-level chain renders in order, the deepest image last', async () => {
    const images: ImageSpec[] = [];
    for (let i = 0; i < 100; i++) images.push({ name: `example.com/level${i}`, ...(i < 99 ? { dependencies: [`example.com/level${i + 1}`] } : {}), files: [{ file: `rootfs/f${i}`, content: String(i) }] });
    const store = await storeOf(images);
    const r = await renderImage(store, { name: 'example.com/level0' }, { verifyImageIds: false });
    assert.equal(r.images.length, 100);
    assert.equal(r.images[99]!.image.manifest.name, 'example.com/level99');
    assert.equal(r.images[99]!.level, 99);
    assert.equal(r.entries.length, 101);
  });

  it('DirOverride keeps the upper directory mode on disk (R-OUT-1)', async () => {
    const s = scenarios.find((x) => x.name === 'DirOverride')!;
    const store = await storeOf(s.images);
    const dir = join(tmp, 'mode');
    await writeRendered(store, await renderImage(store, { name: s.images[0]!.name }), dir);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o755);
  });

  it('picks the newest version by semver when several images match a dependency by name', async () => {
    const store = await storeOf([
      { name: 'example.com/app', dependencies: ['example.com/lib'], files: [] },
      { name: 'example.com/lib', labels: [{ name: 'version', value: '1.2.0' }], files: [{ file: 'rootfs/v', content: '1.2.0' }] },
      { name: 'example.com/lib', labels: [{ name: 'version', value: '1.10.0' }], files: [{ file: 'rootfs/v', content: '1.10.0' }] },
      { name: 'example.com/lib', labels: [{ name: 'version', value: '1.10.0-rc.1' }], files: [{ file: 'rootfs/v', content: 'rc' }] },
    ]);
    const r = await renderImage(store, { name: 'example.com/app' });
    assert.equal(r.images[1]!.image.manifest.labels?.[0]?.value, '1.10.0');
  });

  it('R-SE-9 refuses an image whose bytes do not hash to its ID', async () => {
    const store = await storeOf([{ name: 'example.com/app', files: [{ file: 'rootfs/a' }] }]);
    const [image] = await store.find('example.com/app', {});
    const lying = { get: store.get.bind(store), find: store.find.bind(store), source: async () => makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app' }, [{ file: 'rootfs/other' }]) };
    await assert.rejects(renderImage(lying, image!.id), (e: unknown) => isAppcError(e) && e.code === 'RENDER_HASH_MISMATCH');
  });

  it('T-DP-3 warns when a dependency has another size, or (found by ID) another name than the manifest says', async () => {
    const store = await storeOf([{ name: 'example.com/lib', files: [{ file: 'rootfs/l' }] }]);
    const [lib] = await store.find('example.com/lib', {});
    await store.add(makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app', dependencies: [{ imageName: 'example.com/other', imageID: lib!.id, size: 1 }] }, []));
    const r = await renderImage(store, { name: 'example.com/app' });
    assert.deepEqual(r.warnings.map((w) => w.code), ['RENDER_DEPENDENCY_LABEL_MISMATCH', 'RENDER_SIZE_MISMATCH']);
  });

  it('a dependency tree larger than maxImages is RENDER_TOO_DEEP (a diamond lattice grows exponentially)', async () => {
    const images: ImageSpec[] = [];
    for (let i = 0; i < 20; i++) images.push({ name: `example.com/l${i}`, ...(i < 19 ? { dependencies: [`example.com/l${i + 1}`, `example.com/l${i + 1}`] } : {}), files: [] });
    const store = await storeOf(images);
    await assert.rejects(renderImage(store, { name: 'example.com/l0' }, { maxImages: 1000 }), (e: unknown) => isAppcError(e) && e.code === 'RENDER_TOO_DEEP');
  });

  it('an unknown image is RENDER_IMAGE_NOT_FOUND', async () => {
    const store = await storeOf([]);
    await assert.rejects(renderImage(store, { name: 'example.com/none' }), (e: unknown) => isAppcError(e) && e.code === 'RENDER_IMAGE_NOT_FOUND');
  });
});

describe('compareVersionLabels', () => {
  const rows: [string, string, number][] = [
    ['1.10.0', '1.2.0', 1],
    ['1.0.0', '1.0.0-rc.1', 1],
    ['1.0.0-rc.10', '1.0.0-rc.2', 1],
    ['v2.0.0', '1.9.9', 1],
    ['1.2.3', 'latest', 1],
    ['latest', 'latest', 0],
    ['9223372036854775807.0.0', '1.0.0', 1],
  ];
  for (const [a, b, sign] of rows) {
    it(`orders ${a} against ${b} by semver precedence (${sign})`, async () => {
      const { compareVersionLabels } = await import('../../src/render/resolve.js');
      // `+ 0` turns -0 into 0, which strict equality tells apart.
      assert.equal(Math.sign(compareVersionLabels(a, b)) + 0, sign);
      assert.equal(Math.sign(compareVersionLabels(b, a)) + 0, -sign + 0);
    });
  }
});
