import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAppcError } from '../../src/issues/appc-error.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';
import type { ImageStore, StoredImage } from '../../src/render/store.js';
import { MemoryStore } from '../../src/render/store.js';
import { findByNameAndLabels, newestByVersion, resolveDependencies } from '../../src/render/resolve.js';
import type { ResolvedImage } from '../../src/render/resolve.js';
import { upperWhitelists, whitelistOf } from '../../src/render/select.js';
import { renderImage } from '../../src/render/render.js';
import { makeAci } from '../support/make-tar.js';

/** A store of manifests only (the resolver never opens archives). */
function manifestStore(images: readonly StoredImage[]): ImageStore {
  return {
    get: async (id) => images.find((i) => i.id === id),
    find: async (name, labels) => images.filter((i) => i.manifest.name === name && Object.entries(labels).every(([k, v]) => i.manifest.labels?.some((l) => l.name === k && l.value === v))),
    source: async () => {
      throw new Error('not used');
    },
  };
}

let counter = 0;
function image(name: string, extra: Partial<ImageManifest> = {}, more: Partial<StoredImage> = {}): StoredImage {
  const id = 'sha512-' + (counter++).toString(16).padStart(128, '0');
  return { id, size: 100, manifest: { acKind: 'ImageManifest', acVersion: '0.8.11', name, ...extra } as ImageManifest, ...more };
}

const dep = (imageName: string, extra: object = {}): NonNullable<ImageManifest['dependencies']>[number] => ({ imageName, ...extra }) as never;

describe('upperWhitelists (the Go TestGetUpperPWLM cases)', () => {
  const wl0 = ['/a/path/white/list/level0/1'];
  const wl1 = ['/a/path/white/list/level1/1'];
  const item = (level: number, parent: number, pathWhitelist: string[]): ResolvedImage => ({ image: image('example.com/test01', { pathWhitelist }), level, parent, chain: [] });
  const sets = (images: ResolvedImage[]): ReturnType<typeof whitelistOf>[] => images.map((i) => whitelistOf(i, []));

  it('R-UW-1 the rendered image gets no upper whitelist', () => {
    const images = [item(0, -1, wl0)];
    assert.deepEqual(upperWhitelists(images, sets(images), 0), []);
  });

  it('R-UW-3 A(pwl) -> B(pwl) -> C: C is filtered by both (Go: only A, the top-most)', () => {
    const images = [item(0, -1, wl0), item(1, 0, wl1), item(2, 1, [])];
    const got = upperWhitelists(images, sets(images), 2).map((s) => [...s]);
    assert.deepEqual(got, [['rootfs/a/path/white/list/level1/1'], ['rootfs/a/path/white/list/level0/1']]);
  });

  it('R-UW-2 A -> [B -> D, C(pwl)]: D gets none (C is a sibling subtree, not an ancestor)', () => {
    // List order A, C, B, D as Go builds it.
    const images = [item(0, -1, []), item(1, 0, wl1), item(1, 0, []), item(2, 2, [])];
    assert.deepEqual(upperWhitelists(images, sets(images), 3), []);
  });

  it('R-UW-2 the sibling leak Go has: A -> [B, C(pwl) -> D] lists A, C, D, B; B gets none', () => {
    const images = [item(0, -1, []), item(1, 0, wl1), item(2, 1, []), item(1, 0, [])];
    assert.deepEqual(upperWhitelists(images, sets(images), 3), []);
    assert.equal(upperWhitelists(images, sets(images), 2).length, 1);
  });

  it('A-PW-2 entries are joined onto rootfs and cleaned; a relative one warns RENDER_WHITELIST_RELATIVE', () => {
    const warnings: { code: string }[] = [];
    const set = whitelistOf(item(0, -1, ['/', '/etc/systemd/system/', 'rel', '/a/../b', '/../../x']), warnings as never);
    assert.deepEqual([...set!].sort(), ['rootfs', 'rootfs/b', 'rootfs/etc/systemd/system', 'rootfs/rel', 'rootfs/x']);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['RENDER_WHITELIST_RELATIVE'],
    );
    assert.equal(whitelistOf(item(0, -1, []), []), undefined, 'A-PW-1 an empty list is no list');
  });
});

