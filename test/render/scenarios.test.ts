import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { isAppcError } from '../../src/issues/appc-error.js';
import { MemoryStore } from '../../src/render/store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import type { TarSpec } from '../support/make-tar.js';
import { makeAci, makeTar } from '../support/make-tar.js';
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
  /** Permission bits on disk after writing. */
  modes?: Record<string, number>;
  /** Paths that must be hard links to each other on disk. */
  links?: [string, string][];
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
  // Hostile images are stored unchecked: these scenarios test that render itself refuses them.
  const store = new MemoryStore({ check: 'manifest' });
  for (const spec of images) {
    // An image that brings its own rootfs entry (to give it a mode) gets no default one.
    const own = spec.files.some((f) => 'dir' in f && f.dir === 'rootfs');
    await store.add(own ? makeTar([{ file: 'manifest', content: JSON.stringify(manifestOf(spec)) }, ...spec.files]) : makeAci(manifestOf(spec), spec.files));
  }
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
      if (s.order)
        assert.deepEqual(
          r.images.map((i) => i.image.manifest.name),
          s.order,
        );
      const got = Object.fromEntries(r.entries.map((e) => [e.path, r.images[e.image]!.image.manifest.name]));
      assert.deepEqual(got, s.expected);
      assert.deepEqual(
        r.warnings.map((w) => w.code),
        s.warnings ?? [],
      );
      // Rendered twice: once by name, once by image ID, with the same selection.
      const byId = await renderImage(store, r.images[0]!.image.id);
      assert.deepEqual(
        byId.entries.map((e) => e.path),
        r.entries.map((e) => e.path),
      );
      const dir = join(tmp, s.name);
      await writeRendered(store, r, dir);
      for (const [path, text] of Object.entries(s.content ?? {})) assert.equal(readFileSync(join(dir, path), 'utf8'), text);
      for (const [path, mode] of Object.entries(s.modes ?? {})) assert.equal(lstatSync(join(dir, path)).mode & 0o7777, mode, `mode of ${path}`);
      for (const [a, b] of s.links ?? []) assert.equal(lstatSync(join(dir, a)).ino, lstatSync(join(dir, b)).ino, `${a} and ${b} are one file`);
      // Modification times are kept for everything written, the root included.
      for (const e of r.entries) {
        const st = lstatSync(join(dir, e.path === 'rootfs' ? '.' : e.path.slice('rootfs/'.length)));
        assert.equal(Math.floor(st.mtimeMs / 1000), e.header.mtime, `mtime of ${e.path}`);
      }
      for (const path of Object.keys(s.expected ?? {})) if (path !== 'rootfs') assert.ok(statSync(join(dir, path.slice('rootfs/'.length))));
    });
  }
});

