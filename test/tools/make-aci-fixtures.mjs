#!/usr/bin/env node
// Builds fixtures/aci/*.aci and their *.expected.json: real archives made with GNU tar + gzip -n, bzip2,
// xz, and hostile ones crafted block by block with the small, independent tar writer below (so the
// fixtures do not depend on the library under test). Run: node test/tools/make-aci-fixtures.mjs
// Needs GNU tar, gzip, bzip2, xz, zstd, lzma (xz) and gpg. Output is deterministic except openpgp.aci.
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'fixtures', 'aci');
const work = mkdtempSync(join(tmpdir(), 'aci-fixtures-'));
const MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/fixture","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}';
const TAR_FLAGS = ['--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--sort=name'];
const expected = {};

mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.aci') || f.endsWith('.expected.json')) unlinkSync(join(out, f));

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { maxBuffer: 1 << 26, ...opts });
}
function write(name, bytes, issues) {
  writeFileSync(join(out, name), bytes);
  expected[name] = issues;
}

// ---- A real layout, archived by GNU tar ------------------------------------------------------------
const lay = join(work, 'layout');
mkdirSync(join(lay, 'rootfs', 'etc'), { recursive: true });
mkdirSync(join(lay, 'rootfs', 'bin'), { recursive: true });
mkdirSync(join(lay, 'rootfs', 'usr', 'share', 'doc'), { recursive: true });
writeFileSync(join(lay, 'manifest'), MANIFEST);
writeFileSync(join(lay, 'rootfs', 'etc', 'hosts'), '127.0.0.1 localhost\n');
writeFileSync(join(lay, 'rootfs', 'bin', 'app'), '#!/bin/sh\necho hello\n');
chmodSync(join(lay, 'rootfs', 'bin', 'app'), 0o755);
writeFileSync(join(lay, 'rootfs', 'usr', 'share', 'doc', 'README'), 'x'.repeat(3000));
linkSync(join(lay, 'rootfs', 'etc', 'hosts'), join(lay, 'rootfs', 'etc', 'hosts.hard'));
symlinkSync('../etc/hosts', join(lay, 'rootfs', 'bin', 'hosts-link'));
symlinkSync('/etc/hosts', join(lay, 'rootfs', 'bin', 'abs-link'));
sh('mkfifo', [join(lay, 'rootfs', 'fifo')]);

const plain = sh('tar', ['-C', lay, ...TAR_FLAGS, '-cf', '-', 'manifest', 'rootfs']);
write('gnu-tar-plain.aci', plain, []);
write('gnu-tar-gzip.aci', sh('gzip', ['-n', '-9', '-c'], { input: plain }), []);
write('gnu-tar-bzip2.aci', sh('bzip2', ['-9', '-c'], { input: plain }), []);
write('gnu-tar-xz.aci', sh('xz', ['-c'], { input: plain }), []);
// Names with "./" and a "." entry, as `tar -C layout .` writes them (A-TH-3, Go file_test).
write('dot-slash.aci', sh('gzip', ['-n', '-c'], { input: sh('tar', ['-C', lay, ...TAR_FLAGS, '-cf', '-', '.']) }), []);
// Concatenated gzip members decode as one stream.
write('gzip-two-members.aci', Buffer.concat([gzipSync(plain.subarray(0, 4096)), gzipSync(plain.subarray(4096))]), []);

// Long and non-ASCII names: PAX (posix) and GNU long-name headers.
const longDir = join(lay, 'rootfs', 'd'.repeat(60), 'e'.repeat(60));
mkdirSync(longDir, { recursive: true });
writeFileSync(join(longDir, 'f'.repeat(90)), 'long');
writeFileSync(join(lay, 'rootfs', 'caf\u00e9-\u65e5\u672c'), 'utf-8 name');
write(
  'pax-long-names.aci',
  sh('gzip', ['-n', '-c'], { input: sh('tar', ['-C', lay, ...TAR_FLAGS, '--format=posix', '--pax-option=delete=atime,delete=ctime', '-cf', '-', 'manifest', 'rootfs']) }),
  [],
);
write('gnu-long-names.aci', sh('gzip', ['-n', '-c'], { input: sh('tar', ['-C', lay, ...TAR_FLAGS, '--format=gnu', '-cf', '-', 'manifest', 'rootfs']) }), []);

