import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { buildAci } from '../../src/aci/build-aci.js';
import { extractAci } from '../../src/aci/extract.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput } from '../../src/aci/tar/write-tar.js';
import { fixturePath } from '../support/paths.js';
import { makeLayout, tempDir, TEST_MANIFEST } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dest = (): string => join(tmp, `x${n++}`);
const base = { mode: 0o644, uid: 0, gid: 0, mtime: 1_000_000 } as const;

function aci(entries: (TarEntryInput & { data?: string })[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = e.data ?? '';
    parts.push(encodeTarHeader({ ...e, size: data.length }), Buffer.from(data), new Uint8Array(padding(data.length)));
  }
  parts.push(END_OF_ARCHIVE);
  return gzipSync(Buffer.concat(parts));
}
const rootfs: TarEntryInput = { ...base, name: 'rootfs', type: 'directory', mode: 0o755 };
const manifest = { ...base, name: 'manifest', type: 'file' as const, data: TEST_MANIFEST };

describe('extractAci', () => {
  it('extracts a built image with modes, mtimes, symlinks and hard links', async () => {
    const lay = makeLayout(tmp);
    const file = join(tmp, 'img.aci');
    await buildAci(lay, file);
    const d = dest();
    const r = await extractAci(file, d);
    assert.equal(r.entryCount, 13);
    assert.deepEqual(r.skipped, []);
    assert.equal(readFileSync(join(d, 'manifest'), 'utf8').length > 0, true);
    assert.equal(statSync(join(d, 'rootfs', 'b', 'exe')).mode & 0o7777, 0o4755);
    assert.equal(statSync(join(d, 'rootfs', 'a', 'f')).mtimeMs, 1_500_000_000_000);
    assert.equal(statSync(join(d, 'rootfs', 'a')).mtimeMs, Math.floor(statSync(join(lay, 'rootfs', 'a')).mtimeMs / 1000) * 1000);
    assert.equal(readlinkSync(join(d, 'rootfs', 'link')), 'a/f');
    assert.equal(readlinkSync(join(d, 'rootfs', 'abs-link')), '/usr/bin/env');
    assert.equal(statSync(join(d, 'rootfs', 'z_hard')).ino, statSync(join(d, 'rootfs', 'a', 'f')).ino);
    assert.equal(readFileSync(join(d, 'rootfs', 'a', 'deep', 'big')).length, 300_000);
  });

  it('--rootfs-only puts the rootfs contents in the directory, without the manifest', async () => {
    const d = dest();
    await extractAci(fixturePath('aci', 'gnu-tar-xz.aci'), d, { rootfsOnly: true });
    assert.equal(existsSync(join(d, 'manifest')), false);
    assert.equal(readFileSync(join(d, 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
    assert.equal(statSync(join(d, 'etc', 'hosts.hard')).ino, statSync(join(d, 'etc', 'hosts')).ino);
  });

  it('skips FIFOs with a warning', async () => {
    const r = await extractAci(fixturePath('aci', 'gnu-tar-gzip.aci'), dest());
    assert.deepEqual(r.skipped.map((i) => [i.code, i.entry]), [['ACI_UNSUPPORTED_ENTRY', 'rootfs/fifo']]);
  });

  it('skips a hard link whose target was skipped (a FIFO) instead of failing', async () => {
    const r = await extractAci(aci([rootfs, { ...base, name: 'rootfs/p', type: 'fifo' }, { ...base, name: 'rootfs/p2', type: 'link', linkname: 'rootfs/p' }, manifest]), dest());
    assert.deepEqual(r.skipped.map((i) => i.entry), ['rootfs/p', 'rootfs/p2']);
  });

  const refusals: [string, (TarEntryInput & { data?: string })[]][] = [
    ['a .. path', [rootfs, { ...base, name: 'rootfs/../../evil', type: 'file', data: 'x' }]],
    ['an absolute path', [rootfs, { ...base, name: '/tmp/evil', type: 'file', data: 'x' }]],
    ['a write through a symlink from the archive', [rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '/tmp' }, { ...base, name: 'rootfs/up/evil', type: 'file', data: 'x' }]],
    ['a relative symlink that climbs out', [rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '../../..' }]],
    ['a hard link to a path outside', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: '../../etc/passwd' }]],
    ['a hard link to an absolute path', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: '/etc/passwd' }]],
    ['a hard link through a symlink', [rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '/etc' }, { ...base, name: 'rootfs/h', type: 'link', linkname: 'rootfs/up/passwd' }]],
    ['a dangling hard link', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: 'rootfs/none' }]],
  ];
  for (const [what, entries] of refusals) {
    it(`refuses ${what} (ACI_UNSAFE_ENTRY) and writes nothing outside`, async () => {
      const d = dest();
      await assert.rejects(extractAci(aci([...entries, manifest]), d), { code: 'ACI_UNSAFE_ENTRY' });
      assert.equal(existsSync(join(tmp, 'evil')), false);
      assert.equal(existsSync('/tmp/evil'), false);
    });
  }

  it('refuses to write through a symlink that already exists in the directory', async () => {
    const d = dest();
    mkdirSync(join(d, 'rootfs'), { recursive: true });
    symlinkSync(tmp, join(d, 'rootfs', 'pre'));
    await assert.rejects(extractAci(aci([rootfs, { ...base, name: 'rootfs/pre/evil2', type: 'file', data: 'x' }]), d), { code: 'ACI_UNSAFE_ENTRY' });
    assert.equal(existsSync(join(tmp, 'evil2')), false);
  });

  it('replaces an existing symlink by a file instead of writing through it', async () => {
    const d = dest();
    mkdirSync(join(d, 'rootfs'), { recursive: true });
    symlinkSync(join(tmp, 'target-outside'), join(d, 'rootfs', 'f'));
    await extractAci(aci([rootfs, { ...base, name: 'rootfs/f', type: 'file', data: 'inside' }, manifest]), d);
    assert.equal(lstatSync(join(d, 'rootfs', 'f')).isFile(), true);
    assert.equal(existsSync(join(tmp, 'target-outside')), false);
  });

  it('throws the archive error for a damaged archive', async () => {
    await assert.rejects(extractAci(fixturePath('aci', 'truncated-gzip.aci'), dest()), { code: 'ACI_TRUNCATED' });
    await assert.rejects(extractAci(fixturePath('aci', 'bad-crc.aci'), dest()), { code: 'ACI_CORRUPT_COMPRESSION' });
  });
});
