import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { isAppcError } from '../../src/issues/appc-error.js';
import { DirStore } from '../../src/render/dir-store.js';
import { withLock } from '../../src/render/lock.js';
import { matchPrefix } from '../../src/render/store.js';
import { renderImage } from '../../src/render/render.js';
import { makeAci } from '../support/make-tar.js';
import { repoRoot } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function aciFile(name: string, extra: object = {}, files = [{ file: `rootfs/${name.replace(/\W/g, '_')}`, content: name }]): string {
  const path = join(tmp, `${name.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2)}.aci`);
  writeFileSync(path, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name, ...extra }, files));
  return path;
}

describe('DirStore', () => {
  it('adds, lists, finds, renders from, removes and collects garbage', async () => {
    const store = new DirStore(join(tmp, 'store1'));
    const base = await store.add(aciFile('example.com/base'));
    const app = await store.add(aciFile('example.com/app', { labels: [{ name: 'version', value: '1.0.0' }], dependencies: [{ imageName: 'example.com/base', imageID: base.id }] }));
    assert.equal((await store.add(aciFile('example.com/base'))).id, base.id, 'adding twice is harmless');
    const { images, issues } = await store.list();
    assert.deepEqual(images.map((i) => i.manifest.name).sort(), ['example.com/app', 'example.com/base']);
    assert.deepEqual(issues, []);
    assert.equal((await store.get(app.id.slice(0, 20)))?.id, app.id);
    assert.equal((await store.find('example.com/app', { version: '1.0.0' })).length, 1);
    assert.equal((await store.find('example.com/app', { version: '2.0.0' })).length, 0);
    const rendered = await renderImage(store, app.id);
    assert.deepEqual(rendered.entries.map((e) => e.path), ['rootfs', 'rootfs/example_com_app', 'rootfs/example_com_base']);
    await store.remove(base.id);
    await assert.rejects(renderImage(store, app.id), (e: unknown) => isAppcError(e) && e.code === 'RENDER_DEPENDENCY_NOT_FOUND');
    writeFileSync(join(tmp, 'store1', 'blobs', `${base.id}.aci`), 'orphan');
    mkdirSync(join(tmp, 'store1', 'tmp'), { recursive: true });
    writeFileSync(join(tmp, 'store1', 'tmp', 'x.part'), 'left over');
    const gc = await store.gc();
    assert.deepEqual([...gc.removed].sort(), [`blobs/${base.id}.aci`, 'tmp/x.part']);
  });

  it('refuses an invalid image with STORE_INVALID_IMAGE and writes nothing', async () => {
    const store = new DirStore(join(tmp, 'store2'));
    const bad = join(tmp, 'bad.aci');
    writeFileSync(bad, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'Bad Name' }, []));
    await assert.rejects(store.add(bad), (e: unknown) => isAppcError(e) && e.code === 'STORE_INVALID_IMAGE');
    assert.deepEqual((await store.list()).images, []);
  });

  it('reports corrupt index files and foreign files instead of failing', async () => {
    const dir = join(tmp, 'store3');
    const store = new DirStore(dir);
    const img = await store.add(aciFile('example.com/ok'));
    writeFileSync(join(dir, 'index', `sha512-${'0'.repeat(128)}.json`), '{ not json');
    writeFileSync(join(dir, 'index', 'README'), 'hello');
    writeFileSync(join(dir, 'stray.txt'), '');
    const { images, issues } = await store.list();
    assert.deepEqual(images.map((i) => i.id), [img.id]);
    assert.deepEqual(issues.map((i) => i.code).sort(), ['STORE_CORRUPT_ENTRY', 'STORE_FOREIGN_FILE', 'STORE_FOREIGN_FILE']);
    assert.ok((await store.gc()).removed.includes(`index/sha512-${'0'.repeat(128)}.json`));
  });

  it('an ambiguous ID prefix is STORE_AMBIGUOUS_ID; a file as store is STORE_NOT_A_STORE', async () => {
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, '');
    await assert.rejects(new DirStore(file).add(aciFile('example.com/x')), (e: unknown) => isAppcError(e) && e.code === 'STORE_NOT_A_STORE');
    const a = { id: 'sha512-' + 'ab'.repeat(64), manifest: {} as never, size: 1 };
    const b = { id: 'sha512-' + 'ab'.repeat(10) + 'cd'.repeat(54), manifest: {} as never, size: 1 };
    assert.throws(() => matchPrefix([a, b], 'sha512-abababab'), (e: unknown) => isAppcError(e) && e.code === 'STORE_AMBIGUOUS_ID');
    assert.equal(matchPrefix([a, b], 'sha512-' + 'ab'.repeat(12))?.id, a.id);
    assert.equal(matchPrefix([a, b], 'sha512-abab'), undefined, 'fewer than 8 hex digits is not a prefix');
  });

  it('a lock held by a live process makes another writer wait, then STORE_LOCKED after the time-out', async () => {
    const dir = join(tmp, 'store5');
    mkdirSync(dir, { recursive: true });
    await withLock(dir, async () => {
      await assert.rejects(withLock(dir, async () => undefined, { timeoutMs: 100 }), (e: unknown) => isAppcError(e) && e.code === 'STORE_LOCKED');
    });
    // A lock left by a dead process is taken over.
    writeFileSync(join(dir, '.lock'), '999999');
    assert.equal(await withLock(dir, async () => 'ok', { timeoutMs: 100 }), 'ok');
  });

  it('two processes adding 10 images each at the same time keep the store consistent', async () => {
    const dir = join(tmp, 'store6');
    const lists = [0, 1].map((p) => Array.from({ length: 10 }, (_, i) => aciFile(`example.com/p${p}-i${i}`)));
    const mod = pathToFileURL(join(repoRoot, 'dist', 'src', 'render', 'dir-store.js')).href;
    const run = (files: string[]): Promise<number | null> =>
      new Promise((resolvePromise, reject) => {
        const code = `const { DirStore } = await import(${JSON.stringify(mod)}); const s = new DirStore(${JSON.stringify(dir)}); for (const f of ${JSON.stringify(files)}) await s.add(f);`;
        const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('close', resolvePromise);
      });
    assert.deepEqual(await Promise.all(lists.map(run)), [0, 0]);
    const { images, issues } = await new DirStore(dir).list();
    assert.equal(images.length, 20);
    assert.deepEqual(issues, []);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.equal(readdirSync(join(dir, 'blobs')).length, 20);
  });
});
