import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeAci } from '../support/make-tar.js';
import { runActool } from '../support/run-actool.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-cli-render-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const store = join(tmp, 'store');

function write(name: string, manifest: object, files: Parameters<typeof makeAci>[1]): string {
  const path = join(tmp, name);
  writeFileSync(path, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', ...manifest }, files));
  return path;
}

describe('actool store and render', () => {
  it('adds images, lists them, renders --list and into a directory, then removes and collects', async () => {
    const base = write('base.aci', { name: 'example.com/base' }, [{ dir: 'rootfs/etc' }, { file: 'rootfs/etc/os-release', content: 'base' }, { file: 'rootfs/etc/motd', content: 'base motd' }]);
    const app = write('app.aci', { name: 'example.com/app', labels: [{ name: 'version', value: '2.0.0' }], dependencies: [{ imageName: 'example.com/base' }] }, [{ dir: 'rootfs/etc' }, { file: 'rootfs/etc/motd', content: 'app motd' }]);
    const add = await runActool(['store', 'add', `--store=${store}`, base, app]);
    assert.equal(add.code, 0, add.stderr);
    const [baseId, appId] = add.stdout.trim().split('\n').map((l) => l.split('\t')[0]!);
    assert.match(baseId!, /^sha512-[0-9a-f]{128}$/);
    const list = await runActool(['store', 'list', `--store=${store}`, '--json']);
    assert.deepEqual(list.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { name: string }).name).sort(), ['example.com/app', 'example.com/base']);

    const listed = await runActool(['render', `--store=${store}`, '--list', 'example.com/app:2.0.0']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['/', 'example.com/app'], ['/etc', 'example.com/app'], ['/etc/motd', 'example.com/app'], ['/etc/os-release', 'example.com/base']]);

    const out = join(tmp, 'rootfs');
    const rendered = await runActool(['render', `--store=${store}`, appId!, out]);
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.equal(readFileSync(join(out, 'etc', 'motd'), 'utf8'), 'app motd');
    assert.equal(readFileSync(join(out, 'etc', 'os-release'), 'utf8'), 'base');

    assert.equal((await runActool(['store', 'rm', `--store=${store}`, baseId!])).code, 0);
    const missing = await runActool(['render', `--store=${store}`, '--list', appId!]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /dependency example\.com\/base of example\.com\/app is not in the store \[RENDER_DEPENDENCY_NOT_FOUND\]/);
    assert.equal((await runActool(['store', 'gc', `--store=${store}`])).code, 0);
  });

  it('a dependency cycle is a one-line error naming the chain, exit 1', async () => {
    const s = join(tmp, 'cycle-store');
    const a = write('a.aci', { name: 'example.com/a', dependencies: [{ imageName: 'example.com/b' }] }, []);
    const b = write('b.aci', { name: 'example.com/b', dependencies: [{ imageName: 'example.com/a' }] }, []);
    assert.equal((await runActool(['store', 'add', `--store=${s}`, a, b])).code, 0);
    const r = await runActool(['render', `--store=${s}`, 'example.com/a', join(tmp, 'never')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^render: dependency cycle: example\.com\/a -> example\.com\/b -> example\.com\/a \[RENDER_DEPENDENCY_CYCLE\]\n$/);
    assert.equal(existsSync(join(tmp, 'never')), false);
  });

  it('refuses an invalid image (exit 1) and usage errors exit 2', async () => {
    const bad = write('bad.aci', { name: 'Not Valid' }, []);
    const r = await runActool(['store', 'add', `--store=${join(tmp, 's3')}`, bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a valid ACI/);
    for (const args of [['store'], ['store', 'frob'], ['render'], ['render', 'example.com/a'], ['store', 'rm']]) {
      assert.equal((await runActool(args)).code, 2, args.join(' '));
    }
  });
});