describe('resolveDependencies', () => {
  it('R-DL-2 A->[B,C], C->[D] gives A, C, D, B; parents and levels follow the tree', async () => {
    const d = image('example.com/d');
    const c = image('example.com/c', { dependencies: [dep('example.com/d')] });
    const b = image('example.com/b');
    const a = image('example.com/a', { dependencies: [dep('example.com/b'), dep('example.com/c')] });
    const { images } = await resolveDependencies(manifestStore([a, b, c, d]), a);
    assert.deepEqual(
      images.map((i) => [i.image.manifest.name.slice(12), i.level, i.parent]),
      [
        ['a', 0, -1],
        ['c', 1, 0],
        ['d', 2, 1],
        ['b', 1, 0],
      ],
    );
    assert.deepEqual(images[2]!.chain, ['example.com/a', 'example.com/c', 'example.com/d']);
  });

  it('R-DL-1 a dependency with an imageID is found by ID even when a newer image has the name', async () => {
    const old = image('example.com/lib', { labels: [{ name: 'version', value: '1.0.0' }] as never });
    const newer = image('example.com/lib', { labels: [{ name: 'version', value: '2.0.0' }] as never });
    const app = image('example.com/app', { dependencies: [dep('example.com/lib', { imageID: old.id })] });
    const { images, warnings } = await resolveDependencies(manifestStore([app, old, newer]), app);
    assert.equal(images[1]!.image.id, old.id);
    assert.deepEqual(warnings, []);
  });

  it('R-DL-3 by ID, another name or labels is RENDER_DEPENDENCY_LABEL_MISMATCH; another size RENDER_SIZE_MISMATCH', async () => {
    const lib = image('example.com/lib', { labels: [{ name: 'version', value: '1.0.0' }] as never });
    const app = image('example.com/app', { dependencies: [dep('example.com/lib', { imageID: lib.id, labels: [{ name: 'version', value: '2.0.0' }], size: 5 })] });
    const { warnings } = await resolveDependencies(manifestStore([app, lib]), app);
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['RENDER_DEPENDENCY_LABEL_MISMATCH', 'RENDER_SIZE_MISMATCH'],
    );
    assert.match(warnings[1]!.message, /100 bytes; the manifest says 5/);
  });

  it('a missing dependency by ID names the chain (RENDER_DEPENDENCY_NOT_FOUND)', async () => {
    const app = image('example.com/app', { dependencies: [dep('example.com/lib', { imageID: 'sha512-' + 'f'.repeat(128) })] });
    await assert.rejects(resolveDependencies(manifestStore([app]), app), (e: unknown) => isAppcError(e) && e.code === 'RENDER_DEPENDENCY_NOT_FOUND' && e.message.includes('of example.com/app'));
  });

  it('a chain deeper than maxDepth, or more images than maxImages, is RENDER_TOO_DEEP', async () => {
    const chain = Array.from({ length: 12 }, (_, i) => image(`example.com/l${i}`, i < 11 ? { dependencies: [dep(`example.com/l${i + 1}`)] } : {}));
    const store = manifestStore(chain);
    assert.equal((await resolveDependencies(store, chain[0]!, { maxDepth: 11 })).images.length, 12);
    await assert.rejects(resolveDependencies(store, chain[0]!, { maxDepth: 10 }), (e: unknown) => isAppcError(e) && e.code === 'RENDER_TOO_DEEP');
    await assert.rejects(resolveDependencies(store, chain[0]!, { maxImages: 11 }), (e: unknown) => isAppcError(e) && e.code === 'RENDER_TOO_DEEP');
  });

  it('a 100-level cycle is found and named from the top (no hang)', async () => {
    const chain = Array.from({ length: 100 }, (_, i) => image(`example.com/c${i}`, { dependencies: [dep(`example.com/c${(i + 1) % 100}`)] }));
    await assert.rejects(
      resolveDependencies(manifestStore(chain), chain[0]!),
      (e: unknown) => isAppcError(e) && e.code === 'RENDER_DEPENDENCY_CYCLE' && e.message.endsWith('example.com/c99 -> example.com/c0'),
    );
  });

  it('matches the recursive definition on random acyclic graphs, and always ends on random cyclic ones (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(7), { maxLength: 3 }), { minLength: 1, maxLength: 8 }), fc.boolean(), async (edges, acyclic) => {
        // Node i depends on the listed nodes; keeping only edges to higher numbers makes it acyclic.
        const deps = edges.map((list, i) => list.filter((j) => j < edges.length && (!acyclic || j > i)));
        const nodes = deps.map((list, i) => image(`example.com/n${i}`, { dependencies: list.map((j) => dep(`example.com/n${j}`)) }));
        const expected = (i: number, depth: number): string[] => (depth > 50 ? [] : [`n${i}`, ...[...deps[i]!].reverse().flatMap((j) => expected(j, depth + 1))]);
        try {
          const { images } = await resolveDependencies(manifestStore(nodes), nodes[0]!, { maxImages: 5000 });
          assert.deepEqual(
            images.map((x) => x.image.manifest.name.slice(12)),
            expected(0, 0),
          );
        } catch (e) {
          assert.ok(isAppcError(e) && (e.code === 'RENDER_DEPENDENCY_CYCLE' || e.code === 'RENDER_TOO_DEEP'), String(e));
          assert.ok(!acyclic || e.code === 'RENDER_TOO_DEEP');
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('choosing among images of one name', () => {
  const v = (version: string, added?: string): StoredImage => image('example.com/lib', { labels: [{ name: 'version', value: version }] as never }, added ? { added } : {});

  it('the newest version by semver precedence; non-semver versions rank last; ties go to the newest added', () => {
    const a = v('1.2.0');
    const b = v('1.10.0');
    const rc = v('1.10.0-rc.1');
    const odd = v('latest-ish');
    assert.equal(newestByVersion([a, odd, rc, b])?.id, b.id);
    assert.equal(newestByVersion([odd])?.id, odd.id);
    const first = v('2.0.0', '2026-01-01T00:00:00.000Z');
    const second = v('2.0.0', '2026-02-01T00:00:00.000Z');
    assert.equal(newestByVersion([first, second])?.id, second.id);
    assert.equal(newestByVersion([second, first])?.id, second.id);
    assert.equal(newestByVersion([]), undefined);
  });

  it('D-WK-2 version=latest takes an image labelled latest, else the newest version', async () => {
    const one = v('1.0.0');
    const two = v('2.0.0');
    assert.equal((await findByNameAndLabels(manifestStore([one, two]), 'example.com/lib', { version: 'latest' }))?.id, two.id);
    const tagged = v('latest');
    assert.equal((await findByNameAndLabels(manifestStore([one, two, tagged]), 'example.com/lib', { version: 'latest' }))?.id, tagged.id);
    assert.equal(await findByNameAndLabels(manifestStore([one]), 'example.com/lib', { version: '3.0.0' }), undefined);
  });
});

describe('renderImage options', () => {
  it('strict turns the first warning into a thrown AppcError with its code', async () => {
    const store = new MemoryStore();
    await store.add(makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app', pathWhitelist: ['rel'] }, [{ file: 'rootfs/rel' }]));
    assert.equal((await renderImage(store, { name: 'example.com/app' })).warnings[0]?.code, 'RENDER_WHITELIST_RELATIVE');
    await assert.rejects(renderImage(store, { name: 'example.com/app' }, { strict: true }), (e: unknown) => isAppcError(e) && e.code === 'RENDER_WHITELIST_RELATIVE');
  });

  it("a damaged archive is the reader's error, not a silent partial render", async () => {
    const good = makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app' }, [{ file: 'rootfs/a', content: 'x'.repeat(600) }]);
    const store = new MemoryStore();
    const img = await store.add(good);
    const cut = { get: store.get.bind(store), find: store.find.bind(store), source: async () => good.subarray(0, 1100) };
    await assert.rejects(renderImage(cut, img.id), (e: unknown) => isAppcError(e) && e.code === 'ACI_TRUNCATED');
  });
});
