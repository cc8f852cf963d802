import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runActool } from '../support/run-actool.js';
import { fixturePath } from '../support/paths.js';
import { makeLayout, tempDir } from '../support/aci-layout.js';

const tmp = tempDir('appc-cli-aci-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const lay = makeLayout(tmp);
const fx = (n: string): string => fixturePath('aci', n);
const ID = /^sha512-[0-9a-f]{128}$/;

describe('actool build', () => {
  it('A-BD-4 builds a gzip ACI that validates; --reproducible twice gives the same bytes', async () => {
    const a = join(tmp, 'a.aci');
    const b = join(tmp, 'b.aci');
    const r1 = await runActool(['build', '--reproducible', lay, a], { env: { SOURCE_DATE_EPOCH: '1000' } });
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r1.stdout, '');
    const r2 = await runActool(['build', '--reproducible', '--compression=gzip', lay, b], { env: { SOURCE_DATE_EPOCH: '1000' } });
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(readFileSync(a), readFileSync(b));
    assert.equal(readFileSync(a)[0], 0x1f);
  });

  it('--no-compression writes a plain tar; --compression=xz an xz file', async () => {
    const t = join(tmp, 'plain.aci');
    assert.equal((await runActool(['build', '--no-compression', lay, t])).code, 0);
    assert.equal(readFileSync(t).subarray(257, 262).toString(), 'ustar');
    const x = join(tmp, 'x.aci');
    assert.equal((await runActool(['build', '--compression=xz', '--owner-root', lay, x])).code, 0);
    assert.equal(readFileSync(x)[0], 0xfd);
  });

  it('A-BD-1 A-BD-3 usage and refusals: argument count (2), extension and existing output (1)', async () => {
    assert.equal((await runActool(['build', lay])).code, 2);
    assert.equal((await runActool(['build', '--compression=zip', lay, join(tmp, 'z.aci')])).code, 2);
    assert.equal((await runActool(['build', '--no-compression', '--compression=xz', lay, join(tmp, 'z.aci')])).code, 2);
    const ext = await runActool(['build', lay, join(tmp, 'out.tar')]);
    assert.equal(ext.code, 1);
    assert.match(ext.stderr, /ACI_BAD_EXTENSION/);
    const file = join(tmp, 'exists.aci');
    writeFileSync(file, 'x');
    const ex = await runActool(['build', lay, file]);
    assert.equal(ex.code, 1);
    assert.match(ex.stderr, /ACI_OUTPUT_EXISTS/);
    assert.equal((await runActool(['build', '--overwrite', lay, file])).code, 0);
  });

  it('bzip2 without the bzip2 program fails clearly (ACI_COMPRESSOR_MISSING) and leaves nothing', async () => {
    const empty = join(tmp, 'empty-path');
    mkdirSync(empty, { recursive: true });
    const out = join(tmp, 'nobz.aci');
    const r = await runActool(['build', '--compression=bzip2', lay, out], { env: { PATH: empty } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ACI_COMPRESSOR_MISSING/);
    assert.equal(existsSync(out), false);
  });

  it('build and patch-manifest flush the output to disk only with --sync (-sync too); the bytes are the same', async () => {
    // A preloaded hook counts the datasyncs of the child process into a file as they happen.
    const hook = join(tmp, 'count-syncs.cjs');
    const counts = join(tmp, 'sync-counts');
    writeFileSync(
      hook,
      `const fs = require('node:fs'); const out = process.env.SYNC_COUNTS;
      const note = (what) => fs.appendFileSync(out, what + '\\n');
      const fdatasync = fs.fdatasync; fs.fdatasync = (fd, cb) => { note('fd'); fdatasync(fd, cb); };
      fs.promises.open(out, 'a').then((h) => { const p = Object.getPrototypeOf(h); const d = p.datasync;
        p.datasync = function () { note('handle'); return d.call(this); }; return h.close(); });`,
    );
    const synced = async (args: string[]): Promise<string[]> => {
      writeFileSync(counts, '');
      const r = await runActool(args, { env: { NODE_OPTIONS: `--require ${hook}`, SYNC_COUNTS: counts } });
      assert.equal(r.code, 0, r.stderr);
      return readFileSync(counts, 'utf8')
        .split('\n')
        .filter((l) => l === 'handle');
    };
    const [plain, withSync, single] = ['plain-nosync.aci', 'plain-sync.aci', 'plain-sync1.aci'].map((n) => join(tmp, n)) as [string, string, string];
    assert.equal((await synced(['build', '--reproducible', lay, plain])).length, 0);
    assert.equal((await synced(['build', '--reproducible', '--sync', lay, withSync])).length, 1);
    assert.equal((await synced(['build', '--reproducible', '-sync', lay, single])).length, 1);
    assert.deepEqual(readFileSync(withSync), readFileSync(plain));
    assert.deepEqual(readFileSync(single), readFileSync(plain));
    assert.equal((await synced(['patch-manifest', '--name=example.com/p', plain, join(tmp, 'p1.aci')])).length, 0);
    assert.equal((await synced(['patch-manifest', '--name=example.com/p', '--sync', plain, join(tmp, 'p2.aci')])).length, 1);
    assert.deepEqual(readFileSync(join(tmp, 'p2.aci')), readFileSync(join(tmp, 'p1.aci')));
  });

  it('A-BD-2 prints the layout issues and exits 1 for an invalid layout', async () => {
    const bad = join(tmp, 'badlayout');
    mkdirSync(join(bad, 'rootfs'), { recursive: true });
    writeFileSync(join(bad, 'manifest'), '{}');
    const r = await runActool(['build', bad, join(tmp, 'bad.aci')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(manifest\).*error/);
    assert.equal(existsSync(join(tmp, 'bad.aci')), false);
  });
});

describe('actool cat-manifest', () => {
  it('prints the raw manifest bytes, or canonical JSON indented by 4 with --pretty-print', async () => {
    const raw = await runActool(['cat-manifest', fx('gnu-tar-bzip2.aci')]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stdout, /^\{"acKind":"ImageManifest".*\}\n$/);
    const pretty = await runActool(['cat-manifest', '--pretty-print', fx('gnu-tar-bzip2.aci')]);
    assert.equal(pretty.code, 0);
    assert.match(pretty.stdout, /^\{\n {4}"acKind": "ImageManifest",\n/);
  });
  it('still prints an invalid manifest, with its issues on stderr and exit 1', async () => {
    const r = await runActool(['cat-manifest', fx('invalid-manifest.aci')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '{"acKind":"ImageManifest",\n');
    assert.match(r.stderr, /\(manifest\).*JSON_SYNTAX/);
    assert.equal((await runActool(['cat-manifest', '--pretty-print', fx('invalid-manifest.aci')])).stdout, '');
  });
  it('exits 1 for a file without a manifest or not an archive, 3 for a missing file, 2 for usage', async () => {
    const none = await runActool(['cat-manifest', fx('missing-manifest.aci')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /ACI_MISSING_MANIFEST/);
    assert.equal((await runActool(['cat-manifest', fx('zstd.aci')])).code, 1);
    assert.equal((await runActool(['cat-manifest', join(tmp, 'nope.aci')])).code, 3);
    assert.equal((await runActool(['cat-manifest'])).code, 2);
  });
});

describe('actool image-id', () => {
  it('A-ID-1 prints the ID alone for one file, "ID  FILE" for several', async () => {
    const one = await runActool(['image-id', fx('gnu-tar-xz.aci')]);
    assert.equal(one.code, 0);
    assert.match(one.stdout.trim(), ID);
    const two = await runActool(['image-id', fx('gnu-tar-xz.aci'), fx('gnu-tar-plain.aci')]);
    const lines = two.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.split('  ')[0], one.stdout.trim());
    assert.equal(lines[1]!.split('  ')[0], one.stdout.trim());
    assert.equal(lines[1]!.split('  ')[1], fx('gnu-tar-plain.aci'));
  });
  it('goes on after a bad file and exits 1', async () => {
    const r = await runActool(['image-id', fx('bad-crc.aci'), fx('minimal.aci')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ACI_CORRUPT_COMPRESSION/);
    assert.match(r.stdout, /^sha512-[0-9a-f]{128} {2}.*minimal\.aci\n$/);
    assert.equal((await runActool(['image-id'])).code, 2);
  });
});

describe('actool extract', () => {
  it('extracts, and --rootfs-only extracts rootfs contents', async () => {
    const d = join(tmp, 'ex1');
    const r = await runActool(['extract', fx('gnu-tar-gzip.aci'), d]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /ACI_UNSUPPORTED_ENTRY/);
    assert.ok(existsSync(join(d, 'rootfs', 'etc', 'hosts')));
    const d2 = join(tmp, 'ex2');
    assert.equal((await runActool(['extract', '--rootfs-only', fx('gnu-tar-plain.aci'), d2])).code, 0);
    assert.ok(existsSync(join(d2, 'etc', 'hosts')));
    assert.equal(existsSync(join(d2, 'manifest')), false);
  });
  it('refuses escapes with exit 1 and a one-line reason (the code validate gives), leaving nothing', async () => {
    const r = await runActool(['extract', fx('traversal.aci'), join(tmp, 'ex3')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^extract: .*entry rootfs\/\.\.\/\.\.\/etc\/passwd.*\[ACI_PATH_TRAVERSAL\]\n$/);
    assert.equal(existsSync(join(tmp, 'ex3')), false);
  });
  it('--strict refuses what validate --strict refuses; warnings are printed otherwise', async () => {
    const warn = await runActool(['extract', fx('unclean-path.aci'), join(tmp, 'ex4')]);
    assert.equal(warn.code, 0);
    assert.match(warn.stderr, /ACI_UNCLEAN_PATH/);
    const strict = await runActool(['extract', '--strict', fx('unclean-path.aci'), join(tmp, 'ex5')]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /\[ACI_UNCLEAN_PATH\]\n$/);
    assert.equal(existsSync(join(tmp, 'ex5')), false);
  });
  it('--owner takes preserve or current only', async () => {
    const r = await runActool(['extract', '--owner=root', fx('gnu-tar-plain.aci'), join(tmp, 'ex6')]);
    assert.equal(r.code, 2);
    assert.equal((await runActool(['extract', fx('gnu-tar-plain.aci')])).code, 2);
  });
});

describe('closed pipes', () => {
  // `actool ... | head -1`: the reader goes away after the first line; the command ends quietly (no EPIPE
  // stack trace) with its usual exit code.
  async function firstLineOnly(args: string[]): Promise<{ code: number | null; stderr: string; line: string }> {
    const { spawn } = await import('node:child_process');
    const { actoolPath } = await import('../support/paths.js');
    const child = spawn(process.execPath, [actoolPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve) => {
      child.stdout.once('data', (d: Buffer) => {
        child.stdout.destroy();
        resolve(d.toString().split('\n')[0]!);
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stderr, line };
  }
  const many = Array.from({ length: 40 }, () => fx('gnu-tar-gzip.aci'));
  it('image-id A B C | head -1 exits 0 without a stack trace', async () => {
    const r = await firstLineOnly(['image-id', ...many]);
    assert.match(r.line, /^sha512-[0-9a-f]{128}/);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });
  it('validate ... | head -1 exits 1 for an invalid archive, without a stack trace', async () => {
    const r = await firstLineOnly(['validate', fx('traversal.aci'), ...many]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /EPIPE|at /);
  });
});

describe('interrupted extract', () => {
  it('SIGINT stops actool extract and leaves neither the target nor its partial tree', async () => {
    const { spawn } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const { gzipSync } = await import('node:zlib');
    const { actoolPath } = await import('../support/paths.js');
    const { END_OF_ARCHIVE, encodeTarHeader, padding } = await import('../../src/aci/tar/write-tar.js');
    const { TEST_MANIFEST } = await import('../support/aci-layout.js');
    const base = { mode: 0o644, uid: 0, gid: 0, mtime: 0 } as const;
    const parts: Uint8Array[] = [encodeTarHeader({ ...base, name: 'rootfs', type: 'directory', mode: 0o755, size: 0 })];
    const big = Buffer.alloc(16 << 20);
    for (let i = 0; i < 16; i++) parts.push(encodeTarHeader({ ...base, name: `rootfs/f${i}`, type: 'file', size: big.length }), big);
    parts.push(encodeTarHeader({ ...base, name: 'manifest', type: 'file', size: TEST_MANIFEST.length }), Buffer.from(TEST_MANIFEST), new Uint8Array(padding(TEST_MANIFEST.length)), END_OF_ARCHIVE);
    const parent = join(tmp, 'interrupt');
    mkdirSync(parent);
    const archive = join(tmp, 'interrupt.aci');
    writeFileSync(archive, gzipSync(Buffer.concat(parts)));
    const target = join(parent, 'out');
    const child = spawn(process.execPath, [actoolPath, 'extract', archive, target], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt as soon as the partial tree exists (if the extraction wins the race, it must be complete).
    let sent = false;
    while (child.exitCode === null && !sent) {
      if (readdirSync(parent).some((f) => f.includes('.partial-'))) {
        child.kill('SIGINT');
        sent = true;
      } else await new Promise((r) => setTimeout(r, 2));
    }
    const code = await closed;
    assert.deepEqual(
      readdirSync(parent).filter((f) => f.includes('.partial-')),
      [],
    );
    if (code === 0) assert.equal(readdirSync(join(target, 'rootfs')).length, 16);
    else {
      assert.equal(existsSync(target), false);
      assert.match(stderr, /^extract: .*interrupted by SIGINT/);
      assert.doesNotMatch(stderr, /\n {4}at /);
    }
  });
});
