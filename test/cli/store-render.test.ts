import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const app = write('app.aci', { name: 'example.com/app', labels: [{ name: 'version', value: '2.0.0' }], dependencies: [{ imageName: 'example.com/base' }] }, [
      { dir: 'rootfs/etc' },
      { file: 'rootfs/etc/motd', content: 'app motd' },
    ]);
    const add = await runActool(['store', 'add', `--store=${store}`, base, app]);
    assert.equal(add.code, 0, add.stderr);
    const [baseId, appId] = add.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0]!);
    assert.match(baseId!, /^sha512-[0-9a-f]{128}$/);
    const list = await runActool(['store', 'list', `--store=${store}`, '--json']);
    assert.deepEqual(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { name: string }).name)
        .sort(),
      ['example.com/app', 'example.com/base'],
    );

    const listed = await runActool(['render', `--store=${store}`, '--list', 'example.com/app:2.0.0']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.deepEqual(
      rows.map((r) => [r[0], r[1]]),
      [
        ['/', 'example.com/app'],
        ['/etc', 'example.com/app'],
        ['/etc/motd', 'example.com/app'],
        ['/etc/os-release', 'example.com/base'],
      ],
    );

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
    for (const args of [
      ['store'],
      ['store', 'frob'],
      ['render'],
      ['render', 'example.com/a'],
      ['render', '--list', 'example.com/a', 'DIR'],
      ['render', '--owner=nobody', 'example.com/a', 'DIR'],
      ['store', 'rm'],
    ]) {
      assert.equal((await runActool(args)).code, 2, args.join(' '));
    }
  });
  it('R-OUT-1 a non-empty DIR is refused (exit 1, untouched); --strict fails on a warning; a tampered blob is RENDER_HASH_MISMATCH', async () => {
    const s = join(tmp, 'strict-store');
    const app = write('rel.aci', { name: 'example.com/rel', pathWhitelist: ['etc'] }, [{ dir: 'rootfs/etc' }, { file: 'rootfs/etc/data', content: 'payload-payload' }]);
    const added = await runActool(['store', 'add', `--store=${s}`, app]);
    assert.equal(added.code, 0, added.stderr);
    const full = join(tmp, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep'), 'x');
    const r = await runActool(['render', `--store=${s}`, 'example.com/rel', full]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /render: warning RENDER_WHITELIST_RELATIVE \/: .*\n.*is not empty.*\[RENDER_TARGET_NOT_EMPTY\]\n$/);
    assert.deepEqual(readdirSync(full), ['keep']);
    const strict = await runActool(['render', `--store=${s}`, '--strict', '--list', 'example.com/rel']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /\[RENDER_WHITELIST_RELATIVE\]/);
    assert.equal(strict.stdout, '');
    // Same size, other bytes: the index still matches, the hash does not.
    const id = added.stdout.split('\t')[0]!;
    const blob = join(s, 'blobs', `${id}.aci`);
    const bytes = readFileSync(blob);
    bytes[bytes.indexOf('payload-payload')] = 0x50;
    writeFileSync(blob, bytes);
    const tampered = await runActool(['render', `--store=${s}`, '--list', id]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /\[RENDER_HASH_MISMATCH\]/);
  });

  it('a damaged store lists what is sound and exits 1; a directory of other files is not a store (exit 1)', async () => {
    const s = join(tmp, 'damaged-store');
    const one = write('one.aci', { name: 'example.com/one' }, []);
    const added = await runActool(['store', 'add', `--store=${s}`, one]);
    assert.equal(added.code, 0, added.stderr);
    writeFileSync(join(s, 'index', `sha512-${'1'.repeat(128)}.json`), '{');
    const list = await runActool(['store', 'list', `--store=${s}`]);
    assert.equal(list.code, 1);
    assert.match(list.stdout, /example\.com\/one/);
    assert.match(list.stderr, /store\(index\/sha512-1+\.json\): error STORE_CORRUPT_ENTRY/);
    const other = join(tmp, 'other-dir');
    mkdirSync(other);
    writeFileSync(join(other, 'photo.jpg'), '');
    const r = await runActool(['store', 'add', `--store=${other}`, one]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[STORE_NOT_A_STORE\]/);
    assert.deepEqual(readdirSync(other), ['photo.jpg']);
  });
});