// Sparse files: GNU tar writes old-GNU 'S' entries (format gnu) or PAX GNU.sparse 1.0 (format posix).
const sparseLay = join(work, 'sparse');
mkdirSync(join(sparseLay, 'rootfs'), { recursive: true });
writeFileSync(join(sparseLay, 'manifest'), MANIFEST);
sh('truncate', ['-s', '100G', join(sparseLay, 'rootfs', 'huge')]);
sh('sh', ['-c', `printf data | dd of=${join(sparseLay, 'rootfs', 'huge')} bs=1 seek=1000000 conv=notrunc 2>/dev/null`]);
write('sparse-gnu.aci', sh('gzip', ['-n', '-c'], { input: sh('tar', ['-C', sparseLay, ...TAR_FLAGS, '--format=gnu', '--sparse', '-cf', '-', 'manifest', 'rootfs']) }), [
  { code: 'ACI_SPARSE_ENTRY', entry: 'rootfs/huge' },
]);
write(
  'sparse-pax.aci',
  sh('gzip', ['-n', '-c'], {
    input: sh('tar', ['-C', sparseLay, ...TAR_FLAGS, '--format=posix', '--pax-option=delete=atime,delete=ctime', '--sparse', '--sparse-version=1.0', '-cf', '-', 'manifest', 'rootfs']),
  }),
  [{ code: 'ACI_SPARSE_ENTRY', entry: 'rootfs/huge' }],
);

// Formats that are recognised but not ACI compressions, and things that are not archives.
write('zstd.aci', sh('zstd', ['-q', '-c'], { input: plain }), [{ code: 'ACI_UNSUPPORTED_COMPRESSION' }]);
write('lzma.aci', sh('xz', ['--format=lzma', '-c'], { input: plain }), [{ code: 'ACI_UNSUPPORTED_COMPRESSION' }]);
write(
  'openpgp.aci',
  sh('gpg', ['--batch', '--quiet', '--homedir', mkdtempSync(join(work, 'gpg-')), '--passphrase', 'sekr3t', '--pinentry-mode', 'loopback', '--symmetric', '--cipher-algo', 'AES256', '-o', '-'], {
    input: gzipSync(plain),
  }),
  [{ code: 'ACI_UNSUPPORTED_COMPRESSION' }],
);
write('text.aci', Buffer.from(MANIFEST), [{ code: 'ACI_UNKNOWN_FORMAT' }]);

// ---- Crafted archives ------------------------------------------------------------------------------
// A minimal, independent ustar writer: enough to write what GNU tar refuses to.
function octal(v, len) {
  return v.toString(8).padStart(len - 1, '0') + '\0';
}
function header({ name, type = '0', size = 0, mode = 0o644, linkname = '', mtime = 0, magic = 'ustar\u000000', rawName, sizeField, uidField, mtimeField }) {
  const b = Buffer.alloc(512);
  if (rawName) rawName.copy(b, 0);
  else b.write(name, 0, 100, 'utf8');
  b.write(octal(mode, 8), 100, 'latin1');
  if (uidField) uidField.copy(b, 108);
  else b.write(octal(0, 8), 108, 'latin1');
  b.write(octal(0, 8), 116, 'latin1');
  b.write(sizeField ?? octal(size, 12), 124, 'latin1');
  if (mtimeField) mtimeField.copy(b, 136);
  else b.write(octal(mtime, 12), 136, 'latin1');
  b.write(type, 156, 'latin1');
  b.write(linkname, 157, 100, 'utf8');
  b.write(magic, 257, 'latin1');
  b.write('root', 265);
  b.write('root', 297);
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}
function entry(h, data = Buffer.alloc(0)) {
  const size = h.size ?? data.length;
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([header({ ...h, size }), data, Buffer.alloc(pad)]);
}
function paxRecords(records) {
  return Buffer.from(
    records
      .map(([k, v]) => {
        const rec = ` ${k}=${v}\n`;
        let len = Buffer.byteLength(rec) + 1;
        while (String(len).length + Buffer.byteLength(rec) > len) len++;
        return `${len}${rec}`;
      })
      .join(''),
  );
}
function pax(records, name = 'PaxHeaders/x') {
  return entry({ name, type: 'x' }, paxRecords(records));
}
const END = Buffer.alloc(1024);
const manifest = (name = 'manifest', body = MANIFEST) => entry({ name }, Buffer.from(body));
const rootfs = () => entry({ name: 'rootfs', type: '5', mode: 0o755 });
const file = (name, body = 'x') => entry({ name }, Buffer.from(body));
const tarOf = (...parts) => Buffer.concat([...parts, END]);
const gz = (buf) => gzipSync(buf);

