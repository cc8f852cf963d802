// actool sign and actool publish as a user runs them: outputs, exit codes, messages; an unreadable key or bad
// input leaves the site exactly as it was.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { gpgHome, hasGpg, makeKey, type TestKey } from '../support/pgp.js';
import { buildImage, snapshot } from '../support/publish-fixtures.js';
import { runActool } from '../support/run-actool.js';

let tmp: string;
let key: TestKey;
const actool = (args: string[]) => runActool(args, { cwd: tmp });

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-cli-publish-'));
  key = await makeKey({ name: 'Cli Signer' });
  writeFileSync(join(tmp, 'signing.key'), key.privateKey.armor());
  writeFileSync(join(tmp, 'public.key'), key.publicArmored);
  const locked = await openpgp.encryptKey({ privateKey: key.privateKey, passphrase: 'hunter2' });
  writeFileSync(join(tmp, 'locked.key'), locked.armor());
  writeFileSync(join(tmp, 'pass.txt'), 'hunter2\n');
  writeFileSync(join(tmp, 'wrong-pass.txt'), 'hunter3\n');
  await buildImage(tmp, 'app.aci', { name: 'example.com/app' });
  await buildImage(tmp, 'app2.aci', { name: 'example.com/app', labels: { version: '2.0.0', os: 'linux', arch: 'amd64' } });
  await buildImage(tmp, 'other.aci', { name: 'other.org/app' });
  await buildImage(tmp, 'conflict.aci', { name: 'example.com/app', files: { 'etc/changed': 'other bytes\n' } });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('actool sign', () => {
  it('S-2 writes IMAGE.aci.asc, which actool verify accepts', async () => {
    const r = await actool(['sign', '--key=signing.key', 'app.aci']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /app\.aci: signed by .* \(Cli Signer <cli\.signer@example\.com>\): app\.aci\.asc/);
    assert.match(readFileSync(join(tmp, 'app.aci.asc'), 'utf8'), /^-----BEGIN PGP SIGNATURE-----/);
    assert.equal((await actool(['trust', '--keystore=ks', '--prefix=example.com/app', '--skip-fingerprint-review', 'public.key'])).code, 0);
    const v = await actool(['verify', '--keystore=ks', 'app.aci']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /good signature/);
  });

  it('refuses to replace a signature without --overwrite (exit 3), replaces it with', async () => {
    const r = await actool(['sign', '--key=signing.key', 'app.aci']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /app\.aci\.asc: the signature file exists \(pass --overwrite/);
    assert.equal((await actool(['sign', '--key=signing.key', '--overwrite', 'app.aci'])).code, 0);
  });

  it('--binary writes IMAGE.aci.sig; --output=- prints the armored signature', async () => {
    const b = await actool(['sign', '--key=signing.key', '--binary', 'app2.aci']);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(!readFileSync(join(tmp, 'app2.aci.sig')).toString('latin1').startsWith('-----'));
    const o = await actool(['sign', '--key=signing.key', '--output=-', 'app2.aci']);
    assert.equal(o.code, 0, o.stderr);
    assert.match(o.stdout, /^-----BEGIN PGP SIGNATURE-----[\s\S]*-----END PGP SIGNATURE-----\s*$/);
  });

  it('a protected key: --passphrase-file unlocks it; none is SIGN_PASSPHRASE_REQUIRED, a wrong one SIGN_WRONG_PASSPHRASE (exit 1)', async () => {
    assert.equal((await actool(['sign', '--key=locked.key', '--passphrase-file=pass.txt', '--output=locked.asc', 'app.aci'])).code, 0);
    const none = await actool(['sign', '--key=locked.key', '--output=x.asc', 'app.aci']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^sign: locked\.key: .* \[SIGN_PASSPHRASE_REQUIRED\]\n$/);
    const wrong = await actool(['sign', '--key=locked.key', '--passphrase-file=wrong-pass.txt', '--output=x.asc', 'app.aci']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /SIGN_WRONG_PASSPHRASE/);
    assert.ok(!existsSync(join(tmp, 'x.asc')));
  });

  it('a public key is SIGN_KEY_NOT_PRIVATE (1); missing files are I/O (3); no --key is usage (2)', async () => {
    const pub = await actool(['sign', '--key=public.key', '--output=y.asc', 'app.aci']);
    assert.equal(pub.code, 1);
    assert.match(pub.stderr, /SIGN_KEY_NOT_PRIVATE/);
    const noImage = await actool(['sign', '--key=signing.key', 'missing.aci']);
    assert.equal(noImage.code, 3);
    assert.match(noImage.stderr, /missing\.aci: no such file or directory/);
    assert.ok(!existsSync(join(tmp, 'missing.aci.asc')));
    assert.equal((await actool(['sign', '--key=nokey.key', 'app.aci'])).code, 3);
    assert.equal((await actool(['sign', 'app.aci'])).code, 2);
    assert.doesNotMatch(noImage.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a key exported from gpg signs, and gpg --verify accepts the file actool wrote', { skip: hasGpg() ? false : 'gpg is not installed' }, async () => {
    const home = gpgHome('ed25519', 'Cli Gpg');
    try {
      writeFileSync(join(tmp, 'gpg.key'), home.run(['--armor', '--export-secret-keys', home.userId]));
      const r = await actool(['sign', '--key=gpg.key', '--output=gpg.asc', 'app.aci']);
      assert.equal(r.code, 0, r.stderr);
      const status = home.run(['--status-fd', '1', '--verify', join(tmp, 'gpg.asc'), join(tmp, 'app.aci')]).toString();
      assert.match(status, /\[GNUPG:\] GOODSIG/);
    } finally {
      home.close();
    }
  });
});

describe('actool publish', () => {
  it('publishes, reports, and is idempotent', async () => {
    const r = await actool(['publish', '--base-url=https://example.com/', '--key=signing.key', 'app.aci', 'site']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added example\.com\/app:1\.0\.0 linux\/amd64 sha512-[0-9a-f]{12} signed by /);
    assert.match(r.stderr, /site: 1 image, 2 pages, 1 key; serve it at https:\/\/example\.com\/\n/);
    const before = snapshot(join(tmp, 'site'));
    const again = await actool(['publish', '--key=signing.key', 'app.aci', 'site']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'unchanged example.com/app:1.0.0 linux/amd64\n');
    assert.deepEqual(snapshot(join(tmp, 'site')), before);
    const json = await actool(['publish', '--json', '--key=signing.key', 'app2.aci', 'site']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { added: { version: string }[]; images: unknown[] };
    assert.deepEqual(
      report.added.map((i) => i.version),
      ['2.0.0'],
    );
    assert.equal(report.images.length, 2);
  });

  it('takes images from the store by name (--store)', async () => {
    assert.equal((await actool(['store', 'add', '--store=st', 'app.aci'])).code, 0);
    const r = await actool(['publish', '--store=st', '--base-url=https://example.com/', '--key=signing.key', 'example.com/app:1.0.0', 'site-from-store']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(join(tmp, 'site-from-store/_appc/images/example.com/app-1.0.0-linux-amd64.aci')), readFileSync(join(tmp, 'app.aci')));
  });

  describe('bad input: a one-line error, exit 1 or 3, the site unchanged', () => {
    const cases: { what: string; args: string[]; code: number; message: RegExp; setup?: () => void; root?: boolean }[] = [
      { what: 'a name outside the prefix', args: ['--key=signing.key', 'other.aci'], code: 1, message: /other\.org\/app is not under example\.com.*\[PUBLISH_NAME_OUTSIDE_PREFIX\]/ },
      {
        what: 'same name/version/os/arch, other bytes',
        args: ['--key=signing.key', 'conflict.aci'],
        code: 1,
        message: /example\.com\/app:1\.0\.0 linux\/amd64 is already on the site with other bytes.*\[PUBLISH_CONFLICT\]/,
      },
      { what: 'a key file that does not exist', args: ['--key=none.key', 'app.aci'], code: 3, message: /none\.key: no such file or directory/ },
      {
        what: 'an unreadable key file',
        args: ['--key=unreadable.key', 'app.aci'],
        code: 3,
        message: /unreadable\.key: permission denied/,
        setup: () => {
          writeFileSync(join(tmp, 'unreadable.key'), key.privateKey.armor());
          chmodSync(join(tmp, 'unreadable.key'), 0o000);
        },
        root: false,
      },
      { what: 'a key path that is a directory', args: ['--key=keydir', 'app.aci'], code: 3, message: /keydir: is a directory/, setup: () => mkdirSync(join(tmp, 'keydir'), { recursive: true }) },
      { what: 'a public key as --key', args: ['--key=public.key', 'app.aci'], code: 1, message: /SIGN_KEY_NOT_PRIVATE/ },
      { what: 'a bad base URL', args: ['--base-url=ftp://x/', '--key=signing.key', 'app.aci'], code: 1, message: /PUBLISH_BAD_BASE_URL/ },
      { what: 'a missing image', args: ['--key=signing.key', 'gone.aci'], code: 3, message: /gone\.aci: no such file or directory/ },
      { what: 'an image not in the store', args: ['--store=st', '--key=signing.key', 'example.com/nothing:9'], code: 1, message: /RENDER_IMAGE_NOT_FOUND|not found|no image/i },
    ];
    for (const c of cases) {
      // Root reads files whatever their mode; the directory case covers an unreadable key there.
      if (c.root === false && process.getuid?.() === 0) continue;
      it(c.what, async () => {
        c.setup?.();
        const site = join(tmp, 'site');
        const before = snapshot(site);
        const r = await actool(['publish', ...c.args, 'site']);
        assert.equal(r.code, c.code, r.stderr);
        assert.match(r.stderr, c.message);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.deepEqual(snapshot(site), before);
      });
    }
    it('usage errors: one argument, --passphrase-file without --key (exit 2)', async () => {
      assert.equal((await actool(['publish', 'site'])).code, 2);
      assert.equal((await actool(['publish', '--passphrase-file=pass.txt', 'app.aci', 'site'])).code, 2);
    });
  });
});