describe('renderImage: more', () => {
  it('R-DL-1 a 100-level chain renders in order, the deepest image last', async () => {
    const images: ImageSpec[] = [];
    for (let i = 0; i < 100; i++)
      images.push({ name: `example.com/level${i}`, ...(i < 99 ? { dependencies: [`example.com/level${i + 1}`] } : {}), files: [{ file: `rootfs/f${i}`, content: String(i) }] });
    const store = await storeOf(images);
    const r = await renderImage(store, { name: 'example.com/level0' });
    assert.equal(r.images.length, 100);
    assert.equal(r.images[99]!.image.manifest.name, 'example.com/level99');
    assert.equal(r.images[99]!.level, 99);
    assert.deepEqual(r.images[99]!.chain.slice(0, 2), ['example.com/level0', 'example.com/level1']);
    assert.equal(r.entries.length, 101);
    const dir = join(tmp, 'deep');
    await writeRendered(store, r, dir);
    assert.equal(readdirSync(dir).length, 100);
    assert.equal(readFileSync(join(dir, 'f99'), 'utf8'), '99');
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
    const lying = {
      get: store.get.bind(store),
      find: store.find.bind(store),
      source: async () => makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app' }, [{ file: 'rootfs/other' }]),
    };
    await assert.rejects(renderImage(lying, image!.id), (e: unknown) => isAppcError(e) && e.code === 'RENDER_HASH_MISMATCH');
  });

  it('T-DP-3 warns when a dependency has another size, or (found by ID) another name than the manifest says', async () => {
    const store = await storeOf([{ name: 'example.com/lib', files: [{ file: 'rootfs/l' }] }]);
    const [lib] = await store.find('example.com/lib', {});
    await store.add(makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app', dependencies: [{ imageName: 'example.com/other', imageID: lib!.id, size: 1 }] }, []));
    const r = await renderImage(store, { name: 'example.com/app' });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['RENDER_DEPENDENCY_LABEL_MISMATCH', 'RENDER_SIZE_MISMATCH'],
    );
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

describe('writeRendered: all or nothing', () => {
  const app: ImageSpec = { name: 'example.com/app', files: [{ file: 'rootfs/a', content: 'a' }] };

  it('R-OUT-1 RENDER_TARGET_NOT_EMPTY: a target that holds something or is a file is refused, untouched', async () => {
    const store = await storeOf([app]);
    const r = await renderImage(store, { name: app.name });
    const full = join(tmp, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep'), 'mine');
    await assert.rejects(writeRendered(store, r, full), (e: unknown) => isAppcError(e) && e.code === 'RENDER_TARGET_NOT_EMPTY');
    assert.deepEqual(readdirSync(full), ['keep']);
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    await assert.rejects(writeRendered(store, r, file), (e: unknown) => isAppcError(e) && e.code === 'RENDER_TARGET_NOT_EMPTY');
    // An existing empty directory is fine.
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await writeRendered(store, r, empty);
    assert.equal(readFileSync(join(empty, 'a'), 'utf8'), 'a');
  });

  it('R-SE-9 an archive that changed between renderImage and writeRendered is RENDER_HASH_MISMATCH, and nothing is written', async () => {
    const store = await storeOf([app]);
    const r = await renderImage(store, { name: app.name });
    const swapped = makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: app.name }, [{ file: 'rootfs/a', content: 'b' }]);
    const changed = { get: store.get.bind(store), find: store.find.bind(store), source: async () => swapped };
    const parent = join(tmp, 'changed-parent');
    mkdirSync(parent);
    await assert.rejects(writeRendered(changed, r, join(parent, 'out')), (e: unknown) => isAppcError(e) && e.code === 'RENDER_HASH_MISMATCH');
    assert.deepEqual(readdirSync(parent), []);
    // Without the check (the caller vouches for its store), the new bytes are written.
    await writeRendered(changed, r, join(parent, 'out'), { verifyImageIds: false });
    assert.equal(readFileSync(join(parent, 'out', 'a'), 'utf8'), 'b');
  });

  it('A-VA-4 a relative symlink climbing above rootfs: one verdict with validate (a warning; written as it is, never followed; strict refuses)', async () => {
    const parent = join(tmp, 'escape-parent');
    mkdirSync(parent);
    const store = await storeOf([
      { name: 'example.com/app', files: [{ file: 'rootfs/ok', content: 'ok' }], dependencies: ['example.com/evil'] },
      { name: 'example.com/evil', files: [{ symlink: 'rootfs/escape', target: '../../../etc' }] },
    ]);
    const r = await renderImage(store, { name: 'example.com/app' });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['ACI_SYMLINK_ESCAPES'],
    );
    await writeRendered(store, r, join(parent, 'out'));
    assert.equal(readlinkSync(join(parent, 'out', 'escape')), '../../../etc');
    await assert.rejects(renderImage(store, { name: 'example.com/app' }, { strict: true }), (e: unknown) => isAppcError(e) && e.code === 'ACI_SYMLINK_ESCAPES');
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

describe('rendering random layers (property)', () => {
  // Paths from a small tree, so images often disagree about what a path is.
  const path = fc.array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 3 }).map((p) => `rootfs/${p.join('/')}`);
  const member = fc.oneof(
    path.map((p): TarSpec => ({ dir: p })),
    fc.tuple(path, fc.string({ maxLength: 4 })).map(([p, content]): TarSpec => ({ file: p, content })),
    path.map((p): TarSpec => ({ symlink: p, target: '/elsewhere' })),
  );
  const memberPath = (m: TarSpec): string => ('dir' in m ? m.dir : 'file' in m ? m.file : 'symlink' in m ? m.symlink : m.hardlink);
  /** Drops the members a valid archive cannot hold: anything below an earlier non-directory, a non-directory above earlier members (ACI_PARENT_NOT_DIR). */
  const validLayer = (members: TarSpec[]): TarSpec[] => {
    const kept: TarSpec[] = [];
    for (const m of members) {
      const p = memberPath(m);
      const below = (a: string, b: string): boolean => b.startsWith(a + '/');
      if (kept.some((k) => !('dir' in k) && below(memberPath(k), p))) continue;
      if (!('dir' in m) && kept.some((k) => below(p, memberPath(k)))) continue;
      kept.push(m);
    }
    return kept;
  };
  let run = 0;

  it('R-SE-6 R-SE-7 R-OUT-1 whatever the layers hold, the selection has each path once and writes without conflict', async () => {
    await fc.assert(
      // One member per path in a layer: a repeated path is an invalid archive (ACI_DUPLICATE_ENTRY, tested below).
      fc.asyncProperty(fc.array(fc.uniqueArray(member, { maxLength: 6, selector: memberPath }).map(validLayer), { minLength: 1, maxLength: 3 }), async (layers) => {
        const images: ImageSpec[] = layers.map((files, i) => ({ name: `example.com/l${i}`, files, ...(i + 1 < layers.length ? { dependencies: [`example.com/l${i + 1}`] } : {}) }));
        const store = await storeOf(images);
        const r = await renderImage(store, { name: 'example.com/l0' });
        const paths = r.entries.map((e) => e.path);
        assert.equal(new Set(paths).size, paths.length);
        const dir = join(tmp, `prop-${run++}`);
        await writeRendered(store, r, dir);
        // Every selected non-directory is on disk as its image made it.
        for (const e of r.entries) {
          if (e.path === 'rootfs') continue;
          const st = lstatSync(join(dir, e.path.slice('rootfs/'.length)));
          const want = e.header.type === 'directory' ? st.isDirectory() : e.header.type === 'symlink' ? st.isSymbolicLink() : st.isFile();
          assert.ok(want, `${e.path} is a ${e.header.type}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