write('minimal.aci', gz(tarOf(rootfs(), manifest())), []);
write('manifest-first.aci', gz(tarOf(manifest(), rootfs(), file('rootfs/a'))), []);
write('traversal.aci', gz(tarOf(rootfs(), file('rootfs/../../etc/passwd'), manifest())), [{ code: 'ACI_PATH_TRAVERSAL', entry: 'rootfs/../../etc/passwd' }]);
write('absolute-path.aci', gz(tarOf(rootfs(), file('/rootfs/etc/passwd'), manifest())), [{ code: 'ACI_ABSOLUTE_PATH', entry: '/rootfs/etc/passwd' }]);
write('unclean-path.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/a', type: '5', mode: 0o755 }), file('rootfs/a/../b'), manifest())), [{ code: 'ACI_UNCLEAN_PATH', entry: 'rootfs/a/../b' }]);
write('symlink-escape.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/evil', type: '2', linkname: '../../etc' }), entry({ name: 'rootfs/ok-abs', type: '2', linkname: '/etc' }), manifest())), [
  { code: 'ACI_SYMLINK_ESCAPES', entry: 'rootfs/evil' },
]);
write('hardlink-outside.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/h', type: '1', linkname: '../etc/shadow' }), manifest(), entry({ name: 'rootfs/m', type: '1', linkname: 'manifest' }))), [
  { code: 'ACI_HARDLINK_OUTSIDE', entry: 'rootfs/h' },
  { code: 'ACI_HARDLINK_OUTSIDE', entry: 'rootfs/m' },
]);
write(
  'hardlink-dangling.aci',
  gz(
    tarOf(
      rootfs(),
      entry({ name: 'rootfs/h', type: '1', linkname: 'rootfs/missing' }),
      entry({ name: 'rootfs/d', type: '5' }),
      entry({ name: 'rootfs/hd', type: '1', linkname: 'rootfs/d' }),
      manifest(),
    ),
  ),
  [
    { code: 'ACI_HARDLINK_DANGLING', entry: 'rootfs/h' },
    { code: 'ACI_HARDLINK_DANGLING', entry: 'rootfs/hd' },
  ],
);
write('hardlink-ok.aci', gz(tarOf(rootfs(), file('rootfs/f'), entry({ name: 'rootfs/h', type: '1', linkname: './rootfs/f' }), manifest())), []);
write('extra-toplevel.aci', gz(tarOf(rootfs(), file('etc/passwd'), file('etc/shadow'), manifest())), [{ code: 'ACI_EXTRA_TOPLEVEL', entry: 'etc/passwd' }]);
write('rootfsx.aci', gz(tarOf(rootfs(), entry({ name: 'rootfsx', type: '5' }), file('rootfsx/a'), manifest())), [{ code: 'ACI_EXTRA_TOPLEVEL', entry: 'rootfsx' }]);
write('duplicate-entry.aci', gz(tarOf(rootfs(), file('rootfs/a'), file('./rootfs//a'), manifest())), [{ code: 'ACI_DUPLICATE_ENTRY', entry: './rootfs//a' }]);
write('duplicate-manifest.aci', gz(tarOf(rootfs(), manifest(), manifest('./manifest'))), [{ code: 'ACI_DUPLICATE_ENTRY', entry: './manifest' }]);
write('missing-rootfs.aci', gz(tarOf(file('rootfs/a'), manifest())), [{ code: 'ACI_MISSING_ROOTFS' }]);
write('missing-manifest.aci', gz(tarOf(rootfs(), file('rootfs/a'))), [{ code: 'ACI_MISSING_MANIFEST' }]);
write('rootfs-not-dir.aci', gz(tarOf(file('rootfs'), manifest())), [{ code: 'ACI_ROOTFS_NOT_DIR', entry: 'rootfs' }]);
write('rootfs-symlink.aci', gz(tarOf(entry({ name: 'rootfs', type: '2', linkname: '/' }), manifest())), [{ code: 'ACI_ROOTFS_NOT_DIR', entry: 'rootfs' }]);
write('manifest-dir.aci', gz(tarOf(rootfs(), entry({ name: 'manifest', type: '5' }))), [{ code: 'ACI_MANIFEST_NOT_FILE', entry: 'manifest' }]);
write('invalid-manifest.aci', gz(tarOf(rootfs(), manifest('manifest', '{"acKind":"ImageManifest",'))), [{ code: 'JSON_SYNTAX', entry: 'manifest' }]);
write('invalid-utf8-name.aci', gz(tarOf(rootfs(), entry({ rawName: Buffer.from([0x72, 0x6f, 0x6f, 0x74, 0x66, 0x73, 0x2f, 0x62, 0x61, 0x64, 0xff, 0xfe]) }, Buffer.from('x')), manifest())), [
  { code: 'ACI_NAME_NOT_UTF8', entry: 'rootfs/bad\ufffd\ufffd' },
]);
write('unusual-type.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/c', type: '7' }, Buffer.from('contiguous')), entry({ name: 'rootfs/v', type: 'V' }), manifest())), [
  { code: 'ACI_UNUSUAL_TYPE', entry: 'rootfs/c' },
  { code: 'ACI_UNUSUAL_TYPE', entry: 'rootfs/v' },
]);
write('header-only-size.aci', gz(Buffer.concat([rootfs(), header({ name: 'rootfs/d', type: '5', size: 5 }), manifest(), END])), [{ code: 'TAR_HEADER_ONLY_SIZE', entry: 'rootfs/d' }]);
write('global-header.aci', gz(tarOf(entry({ name: 'pax_global_header', type: 'g' }, paxRecords([['comment', 'fixture']])), rootfs(), manifest())), [
  { code: 'ACI_EXTRA_TOPLEVEL', entry: 'pax_global_header' },
]);
write('long-path.aci', gz(tarOf(rootfs(), entry({ name: '././@LongLink', type: 'L' }, Buffer.from('rootfs/' + 'a'.repeat(5000) + '\0')), file('rootfs/placeholder'), manifest())), [
  { code: 'ACI_LIMIT_EXCEEDED' },
]);
const bomb = Buffer.alloc(2 << 20, 'a');
write('pax-bomb.aci', gz(tarOf(rootfs(), entry({ name: 'PaxHeaders/bomb', type: 'x', size: bomb.length }, bomb), file('rootfs/a'), manifest())), [{ code: 'ACI_LIMIT_EXCEEDED' }]);
// A NUL in a PAX name (Go's validPAXRecord refuses it; the system would cut the name short there).
write('pax-nul-path.aci', gz(tarOf(rootfs(), pax([['path', 'rootfs/a\0b']]), file('rootfs/placeholder'), manifest())), [{ code: 'TAR_BAD_HEADER' }]);
write('pax-nul-linkpath.aci', gz(tarOf(rootfs(), file('rootfs/a'), pax([['linkpath', 'a\0b']]), entry({ name: 'rootfs/l', type: '2', linkname: 'a' }), manifest())), [{ code: 'TAR_BAD_HEADER' }]);
write('pax-bad-record.aci', gz(tarOf(rootfs(), entry({ name: 'PaxHeaders/x', type: 'x' }, Buffer.from('99 path=rootfs/a\n')), file('rootfs/a'), manifest())), [{ code: 'TAR_BAD_HEADER' }]);
write(
  'pax-path.aci',
  gz(
    tarOf(
      rootfs(),
      pax([
        ['path', 'rootfs/' + 'p'.repeat(150)],
        ['SCHILY.xattr.user.test', 'value'],
      ]),
      file('rootfs/short'),
      manifest(),
    ),
  ),
  [],
);

