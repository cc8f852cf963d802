import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildAci, splitDevice } from '../../src/aci/build-aci.js';
import { readAciEntries } from '../../src/aci/entries.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { makeLayout, tempDir, TEST_MANIFEST } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));
const lay = makeLayout(tmp);
let n = 0;
const out = (ext = '.aci'): string => join(tmp, `out-${n++}${ext}`);

async function names(file: string): Promise<string[]> {
  const list: string[] = [];
  for await (const e of readAciEntries(file)) list.push(e.header.name);
  return list;
}

describe('buildAci (A-AW-*, A-TH-*, A-BD-*)', () => {
  it('A-AW-3 writes rootfs first, pre-order in byte order, hard link after its target, manifest last', async () => {
    const file = out();
    const r = await buildAci(lay, file);
    const list = await names(file);
    assert.deepEqual(list, [
      'rootfs',
      'rootfs/a',
      'rootfs/a/deep',
      'rootfs/a/deep/big',
      'rootfs/a/f',
      'rootfs/a-b',
      'rootfs/abs-link',
      'rootfs/b',
      'rootfs/b/exe',
      'rootfs/link',
      'rootfs/z_hard',
      `rootfs/\u00e9t\u00e9-${'n'.repeat(110)}`,
      'manifest',
    ]);
    assert.equal(r.entryCount, list.length);
    assert.equal(r.compression, 'gzip');
  });

  it('A-TH-1 A-TH-2 records types, modes, link targets, mtimes and numeric owners', async () => {
    const file = out();
    await buildAci(lay, file, { ownerRoot: true });
    const byName = new Map<string, { type: string; mode: number; linkname: string; mtime: number; uid: number; uname: string; size: number }>();
    for await (const e of readAciEntries(file)) byName.set(e.header.name, e.header);
    assert.equal(byName.get('rootfs/z_hard')?.type, 'link');
    assert.equal(byName.get('rootfs/z_hard')?.linkname, 'rootfs/a/f');
    assert.equal(byName.get('rootfs/link')?.linkname, 'a/f');
    assert.equal(byName.get('rootfs/b/exe')?.mode, 0o4755);
    assert.equal(byName.get('rootfs/a/f')?.mtime, 1_500_000_000);
    assert.equal(byName.get('rootfs/a/deep/big')?.size, 300_000);
    assert.equal(byName.get('rootfs/a/f')?.uname, 'root');
    assert.equal(byName.get('manifest')?.mode, 0o644);
  });

  it('the built archive validates, and its image ID is sha512 of the decompressed bytes (A-ID-1)', async () => {
    for (const compression of ['gzip', 'xz', 'bzip2', 'none'] as const) {
      const file = out();
      const built = await buildAci(lay, file, { compression });
      const v = await validateAci(file);
      assert.deepEqual(v.issues, [], compression);
      assert.equal(v.compression, compression);
      assert.equal(v.imageId, built.imageId);
      const tool = { gzip: ['gzip', '-dc'], xz: ['xz', '-dc'], bzip2: ['bzip2', '-dc'], none: ['cat'] }[compression];
      const plain = spawnSync(tool[0]!, [...tool.slice(1), file], { maxBuffer: 1 << 26 }).stdout;
      assert.equal('sha512-' + createHash('sha512').update(plain).digest('hex'), built.imageId);
    }
  });

  it('GNU tar lists and extracts what we build, keeping modes, mtimes and the hard link', () => {
    const file = out();
    return buildAci(lay, file).then(() => {
      const list = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
      assert.equal(list.status, 0, list.stderr);
      assert.ok(list.stdout.includes(`rootfs/\u00e9t\u00e9-${'n'.repeat(110)}`));
      const dest = join(tmp, 'gnu-x');
      mkdirSync(dest);
      const x = spawnSync('tar', ['-xzf', file, '-C', dest], { encoding: 'utf8' });
      assert.equal(x.status, 0, x.stderr);
      assert.equal(readFileSync(join(dest, 'rootfs', 'a', 'f'), 'utf8'), 'file f\n');
      assert.equal(statSync(join(dest, 'rootfs', 'a', 'f')).mtimeMs, 1_500_000_000_000);
      assert.equal(statSync(join(dest, 'rootfs', 'z_hard')).ino, statSync(join(dest, 'rootfs', 'a', 'f')).ino);
      assert.equal(statSync(join(dest, 'rootfs', 'b', 'exe')).mode & 0o777, 0o755);
      assert.equal(JSON.parse(readFileSync(join(dest, 'manifest'), 'utf8')).name, 'example.com/test');
    });
  });

  it('--reproducible gives the same bytes and image ID on every run, with a fixed mtime', async () => {
    const a = out();
    const b = out();
    const ra = await buildAci(lay, a, { reproducible: true, sourceDateEpoch: 1234 });
    // Touching the tree changes mtimes on disk, not the reproducible archive.
    utimesSync(join(lay, 'rootfs', 'a', 'f'), 1_700_000_000, 1_700_000_000);
    const rb = await buildAci(lay, b, { reproducible: true, sourceDateEpoch: 1234 });
    utimesSync(join(lay, 'rootfs', 'a', 'f'), 1_500_000_000, 1_500_000_000);
    assert.deepEqual(readFileSync(a), readFileSync(b));
    assert.equal(ra.imageId, rb.imageId);
    for await (const e of readAciEntries(a)) {
      assert.equal(e.header.mtime, 1234);
      assert.equal(e.header.uname, e.header.name === 'manifest' ? 'root' : '');
    }
  });

  it('A-BD-1 requires the .aci extension', async () => {
    await assert.rejects(buildAci(lay, join(tmp, 'x.tar')), { code: 'ACI_BAD_EXTENSION' });
  });

  it('A-BD-3 refuses an existing output without overwrite, replaces it with overwrite', async () => {
    const file = out();
    writeFileSync(file, 'old');
    await assert.rejects(buildAci(lay, file), { code: 'ACI_OUTPUT_EXISTS' });
    assert.equal(readFileSync(file, 'utf8'), 'old');
    await buildAci(lay, file, { overwrite: true });
    assert.notEqual(readFileSync(file, 'utf8'), 'old');
  });

  it('A-BD-2 A-BD-5 an invalid layout builds nothing and leaves no partial or temporary file', async () => {
    const bad = join(tmp, 'bad-layout');
    mkdirSync(join(bad, 'rootfs'), { recursive: true });
    writeFileSync(join(bad, 'manifest'), TEST_MANIFEST);
    writeFileSync(join(bad, 'extra'), 'x');
    const file = join(tmp, 'bad.aci');
    await assert.rejects(buildAci(bad, file), (e: { code: string; issues: { code: string }[] }) => e.code === 'ACI_LAYOUT_INVALID' && e.issues[0]?.code === 'ACI_EXTRA_TOPLEVEL');
    assert.equal(existsSync(file), false);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('a file that shrinks while it is archived fails the build (ACI_FILE_CHANGED) and leaves no output', async () => {
    const lay2 = join(tmp, 'shrink');
    mkdirSync(join(lay2, 'rootfs'), { recursive: true });
    writeFileSync(join(lay2, 'manifest'), TEST_MANIFEST);
    writeFileSync(join(lay2, 'rootfs', 'a-big'), Buffer.alloc(3 << 20, 1));
    writeFileSync(join(lay2, 'rootfs', 'b-small'), Buffer.alloc(100_000, 2));
    const file = join(tmp, 'shrink.aci');
    // The first flush happens while a-big is read, after b-small was stat'ed: shrink it then.
    let done = false;
    const onProgress = (): void => {
      if (!done) truncateSync(join(lay2, 'rootfs', 'b-small'), 10);
      done = true;
    };
    await assert.rejects(buildAci(lay2, file, { onProgress }), { code: 'ACI_FILE_CHANGED', entry: 'rootfs/b-small' });
    assert.equal(existsSync(file), false);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('writes a plain tar with compression none, readable by tar-stream and GNU tar', async () => {
    const file = out();
    await buildAci(lay, file, { compression: 'none' });
    const t = spawnSync('tar', ['-tvf', file], { encoding: 'utf8' });
    assert.equal(t.status, 0);
    assert.match(t.stdout, /hrw-r--r-- .* rootfs\/z_hard link to rootfs\/a\/f/);
    assert.equal(statSync(file).size % 512, 0);
  });

  it('refuses names that are not UTF-8 (ACI_UNSUPPORTED_NAME) rather than mangling them', async () => {
    const lay3 = join(tmp, 'latin1');
    mkdirSync(join(lay3, 'rootfs'), { recursive: true });
    writeFileSync(join(lay3, 'manifest'), TEST_MANIFEST);
    writeFileSync(Buffer.concat([Buffer.from(join(lay3, 'rootfs') + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'x');
    await assert.rejects(buildAci(lay3, join(tmp, 'latin1.aci')), { code: 'ACI_UNSUPPORTED_NAME' });
    assert.equal(existsSync(join(tmp, 'latin1.aci')), false);
  });

  it('parallel gzip (1 MiB blocks primed with the previous 32 KiB) is valid gzip, the same tar as one stream, and deterministic', async () => {
    const big = join(tmp, 'multiblock');
    mkdirSync(join(big, 'rootfs'), { recursive: true });
    writeFileSync(join(big, 'manifest'), TEST_MANIFEST);
    const text = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n'.repeat(70_000));
    writeFileSync(join(big, 'rootfs', 'text'), text);
    writeFileSync(join(big, 'rootfs', 'random'), createHash('sha512').update('seed').digest().toString('hex').repeat(20_000));
    const [a, b, c] = [out(), out(), out()];
    const ra = await buildAci(big, a, { reproducible: true });
    const rb = await buildAci(big, b, { reproducible: true });
    const rc = await buildAci(big, c, { reproducible: true, parallel: false });
    assert.ok(ra.bytes > 4 << 20);
    assert.deepEqual(readFileSync(a), readFileSync(b));
    assert.equal(ra.imageId, rb.imageId);
    assert.equal(ra.imageId, rc.imageId);
    assert.equal(spawnSync('gzip', ['-t', a]).status, 0);
    // Each block adds a sync marker and restarts the matcher: a few hundred bytes per MiB at most.
    assert.ok(statSync(a).size - statSync(c).size < statSync(c).size * 0.01 + 512 * Math.ceil(ra.bytes / (1 << 20)), `${statSync(a).size} vs ${statSync(c).size}`);
    assert.deepEqual((await validateAci(a)).issues, []);
  });

  it('A-TH-1 records device nodes with their major and minor numbers', async () => {
    // glibc's dev_t encoding: major 1 minor 3 is 0x103; large numbers spread over both halves.
    assert.deepEqual(splitDevice(0x103n), { major: 1, minor: 3 });
    const makedev = (major: bigint, minor: bigint): bigint => ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
    assert.deepEqual(splitDevice(makedev(0x12345n, 0x6789an)), { major: 0x12345, minor: 0x6789a });
    assert.deepEqual(splitDevice(makedev(259n, 65536n)), { major: 259, minor: 65536 });
    const dev = join(tmp, 'devlayout');
    mkdirSync(join(dev, 'rootfs', 'dev'), { recursive: true });
    writeFileSync(join(dev, 'manifest'), TEST_MANIFEST);
    // mknod needs privileges; without them only the number split above is checked.
    if (spawnSync('mknod', [join(dev, 'rootfs', 'dev', 'null'), 'c', '1', '3']).status !== 0) return;
    const file = out();
    await buildAci(dev, file);
    const byName = new Map<string, { type: string; devmajor: number; devminor: number }>();
    for await (const e of readAciEntries(file)) byName.set(e.header.name, e.header);
    assert.deepEqual(byName.get('rootfs/dev/null'), { ...byName.get('rootfs/dev/null'), type: 'character-device', devmajor: 1, devminor: 3 });
  });
});
