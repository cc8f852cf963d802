// signAci and readSigningKey (S-2): keys made by openpgp and by gpg, armored and binary output, streaming,
// every key error; each signature is checked by verifyAci and, when gpg is installed, by `gpg --verify`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { isAppcError } from '../../src/issues/appc-error.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import { readSigningKey, signAci } from '../../src/signature/sign.js';
import { verifyAci } from '../../src/signature/verify.js';
import { gpgHome, hasGpg, makeKey, type GpgHome } from '../support/pgp.js';

const NAME = 'example.com/app';
let tmp: string;
let image: string;
const payload = randomBytes(700_000);

async function trusted(publicArmored: string): Promise<MemoryKeyRing> {
  const ring = new MemoryKeyRing();
  await ring.add(publicArmored, { prefix: NAME });
  return ring;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isAppcError(e), `expected an AppcError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-sign-'));
  image = join(tmp, 'app.aci');
  writeFileSync(image, payload);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('S-2 signAci with keys made by openpgp', () => {
  for (const type of ['rsa', 'ecc', 'curve25519'] as const) {
    it(`${type}: an armored detached signature over the streamed file verifies with verifyAci`, async () => {
      const key = await makeKey({ type, name: `Sign ${type}` });
      const signer = await readSigningKey(key.privateKey.armor());
      assert.equal(signer.fingerprint, key.fingerprint);
      const out = await signAci(createReadStream(image, { highWaterMark: 64 * 1024 }), signer);
      assert.equal(typeof out.signature, 'string');
      assert.match(out.signature as string, /^-----BEGIN PGP SIGNATURE-----/);
      const check = await verifyAci(payload, out.signature, await trusted(key.publicArmored), { name: NAME, strict: true });
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.fingerprint, key.fingerprint);
    });
  }

  it('binary output (armor: false) is a binary packet that verifies, with the not-armored warning', async () => {
    const key = await makeKey();
    const out = await signAci(payload, key.privateKey.write(), { armor: false });
    assert.ok(out.signature instanceof Uint8Array);
    assert.equal((out.signature[0]! & 0x80) !== 0, true, 'an OpenPGP packet tag');
    const check = await verifyAci(payload, out.signature, await trusted(key.publicArmored), { name: NAME });
    assert.ok(check.ok);
    assert.deepEqual(
      check.warnings.map((w) => w.code),
      ['SIGNATURE_NOT_ARMORED'],
    );
  });

  it('a signature over other bytes does not verify (SIGNATURE_MISMATCH)', async () => {
    const key = await makeKey();
    const out = await signAci(payload, await readSigningKey(key.privateKey.armor()));
    const changed = Buffer.from(payload);
    changed[1234] = changed[1234]! ^ 1;
    const check = await verifyAci(changed, out.signature, await trusted(key.publicArmored), { name: NAME });
    assert.equal(check.ok, false);
    assert.deepEqual(!check.ok && check.issues.map((i) => i.code), ['SIGNATURE_MISMATCH']);
  });

  it('signs a web ReadableStream and an async generator the same way', async () => {
    const key = await readSigningKey((await makeKey()).privateKey.armor());
    const ring = await trusted(key.publicArmored);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < payload.length; i += 1000) yield payload.subarray(i, i + 1000);
    }
    const web = new Blob([payload]).stream();
    for (const input of [chunks(), web]) {
      const out = await signAci(input, key);
      assert.ok((await verifyAci(payload, out.signature, ring, { name: NAME })).ok);
    }
  });

  it('an error of the image source is rethrown as it is (I/O, not a key problem)', async () => {
    const key = await readSigningKey((await makeKey()).privateKey.armor());
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield payload.subarray(0, 100);
      throw Object.assign(new Error('disk gone'), { code: 'EIO' });
    }
    await assert.rejects(signAci(broken(), key), (e: unknown) => (e as { code?: string }).code === 'EIO');
    await assert.rejects(signAci(createReadStream(join(tmp, 'missing.aci')), key), (e: unknown) => (e as { code?: string }).code === 'ENOENT');
    // A stream whose open fails before anyone reads it must not crash the process with an unhandled 'error'.
    const early = createReadStream(join(tmp, 'missing-too.aci'));
    const pending = signAci(early, key).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(((await pending) as { code?: string } | undefined)?.code, 'ENOENT');
  });

  it('a passphrase-protected key needs the passphrase (SIGN_PASSPHRASE_REQUIRED, SIGN_WRONG_PASSPHRASE)', async () => {
    const key = await makeKey();
    const locked = await openpgp.encryptKey({ privateKey: key.privateKey, passphrase: 'open sesame' });
    await rejectsWith(readSigningKey(locked.armor(), { source: 'locked.key' }), 'SIGN_PASSPHRASE_REQUIRED');
    await rejectsWith(readSigningKey(locked.armor(), { passphrase: 'wrong' }), 'SIGN_WRONG_PASSPHRASE');
    const unlocked = await readSigningKey(locked.armor(), { passphrase: 'open sesame' });
    const out = await signAci(payload, unlocked);
    assert.ok((await verifyAci(payload, out.signature, await trusted(key.publicArmored), { name: NAME })).ok);
    // Key data with the passphrase in the options works too.
    assert.ok((await signAci(payload, locked.armor(), { passphrase: 'open sesame' })).signature);
  });

  it('key errors: public key (SIGN_KEY_NOT_PRIVATE), not a key or two keys (SIGN_KEY_MALFORMED), expired (SIGN_KEY_UNUSABLE)', async () => {
    const key = await makeKey();
    const other = await makeKey({ name: 'Other' });
    await rejectsWith(readSigningKey(key.publicArmored), 'SIGN_KEY_NOT_PRIVATE');
    await rejectsWith(readSigningKey(key.privateKey.toPublic().write()), 'SIGN_KEY_NOT_PRIVATE');
    await rejectsWith(readSigningKey('-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n'), 'SIGN_KEY_MALFORMED');
    await rejectsWith(readSigningKey(new Uint8Array(0)), 'SIGN_KEY_MALFORMED');
    await rejectsWith(readSigningKey(randomBytes(200)), 'SIGN_KEY_MALFORMED');
    await rejectsWith(readSigningKey(key.privateKey.armor() + other.privateKey.armor()), 'SIGN_KEY_MALFORMED');
    const both = new Uint8Array([...key.privateKey.write(), ...other.privateKey.write()]);
    await rejectsWith(readSigningKey(both), 'SIGN_KEY_MALFORMED');
    const expired = await makeKey({ date: new Date(Date.now() - 10 * 86_400_000), keyExpirationTime: 86_400 });
    await rejectsWith(signAci(payload, await readSigningKey(expired.privateKey.armor())), 'SIGN_KEY_UNUSABLE');
  });
});

describe('S-2 signAci with keys made by gpg, checked by gpg --verify', { skip: hasGpg() ? false : 'gpg is not installed: signatures were not checked by gpg' }, () => {
  const homes: GpgHome[] = [];
  after(() => {
    for (const h of homes) h.close();
  });

  for (const algo of ['ed25519', 'rsa2048'] as const) {
    it(`${algo}: gpg --export-secret-keys signs, and gpg --verify and verifyAci accept the signature`, async () => {
      const home = gpgHome(algo, `Gpg ${algo}`);
      homes.push(home);
      const secret = home.run(['--armor', '--export-secret-keys', home.userId]);
      const signer = await readSigningKey(new Uint8Array(secret), { source: 'gpg.key' });
      assert.equal(signer.fingerprint, home.fingerprint);
      for (const armor of [true, false]) {
        const out = await signAci(createReadStream(image), signer, { armor });
        const sigFile = join(tmp, `${algo}.${armor ? 'asc' : 'sig'}`);
        writeFileSync(sigFile, out.signature);
        const status = home.run(['--status-fd', '1', '--verify', sigFile, image]).toString('utf8');
        assert.match(status, new RegExp(`\\[GNUPG:\\] VALIDSIG ${home.fingerprint.toUpperCase()}`));
        assert.ok((await verifyAci(payload, out.signature, await trusted(home.publicArmored), { name: NAME })).ok);
      }
    });
  }

  it('a passphrase-protected gpg key is unlocked with the passphrase', async () => {
    const home = gpgHome('ed25519', 'Gpg Host');
    homes.push(home);
    const userId = 'Locked Gpg <locked@example.com>';
    home.run(['--passphrase', 'pa55', '--quick-gen-key', userId, 'ed25519', 'sign', 'never']);
    const secret = home.run(['--passphrase', 'pa55', '--armor', '--export-secret-keys', userId]);
    await rejectsWith(readSigningKey(new Uint8Array(secret)), 'SIGN_PASSPHRASE_REQUIRED');
    await rejectsWith(readSigningKey(new Uint8Array(secret), { passphrase: 'nope' }), 'SIGN_WRONG_PASSPHRASE');
    const signer = await readSigningKey(new Uint8Array(secret), { passphrase: 'pa55' });
    const sigFile = join(tmp, 'locked.asc');
    writeFileSync(sigFile, (await signAci(payload, signer)).signature);
    const status = home.run(['--status-fd', '1', '--verify', sigFile, image]).toString('utf8');
    assert.match(status, /\[GNUPG:\] GOODSIG/);
  });
});