// The entry policy (docs/aci.md): names that plant files where they should not, and Go's tar details.
write('empty-name.aci', gz(tarOf(rootfs(), file(''), manifest())), [{ code: 'ACI_BAD_NAME', entry: '' }]);
write('root-symlink.aci', gz(tarOf(entry({ name: '.', type: '2', linkname: '/' }), rootfs(), manifest())), [{ code: 'ACI_BAD_NAME', entry: '.' }]);
write('root-twice.aci', gz(tarOf(entry({ name: './', type: '5', mode: 0o755 }), rootfs(), entry({ name: '.', type: '5', mode: 0o700 }), manifest())), [{ code: 'ACI_DUPLICATE_ENTRY', entry: '.' }]);
write('through-symlink.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/etc', type: '2', linkname: '/etc' }), file('rootfs/etc/cron.d/evil'), manifest())), [
  { code: 'ACI_PARENT_NOT_DIR', entry: 'rootfs/etc/cron.d/evil' },
]);
write('below-file.aci', gz(tarOf(rootfs(), file('rootfs/f'), file('rootfs/f/x'), manifest())), [{ code: 'ACI_PARENT_NOT_DIR', entry: 'rootfs/f/x' }]);
write('symlink-over-dir.aci', gz(tarOf(rootfs(), file('rootfs/d/x'), entry({ name: 'rootfs/d', type: '2', linkname: '/tmp' }), manifest())), [{ code: 'ACI_PARENT_NOT_DIR', entry: 'rootfs/d' }]);
write('dotdot-manifest.aci', gz(tarOf(manifest(), rootfs(), manifest('rootfs/../manifest', MANIFEST.replace('fixture', 'other')))), [{ code: 'ACI_PATH_TRAVERSAL', entry: 'rootfs/../manifest' }]);
write('cut-end-marker.aci', Buffer.concat([rootfs(), manifest(), Buffer.alloc(512)]), [{ code: 'ACI_TRUNCATED' }]);
write('sparse-ustar.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/s', type: 'S' }, Buffer.from('x')), manifest())), [{ code: 'TAR_BAD_HEADER' }]);
write('old-style-dir.aci', gz(tarOf(entry({ name: 'rootfs/', type: '\0', mode: 0o755 }), entry({ name: 'rootfs/d/', type: '0', mode: 0o755 }), file('rootfs/d/a'), manifest())), []);
const base256 = (len, value) => {
  const b = Buffer.alloc(len);
  let v = BigInt(value);
  for (let i = len - 1; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  b[0] |= 0x80;
  return b;
};
write('big-numbers.aci', gz(tarOf(rootfs(), entry({ name: 'rootfs/big', uidField: base256(8, 2n ** 60n + 1n), mtimeField: base256(12, 2n ** 55n + 1n) }, Buffer.from('x')), manifest())), []);
write('manifest-type-8.aci', gz(tarOf(rootfs(), entry({ name: 'manifest', type: '8' }, Buffer.from(MANIFEST)))), [{ code: 'ACI_UNUSUAL_TYPE', entry: 'manifest' }]);
write('manifest-type-m.aci', gz(tarOf(rootfs(), entry({ name: 'manifest', type: 'M' }, Buffer.from(MANIFEST)))), [{ code: 'ACI_UNUSUAL_TYPE', entry: 'manifest' }]);

// Damaged archives.
const good = gz(tarOf(rootfs(), file('rootfs/a', 'hello'.repeat(2000)), manifest()));
write('truncated-gzip.aci', good.subarray(0, Math.floor(good.length / 2)), [{ code: 'ACI_TRUNCATED' }]);
const crc = Buffer.from(good);
crc[crc.length - 8] ^= 0xff;
write('bad-crc.aci', crc, [{ code: 'ACI_CORRUPT_COMPRESSION' }]);
const len = Buffer.from(good);
len[len.length - 1] ^= 0x01;
write('bad-length.aci', len, [{ code: 'ACI_CORRUPT_COMPRESSION' }]);
write('trailing-garbage.aci', Buffer.concat([good, Buffer.from('GARBAGE AFTER THE GZIP STREAM')]), [{ code: 'ACI_TRAILING_DATA' }]);
write('trailing-zeros.aci', Buffer.concat([good, Buffer.alloc(100)]), []);
write('trailing-data-in-tar.aci', gz(Buffer.concat([tarOf(rootfs(), manifest()), Buffer.from('hidden data after the end of the archive')])), [{ code: 'ACI_TRAILING_DATA' }]);
write('zero-block-then-data.aci', gz(Buffer.concat([rootfs(), manifest(), Buffer.alloc(512), file('rootfs/hidden'), END])), [{ code: 'ACI_TRAILING_DATA' }]);
const plainTar = tarOf(rootfs(), file('rootfs/a', 'y'.repeat(3000)), manifest());
write('truncated-tar.aci', plainTar.subarray(0, 1200), [{ code: 'ACI_TRUNCATED', entry: 'rootfs/a' }]);
write('no-end-marker.aci', Buffer.concat([rootfs(), manifest()]), [{ code: 'TAR_NO_END' }]);
const badSum = Buffer.from(plainTar);
badSum[512 + 10] ^= 0x01;
write('bad-checksum.aci', gz(badSum), [{ code: 'TAR_BAD_CHECKSUM' }]);
write('bad-size-field.aci', gz(Buffer.concat([rootfs(), header({ name: 'rootfs/a', sizeField: '12x45\0\0\0\0\0\0\0' }), END])), [{ code: 'TAR_BAD_HEADER' }]);
write('truncated-bzip2.aci', sh('bzip2', ['-c'], { input: plainTar }).subarray(0, 60), [{ code: 'ACI_TRUNCATED' }]);
write('truncated-xz.aci', sh('xz', ['-c'], { input: plainTar }).subarray(0, 80), [{ code: 'ACI_TRUNCATED' }]);
// A dictionary over 64 MiB (xz -9's): more memory than either xz decoder is allowed (A-CD-2).
write('xz-dictionary-96mib.aci', sh('xz', ['-c', '--lzma2=preset=0,dict=96MiB'], { input: plainTar }), [{ code: 'ACI_CORRUPT_COMPRESSION' }]);

for (const [name, issues] of Object.entries(expected)) {
  writeFileSync(join(out, name.replace(/\.aci$/, '.expected.json')), JSON.stringify(issues, null, 2) + '\n');
}
rmSync(work, { recursive: true, force: true });
// Archives in sized gzip members (the gzip this library writes), valid and damaged.
sh(process.execPath, [join(root, 'test', 'tools', 'make-gzip-member-fixtures.mjs')], { stdio: 'inherit' });
console.log(`wrote ${Object.keys(expected).length} fixtures to ${out}`);
if (!existsSync(join(out, 'README.md'))) console.log('note: fixtures/aci/README.md is missing');
