import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { isAppcError } from '../../src/issues/appc-error.js';
import { DirStore } from '../../src/render/dir-store.js';
import { withLock } from '../../src/render/lock.js';
import { matchPrefix } from '../../src/render/store.js';
import { renderImage } from '../../src/render/render.js';
import { computeImageId } from '../../src/aci/read-aci.js';
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
    assert.deepEqual(
      rendered.entries.map((e) => e.path),
      ['rootfs', 'rootfs/example_com_app', 'rootfs/example_com_base'],
    );
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
    assert.deepEqual(
      images.map((i) => i.id),
      [img.id],
    );
    assert.deepEqual(issues.map((i) => i.code).sort(), ['STORE_CORRUPT_ENTRY', 'STORE_FOREIGN_FILE', 'STORE_FOREIGN_FILE']);
    assert.ok((await store.gc()).removed.includes(`index/sha512-${'0'.repeat(128)}.json`));
  });

  it('an ambiguous ID prefix is STORE_AMBIGUOUS_ID; a file as store is STORE_NOT_A_STORE', async () => {
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, '');
    await assert.rejects(new DirStore(file).add(aciFile('example.com/x')), (e: unknown) => isAppcError(e) && e.code === 'STORE_NOT_A_STORE');
    const a = { id: 'sha512-' + 'ab'.repeat(64), manifest: {} as never, size: 1 };
    const b = { id: 'sha512-' + 'ab'.repeat(10) + 'cd'.repeat(54), manifest: {} as never, size: 1 };
    assert.throws(
      () => matchPrefix([a, b], 'sha512-abababab'),
      (e: unknown) => isAppcError(e) && e.code === 'STORE_AMBIGUOUS_ID',
    );
    assert.equal(matchPrefix([a, b], 'sha512-' + 'ab'.repeat(12))?.id, a.id);
    assert.equal(matchPrefix([a, b], 'sha512-abab'), undefined, 'fewer than 8 hex digits is not a prefix');
  });

  it('a lock held by a live process makes another writer wait, then STORE_LOCKED after the time-out', async () => {
    const dir = join(tmp, 'store5');
    mkdirSync(dir, { recursive: true });
    await withLock(dir, async () => {
      await assert.rejects(
        withLock(dir, async () => undefined, { timeoutMs: 100 }),
        (e: unknown) => isAppcError(e) && e.code === 'STORE_LOCKED',
      );
    });
    // A lock left by a dead process of this host is taken over; the lock is ours while we hold it and gone after.
    writeFileSync(join(dir, '.lock'), `999999 ${hostname()} dead\n`);
    assert.equal(
      await withLock(
        dir,
        async () => {
          assert.match(readFileSync(join(dir, '.lock'), 'utf8'), new RegExp(`^${process.pid} `));
          return 'ok';
        },
        { timeoutMs: 100 },
      ),
      'ok',
    );
    assert.deepEqual(readdirSync(dir), []);
    // A lock of another host cannot be judged by its pid: it is waited for, and the error names the holder.
    writeFileSync(join(dir, '.lock'), '999999 elsewhere.example x\n');
    await assert.rejects(
      withLock(dir, async () => undefined, { timeoutMs: 50 }),
      (e: unknown) => isAppcError(e) && e.code === 'STORE_LOCKED' && e.message.includes('process 999999 on elsewhere.example'),
    );
    rmSync(join(dir, '.lock'));
  });

  it('STORE_NOT_A_STORE: a directory holding other files is never written to', async () => {
    const dir = join(tmp, 'someone-elses');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await assert.rejects(new DirStore(dir).add(aciFile('example.com/x')), (e: unknown) => isAppcError(e) && e.code === 'STORE_NOT_A_STORE');
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });

  it('STORE_NOT_A_STORE: a store whose index/ or blobs/ is a file is refused by add, list and look-ups, and left as it is', async () => {
    const dir = join(tmp, 'store-index-file');
    const store = new DirStore(dir);
    const a = await store.add(aciFile('example.com/a'));
    rmSync(join(dir, 'index'), { recursive: true });
    writeFileSync(join(dir, 'index'), 'not a directory');
    const refused = (e: unknown): boolean => isAppcError(e) && e.code === 'STORE_NOT_A_STORE' && e.file === join(dir, 'index');
    await assert.rejects(store.add(aciFile('example.com/b')), refused);
    await assert.rejects(store.list(), refused);
    await assert.rejects(renderImage(store, { name: 'example.com/a' }), refused);
    await assert.rejects(store.get(a.id), refused);
    await assert.rejects(store.gc(), refused);
    assert.equal(readFileSync(join(dir, 'index'), 'utf8'), 'not a directory');
  });

  it('STORE_CORRUPT_ENTRY: a blob of the wrong size or a missing blob leaves the image out; gc removes the entry', async () => {
    const dir = join(tmp, 'store-corrupt');
    const store = new DirStore(dir);
    const a = await store.add(aciFile('example.com/a'));
    const b = await store.add(aciFile('example.com/b'));
    writeFileSync(join(dir, 'blobs', `${a.id}.aci`), 'truncated');
    rmSync(join(dir, 'blobs', `${b.id}.aci`));
    const { images, issues } = await store.list();
    assert.deepEqual(images, []);
    assert.deepEqual(
      issues.map((i) => [i.code, i.severity]),
      [
        ['STORE_CORRUPT_ENTRY', 'error'],
        ['STORE_CORRUPT_ENTRY', 'error'],
      ],
    );
    assert.equal(await store.get(a.id), undefined);
    const gc = await store.gc();
    assert.deepEqual([...gc.removed].sort(), [`blobs/${a.id}.aci`, `index/${a.id}.json`, `index/${b.id}.json`].sort());
    assert.deepEqual(await store.list(), { images: [], issues: [] });
  });

  it('gc keeps the temporary files of a live writer and removes those of dead ones', async () => {
    const dir = join(tmp, 'store-gc');
    const store = new DirStore(dir);
    await store.add(aciFile('example.com/a'));
    writeFileSync(join(dir, 'tmp', `${process.pid}-abcd.part`), 'in flight');
    writeFileSync(join(dir, 'tmp', '999999-abcd.part'), 'crashed');
    assert.deepEqual((await store.gc()).removed, ['tmp/999999-abcd.part']);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [`${process.pid}-abcd.part`]);
  });

  it('the blob is the validated copy: what is stored hashes to its ID', async () => {
    const dir = join(tmp, 'store-copy');
    const store = new DirStore(dir);
    const file = aciFile('example.com/a');
    const image = await store.add(file);
    writeFileSync(file, 'changed afterwards');
    assert.equal(await computeImageId(join(dir, 'blobs', `${image.id}.aci`)), image.id);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.match((await store.get(image.id))?.added ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  it('a process adding images while another collects garbage over and over loses nothing', async () => {
    const dir = join(tmp, 'store-add-gc');
    await new DirStore(dir).add(aciFile('example.com/first'));
    const files = Array.from({ length: 10 }, (_, i) => aciFile(`example.com/while-gc${i}`));
    const mod = pathToFileURL(join(repoRoot, 'dist', 'src', 'render', 'dir-store.js')).href;
    const run = (code: string): Promise<number | null> =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', `const { DirStore } = await import(${JSON.stringify(mod)}); const s = new DirStore(${JSON.stringify(dir)}); ${code}`], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('close', resolvePromise);
      });
    const adder = run(`for (const f of ${JSON.stringify(files)}) await s.add(f);`);
    // The collector keeps going until the adder is done, so the two overlap for the whole run.
    const collector = run(`for (let i = 0; i < 5000 && (await s.list()).images.length < 11; i++) await s.gc();`);
    assert.deepEqual(await Promise.all([adder, collector]), [0, 0]);
    const { images, issues } = await new DirStore(dir).list();
    assert.equal(images.length, 11);
    assert.deepEqual(issues, []);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  });

  it('two processes adding 13 images each (3 of them the same) at the same time keep the store consistent', async () => {
    const dir = join(tmp, 'store6');
    // Each adds ten images of its own and the same three shared ones (both may find a shared one already there).
    const shared = Array.from({ length: 3 }, (_, i) => aciFile(`example.com/shared${i}`));
    const lists = [0, 1].map((p) => [...shared, ...Array.from({ length: 10 }, (_, i) => aciFile(`example.com/p${p}-i${i}`))]);
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
    assert.equal(images.length, 23);
    assert.deepEqual(issues, []);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.equal(readdirSync(join(dir, 'blobs')).length, 23);
    assert.deepEqual(readdirSync(dir).sort(), ['blobs', 'index', 'tmp']);
  });
});
