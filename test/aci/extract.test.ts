import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { buildAci } from '../../src/aci/build-aci.js';
import { extractAci } from '../../src/aci/extract.js';
import { EntryWriter } from '../../src/aci/entry-writer.js';
import { validateAci } from '../../src/aci/validate-aci.js';
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
    // Owners not restored (the default): the set-id bit is cleared, as GNU tar does.
    assert.equal(statSync(join(d, 'rootfs', 'b', 'exe')).mode & 0o7777, 0o755);
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
    assert.deepEqual(
      r.skipped.map((i) => [i.code, i.entry]),
      [['ACI_UNSUPPORTED_ENTRY', 'rootfs/fifo']],
    );
  });

  it('skips a hard link whose target was skipped (a FIFO) instead of failing', async () => {
    const r = await extractAci(aci([rootfs, { ...base, name: 'rootfs/p', type: 'fifo' }, { ...base, name: 'rootfs/p2', type: 'link', linkname: 'rootfs/p' }, manifest]), dest());
    assert.deepEqual(
      r.skipped.map((i) => i.entry),
      ['rootfs/p', 'rootfs/p2'],
    );
  });

  // Extract = validate: the refusal is validateAci's issue, and nothing lands (no target, no temporary directory).
  const refusals: [string, string, (TarEntryInput & { data?: string })[]][] = [
    ['a .. path', 'ACI_PATH_TRAVERSAL', [rootfs, { ...base, name: 'rootfs/../../evil', type: 'file', data: 'x' }]],
    ['an absolute path', 'ACI_ABSOLUTE_PATH', [rootfs, { ...base, name: '/tmp/evil', type: 'file', data: 'x' }]],
    [
      'a write through a symlink from the archive',
      'ACI_PARENT_NOT_DIR',
      [rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '/tmp' }, { ...base, name: 'rootfs/up/evil', type: 'file', data: 'x' }],
    ],
    ['a hard link to a path outside', 'ACI_HARDLINK_OUTSIDE', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: '../../etc/passwd' }]],
    ['a hard link to an absolute path', 'ACI_HARDLINK_OUTSIDE', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: '/etc/passwd' }]],
    [
      'a hard link through a symlink',
      'ACI_HARDLINK_DANGLING',
      [rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '/etc' }, { ...base, name: 'rootfs/h', type: 'link', linkname: 'rootfs/up/passwd' }],
    ],
    ['a dangling hard link', 'ACI_HARDLINK_DANGLING', [rootfs, { ...base, name: 'rootfs/h', type: 'link', linkname: 'rootfs/none' }]],
    ['a second manifest named through rootfs/..', 'ACI_PATH_TRAVERSAL', [rootfs, manifest, { ...base, name: 'rootfs/../manifest', type: 'file', data: '{}' }]],
    ['a rootfs that is a symlink', 'ACI_ROOTFS_NOT_DIR', [{ ...base, name: 'rootfs', type: 'symlink', linkname: '/' }]],
    ['a missing rootfs entry', 'ACI_MISSING_ROOTFS', [{ ...base, name: 'rootfs/a', type: 'file', data: 'x' }]],
    ['an invalid manifest', 'JSON_MISSING_FIELD', [rootfs, { ...manifest, data: '{"acKind":"ImageManifest","acVersion":"0.8.11"}' }]],
  ];
  for (const [what, code, entries] of refusals) {
    it(`A-VA-3 refuses ${what} (${code}, as validate) and leaves nothing behind`, async () => {
      const d = dest();
      const archive = aci(entries.some((e) => e.name.includes('manifest')) ? entries : [...entries, manifest]);
      const report = await validateAci(archive);
      assert.equal(report.issues.find((i) => i.severity === 'error')?.code, code);
      await assert.rejects(extractAci(archive, d), { code });
      assert.equal(existsSync(d), false);
      assert.deepEqual(
        readdirSync(tmp).filter((f) => f.includes('.partial-')),
        [],
      );
      assert.equal(existsSync(join(tmp, 'evil')), false);
      assert.equal(existsSync('/tmp/evil'), false);
    });
  }

  it('A-VA-4 writes a relative symlink that climbs out as it is, with the warning validate gives; strict refuses it', async () => {
    const archive = aci([rootfs, { ...base, name: 'rootfs/up', type: 'symlink', linkname: '../../..' }, manifest]);
    const d = dest();
    const r = await extractAci(archive, d);
    assert.deepEqual(
      r.warnings.map((i) => i.code),
      ['ACI_SYMLINK_ESCAPES'],
    );
    assert.equal(readlinkSync(join(d, 'rootfs', 'up')), '../../..');
    const d2 = dest();
    await assert.rejects(extractAci(archive, d2, { strict: true }), { code: 'ACI_SYMLINK_ESCAPES' });
    assert.equal(existsSync(d2), false);
  });

  it('refuses a target that is not empty (ACI_OUTPUT_EXISTS) and leaves it as it was', async () => {
    const d = dest();
    mkdirSync(join(d, 'rootfs'), { recursive: true });
    symlinkSync(tmp, join(d, 'rootfs', 'pre'));
    await assert.rejects(extractAci(aci([rootfs, { ...base, name: 'rootfs/pre/evil2', type: 'file', data: 'x' }, manifest]), d), { code: 'ACI_OUTPUT_EXISTS' });
    assert.equal(existsSync(join(tmp, 'evil2')), false);
    assert.deepEqual(readdirSync(d), ['rootfs']);
  });

  it('EntryWriter, the last line of defence, refuses to write through a symlink already on disk (ACI_UNSAFE_ENTRY)', async () => {
    const d = dest();
    mkdirSync(join(d, 'rootfs'), { recursive: true });
    symlinkSync(tmp, join(d, 'rootfs', 'pre'));
    const writer = await new EntryWriter(d).open();
    const header = {
      ...base,
      name: 'rootfs/pre/evil3',
      linkname: '',
      type: 'file',
      typeflag: '0',
      size: 1,
      declaredSize: 1,
      uname: '',
      gname: '',
      devmajor: 0,
      devminor: 0,
      utf8: true,
      offset: 0,
      dataOffset: 512,
    } as const;
    const entry = {
      header,
      path: 'rootfs/pre/evil3',
      body: (async function* () {
        yield Buffer.from('x');
      })(),
    };
    await assert.rejects(writer.write(entry, 'rootfs/pre/evil3'), { code: 'ACI_UNSAFE_ENTRY' });
    assert.equal(existsSync(join(tmp, 'evil3')), false);
  });

  it('extracts into an empty directory that exists', async () => {
    const d = dest();
    mkdirSync(d);
    await extractAci(aci([rootfs, { ...base, name: 'rootfs/f', type: 'file', data: 'inside' }, manifest]), d);
    assert.equal(readFileSync(join(d, 'rootfs', 'f'), 'utf8'), 'inside');
  });

  const asRoot = process.getuid?.() === 0;
  it('set-id bits: kept with the archive owners restored (chown before chmod), cleared when the owners are the current user', { skip: asRoot ? false : 'needs root to restore owners' }, async () => {
    const archive = aci([
      rootfs,
      { ...base, name: 'rootfs/suid', type: 'file', data: 'x', mode: 0o4755, uid: 1234, gid: 5678 },
      { ...base, name: 'rootfs/sgid', type: 'file', data: 'x', mode: 0o2755, uid: 1234, gid: 5678 },
      { ...base, name: 'rootfs/sdir', type: 'directory', mode: 0o2775, uid: 1234, gid: 5678 },
      manifest,
    ]);
    const kept = dest();
    await extractAci(archive, kept, { owners: 'preserve' });
    for (const [name, mode] of [
      ['suid', 0o4755],
      ['sgid', 0o2755],
      ['sdir', 0o2775],
    ] as const) {
      const st = statSync(join(kept, 'rootfs', name));
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 5678, mode], name);
    }
    const mine = dest();
    await extractAci(archive, mine, { owners: 'current' });
    for (const [name, mode] of [
      ['suid', 0o755],
      ['sgid', 0o755],
      ['sdir', 0o775],
    ] as const) {
      const st = statSync(join(mine, 'rootfs', name));
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [process.getuid!(), process.getgid!(), mode], name);
    }
  });

  it('restores an mtime before 1970 (a Date, not a negative number that Node reads as now)', async () => {
    const d = dest();
    await extractAci(
      aci([
        rootfs,
        { ...base, name: 'rootfs/old', type: 'file', data: 'x', mtime: -86_400 * 365 },
        { ...base, name: 'rootfs/oldlink', type: 'symlink', linkname: 'old', mtime: -1 },
        { ...base, name: 'rootfs/olddir', type: 'directory', mtime: -1000, mode: 0o755 },
        manifest,
      ]),
      d,
    );
    assert.equal(statSync(join(d, 'rootfs', 'old')).mtimeMs, -86_400 * 365 * 1000);
    assert.equal(lstatSync(join(d, 'rootfs', 'oldlink')).mtimeMs, -1000);
    assert.equal(statSync(join(d, 'rootfs', 'olddir')).mtimeMs, -1_000_000);
  });

  it('throws the archive error for a damaged archive', async () => {
    await assert.rejects(extractAci(fixturePath('aci', 'truncated-gzip.aci'), dest()), { code: 'ACI_TRUNCATED' });
    await assert.rejects(extractAci(fixturePath('aci', 'bad-crc.aci'), dest()), { code: 'ACI_CORRUPT_COMPRESSION' });
  });

  // Found by the A-VA-1 property: the manifest's body is whole but the archive ends inside its padding. The
  // truncation is reported at the manifest entry's offset and ranks ahead of the manifest's own issues.
  it('A-VA-1 refuses with the first issue in archive order when the manifest ties with a stream failure, or precedes one', async () => {
    const bad = { ...manifest, data: '{"acKind": ' };
    const plain = (entries: (TarEntryInput & { data?: string })[]): Buffer =>
      Buffer.concat(entries.flatMap((e) => [encodeTarHeader({ ...e, size: (e.data ?? '').length }), Buffer.from(e.data ?? ''), new Uint8Array(padding((e.data ?? '').length))]));
    const cases: { name: string; bytes: Buffer }[] = [
      { name: 'cut inside the padding of an invalid manifest', bytes: plain([bad]).subarray(0, 512 + bad.data.length + 3) },
      { name: 'invalid manifest, then a header with a bad checksum', bytes: Buffer.concat([plain([bad]), Buffer.alloc(512, 0x41), END_OF_ARCHIVE]) },
      { name: 'invalid manifest, then data after the end of the archive', bytes: Buffer.concat([plain([rootfs, bad]), END_OF_ARCHIVE, Buffer.alloc(512, 1)]) },
    ];
    for (const c of cases) {
      const report = await validateAci(c.bytes);
      const first = report.issues.find((i) => i.severity === 'error')?.code;
      assert.ok(first !== undefined, c.name);
      const dir = dest();
      await assert.rejects(extractAci(c.bytes, dir), { code: first }, c.name);
      assert.equal(existsSync(dir), false, c.name);
    }
  });
});
