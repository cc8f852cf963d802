import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runActool } from '../support/run-actool.js';
import { fixturePath } from '../support/paths.js';
import { hasGpg } from '../support/pgp.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-validate-aci-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  file: string;
  type: string;
  kind?: string;
  valid: boolean;
  imageId?: string;
  compression?: string;
  issues: { code: string; entry?: string; severity: string }[];
}
const lines = (out: string): Report[] =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Report);

describe('actool validate (images and layouts)', () => {
  it('A-CD A-ID-1 detects gzip, bzip2, xz and plain tar images; the image ID is sha512 of the uncompressed tar', async () => {
    const names = ['gnu-tar-gzip', 'gnu-tar-bzip2', 'gnu-tar-xz', 'gnu-tar-plain'];
    const r = await runActool(['validate', '--format=json', ...names.map((n) => fixturePath('aci', `${n}.aci`))]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const reports = lines(r.stdout);
    assert.deepEqual(
      reports.map((x) => [x.type, x.kind, x.valid, x.compression]),
      [
        ['appimage', 'ImageManifest', true, 'gzip'],
        ['appimage', 'ImageManifest', true, 'bzip2'],
        ['appimage', 'ImageManifest', true, 'xz'],
        ['appimage', 'ImageManifest', true, 'none'],
      ],
    );
    const expected = 'sha512-' + execFileSync('sh', ['-c', `gzip -dc '${fixturePath('aci', 'gnu-tar-gzip.aci')}' | sha512sum`], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(reports[0]!.imageId, expected);
  });

  it('reports archive issues with the tar entry, and validates every file even after failures', async () => {
    const r = await runActool(['validate', '--format=json', fixturePath('aci', 'traversal.aci'), fixturePath('aci', 'truncated-gzip.aci'), fixturePath('manifests', 'image', 'valid', 'minimal.json')]);
    assert.equal(r.code, 1);
    const [traversal, truncated, manifest] = lines(r.stdout);
    assert.equal(traversal!.valid, false);
    assert.ok(
      traversal!.issues.some((i) => i.severity === 'error' && typeof i.entry === 'string'),
      JSON.stringify(traversal),
    );
    assert.equal(truncated!.valid, false);
    assert.equal(manifest!.valid, true);
    // The text format names the entry and the byte offset of archive issues.
    const text = await runActool(['validate', fixturePath('aci', 'traversal.aci')]);
    assert.match(text.stdout, /traversal\.aci\(rootfs\/[^)]*\): error ACI_\w+ \/: .* \(offset \d+\)\n/);
  });

  it('A-VA-5 validates an image layout directory, and --type=layout on a file is a clear error', async () => {
    const dir = join(tmp, 'layout');
    mkdirSync(join(dir, 'rootfs', 'etc'), { recursive: true });
    writeFileSync(join(dir, 'rootfs', 'etc', 'hostname'), 'x\n');
    copyFileSync(fixturePath('manifests', 'image', 'valid', 'minimal.json'), join(dir, 'manifest'));
    const ok = await runActool(['validate', '--format=json', dir]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.deepEqual(
      lines(ok.stdout).map((x) => [x.type, x.valid]),
      [['layout', true]],
    );
    writeFileSync(join(dir, 'extra'), '');
    const bad = await runActool(['validate', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /extra/);
    const wrong = await runActool(['validate', '--type=layout', join(dir, 'manifest')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /FILE_WRONG_TYPE/);
  });

  it('--type=manifest forces a text file that an archive would not be', async () => {
    const r = await runActool(['validate', '--type=appimage', fixturePath('manifests', 'image', 'valid', 'minimal.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error ACI_/);
  });
});

describe('actool validate progress bar', () => {
  it('shows a bar on a terminal for an image over 100 MB, and nothing when stderr is not a terminal', async () => {
    const layout = join(tmp, 'big-layout');
    mkdirSync(join(layout, 'rootfs'), { recursive: true });
    copyFileSync(fixturePath('manifests', 'image', 'valid', 'minimal.json'), join(layout, 'manifest'));
    execFileSync('truncate', ['-s', '105M', join(layout, 'rootfs', 'big')]);
    const aci = join(tmp, 'big.aci');
    execFileSync('tar', ['-C', layout, '-cf', aci, 'manifest', 'rootfs']);
    const piped = await runActool(['validate', aci]);
    assert.equal(piped.code, 0, piped.stdout);
    assert.equal(piped.stderr, '');
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const { actoolPath } = await import('../support/paths.js');
    const tty = execFileSync('script', ['-qec', `${process.execPath} ${actoolPath} validate ${aci}`, '/dev/null'], { encoding: 'utf8' });
    assert.match(tty, /\d+% .*big\.aci/);
  });
});

describe('actool validate --passphrase-file (encrypted images)', () => {
  it('S-5 decrypts an OpenPGP (AES) encrypted ACI as a stream; the image ID is that of the plaintext tar', {
    skip: hasGpg() ? false : 'gpg is not installed: encrypted images were not tested',
  }, async () => {
    const home = join(tmp, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    const pass = join(tmp, 'pass.txt');
    writeFileSync(pass, 'correct horse\n');
    const wrong = join(tmp, 'wrong.txt');
    writeFileSync(wrong, 'battery staple\n');
    const enc = join(tmp, 'enc.aci');
    execFileSync(
      'gpg',
      ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase-file', pass, '--symmetric', '--cipher-algo', 'AES256', '-o', enc, fixturePath('aci', 'gnu-tar-gzip.aci')],
      { stdio: 'ignore' },
    );
    const plain = lines((await runActool(['validate', '--format=json', fixturePath('aci', 'gnu-tar-gzip.aci')])).stdout)[0]!;
    const ok = await runActool(['validate', '--format=json', `--passphrase-file=${pass}`, enc]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(lines(ok.stdout)[0]!.imageId, plain.imageId);
    const bad = await runActool(['validate', `--passphrase-file=${wrong}`, enc]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /error ENCRYPTION_WRONG_PASSPHRASE/);
    const none = await runActool(['validate', enc]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /error ENCRYPTION_PASSPHRASE_REQUIRED/);
  });
});
