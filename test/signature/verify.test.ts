import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { Keystore } from '../../src/node/keystore.js';
import { verifyAciFile } from '../../src/node/verify-file.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import type { SignatureCheck } from '../../src/signature/verify.js';
import { verifyAci } from '../../src/signature/verify.js';
import { makeKey, revoke, signDetached, type TestKey } from '../support/pgp.js';

const DAY = 86_400_000;
const image = new TextEncoder().encode('pretend this is a gzip-compressed tar with manifest and rootfs/\n'.repeat(200));
const NAME = 'example.com/app';

let rsa: TestKey;
let ecc: TestKey;
let ed: TestKey;
let stranger: TestKey;
let expired: TestKey;
let tmp: string;

function codes(check: SignatureCheck): string[] {
  return check.ok ? check.warnings.map((w) => w.code) : check.issues.map((i) => i.code);
}

function failsWith(check: SignatureCheck, code: string, pattern?: RegExp): void {
  assert.equal(check.ok, false, `expected ${code}, got ok`);
  assert.deepEqual(codes(check), [code]);
  if (pattern && !check.ok) assert.match(check.issues[0]!.message, pattern);
}

async function ring(key: TestKey | string, scope: { root: true } | { prefix: string } = { prefix: NAME }): Promise<MemoryKeyRing> {
  const r = new MemoryKeyRing();
  await r.add(typeof key === 'string' ? key : key.publicArmored, scope);
  return r;
}

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

before(async () => {
  [rsa, ecc, ed, stranger, expired] = await Promise.all([
    makeKey({ type: 'rsa', name: 'Rsa Signer' }),
    makeKey({ type: 'ecc', name: 'Legacy EdDSA Signer' }),
    makeKey({ type: 'curve25519', name: 'Ed25519 Signer' }),
    makeKey({ name: 'Stranger' }),
    makeKey({ name: 'Expired Signer', date: new Date(Date.now() - 3 * DAY), keyExpirationTime: 86_400 }),
  ]);
  tmp = mkdtempSync(join(tmpdir(), 'appc-verify-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('S-1 S-2 verifyAci: good signatures', () => {
  for (const [label, key] of [
    ['RSA 2048', () => rsa],
    ['legacy EdDSA (curve25519)', () => ecc],
    ['Ed25519 (RFC 9580)', () => ed],
  ] as const) {
    it(`S-2 accepts an armored detached signature from a trusted ${label} key`, async () => {
      const k = key();
      const sig = await signDetached(k, image);
      const check = await verifyAci(image, sig, await ring(k), { name: NAME });
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.fingerprint, k.fingerprint);
      assert.deepEqual(check.userIds, [k.userId]);
      assert.equal(check.keyPrefix, NAME);
      assert.deepEqual(check.warnings, []);
      assert.ok(check.signedAt instanceof Date);
    });
  }

  it('S-2 accepts a binary signature with SIGNATURE_NOT_ARMORED, and fails it in strict mode', async () => {
    const sig = (await signDetached(rsa, image, { armor: false })) as Uint8Array;
    const r = await ring(rsa);
    const check = await verifyAci(image, sig, r, { name: NAME });
    assert.ok(check.ok);
    assert.deepEqual(codes(check), ['SIGNATURE_NOT_ARMORED']);
    const strict = await verifyAci(image, sig, r, { name: NAME, strict: true });
    failsWith(strict, 'SIGNATURE_NOT_ARMORED');
  });

  it('S-1 streams async-iterable and ReadableStream images', async () => {
    const sig = await signDetached(ecc, image);
    const r = await ring(ecc);
    assert.ok((await verifyAci(chunks(image, 1000), sig, r, { name: NAME })).ok);
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(image.slice(0, 5000));
        c.enqueue(image.slice(5000));
        c.close();
      },
    });
    assert.ok((await verifyAci(web, new TextEncoder().encode(sig as string), r, { name: NAME })).ok);
  });

  it('S-4 a root key is trusted for every name, and without a name', async () => {
    const sig = await signDetached(ecc, image);
    const r = await ring(ecc, { root: true });
    const check = await verifyAci(image, sig, r, { name: 'other.org/thing' });
    assert.ok(check.ok);
    assert.equal(check.keyPrefix, null);
    assert.ok((await verifyAci(image, sig, r)).ok);
  });

  it('S-4 a key trusted for an ancestor prefix covers the name', async () => {
    const sig = await signDetached(ecc, image);
    const check = await verifyAci(image, sig, await ring(ecc, { prefix: 'example.com' }), { name: 'example.com/app/web' });
    assert.ok(check.ok);
    assert.equal(check.keyPrefix, 'example.com');
  });

  it('S-2 accepts a signature with several signers when one of them is trusted', async () => {
    const message = await openpgp.createMessage({ binary: image });
    const sig = await openpgp.sign({ message, signingKeys: [stranger.privateKey, rsa.privateKey], detached: true });
    const check = await verifyAci(image, sig, await ring(rsa), { name: NAME });
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.fingerprint, rsa.fingerprint);
  });

  it('S-1 verifies 64 MiB streamed in chunks without holding it in memory', async () => {
    const chunk = new Uint8Array(1 << 20).fill(7);
    const count = 64;
    async function* big(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < count; i++) yield chunk;
    }
    // Sign by streaming too, so the test itself never holds 64 MiB.
    const toWeb = (src: AsyncGenerator<Uint8Array>) =>
      new ReadableStream<Uint8Array>({
        async pull(c) {
          const { done, value } = await src.next();
          if (done) c.close();
          else c.enqueue(value);
        },
      });
    const signed = await openpgp.sign({ message: await openpgp.createMessage({ binary: toWeb(big()) }), signingKeys: ecc.privateKey, detached: true });
    let sig = '';
    const reader = (signed as ReadableStream<string>).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) sig += r.value;
    const before = process.memoryUsage().rss;
    const check = await verifyAci(big(), sig, await ring(ecc), { name: NAME });
    const grew = process.memoryUsage().rss - before;
    assert.ok(check.ok, JSON.stringify(check));
    assert.ok(grew < 48 * (1 << 20), `rss grew by ${grew} bytes`);
  });
});

describe('S-1 S-2 verifyAci: failures say why', () => {
  it('S-3 no signature: SIGNATURE_MISSING', async () => {
    failsWith(await verifyAci(image, undefined, new MemoryKeyRing(), { name: NAME, imageLabel: 'app.aci' }), 'SIGNATURE_MISSING', /app\.aci/);
    failsWith(await verifyAci(image, null, new MemoryKeyRing()), 'SIGNATURE_MISSING');
  });

  it('S-1 a tampered image: SIGNATURE_MISMATCH', async () => {
    const sig = await signDetached(rsa, image);
    const tampered = image.slice();
    tampered[100] = tampered[100]! ^ 1;
    failsWith(await verifyAci(tampered, sig, await ring(rsa), { name: NAME }), 'SIGNATURE_MISMATCH', /modified or truncated/);
  });

  it('S-1 a truncated image: SIGNATURE_MISMATCH', async () => {
    const sig = await signDetached(ed, image);
    failsWith(await verifyAci(chunks(image.subarray(0, image.length - 1), 512), sig, await ring(ed), { name: NAME }), 'SIGNATURE_MISMATCH');
  });

  it('S-1 a signature over other bytes: SIGNATURE_MISMATCH', async () => {
    const sig = await signDetached(ecc, new TextEncoder().encode('another file'));
    failsWith(await verifyAci(image, sig, await ring(ecc), { name: NAME }), 'SIGNATURE_MISMATCH');
  });

  const malformed: [string, string | Uint8Array][] = [
    ['armor with a bad body', '-----BEGIN PGP SIGNATURE-----\n\n!!!not base64!!!\n-----END PGP SIGNATURE-----\n'],
    ['armor without an end line', '-----BEGIN PGP SIGNATURE-----\n\nwsBzBAABCAAnBQJ\n'],
    ['an armored message, not a detached signature', '-----BEGIN PGP MESSAGE-----\n\nyMBCAAA\n-----END PGP MESSAGE-----\n'],
    ['plain text', 'this is not a signature'],
    ['an empty file', new Uint8Array()],
    ['binary garbage', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ];
  for (const [label, sig] of malformed) {
    it(`S-2 ${label}: SIGNATURE_MALFORMED naming the file`, async () => {
      failsWith(await verifyAci(image, sig, await ring(rsa), { name: NAME, signatureLabel: 'app.aci.asc' }), 'SIGNATURE_MALFORMED', /app\.aci\.asc/);
    });
  }

  it('S-2 an armored public key given as the signature: SIGNATURE_MALFORMED', async () => {
    failsWith(await verifyAci(image, rsa.publicArmored, await ring(rsa), { name: NAME }), 'SIGNATURE_MALFORMED', /PUBLIC KEY BLOCK/);
  });

  it('S-4 a signer not in the keystore: SIGNATURE_UNKNOWN_SIGNER with its fingerprint and the trust command', async () => {
    const sig = await signDetached(stranger, image);
    const check = await verifyAci(image, sig, await ring(rsa), { name: NAME });
    failsWith(check, 'SIGNATURE_UNKNOWN_SIGNER', new RegExp(`${stranger.fingerprint}.*actool trust --prefix=example\\.com/app KEYFILE`));
    assert.ok(!check.ok);
    assert.equal(check.signer?.fingerprint, stranger.fingerprint);
    assert.equal(check.issues[0]!.params?.['fingerprint'], stranger.fingerprint);
  });

  it('S-4 a key trusted for another prefix: SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX', async () => {
    const sig = await signDetached(rsa, image);
    const r = await ring(rsa, { prefix: 'example.com/other' });
    failsWith(await verifyAci(image, sig, r, { name: NAME }), 'SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX', /prefix example\.com\/other but not for example\.com\/app/);
    failsWith(await verifyAci(image, sig, await ring(rsa, { prefix: 'example.com/ap' }), { name: NAME }), 'SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX');
    failsWith(await verifyAci(image, sig, r), 'SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX', /no image name was given/);
  });

  it('S-4 an expired key: SIGNATURE_KEY_EXPIRED (and good at a date when it was valid)', async () => {
    const signedAt = new Date(Date.now() - 2.5 * DAY);
    const sig = await signDetached(expired, image, { date: signedAt });
    const r = await ring(expired);
    failsWith(await verifyAci(image, sig, r, { name: NAME }), 'SIGNATURE_KEY_EXPIRED', /expired/);
    assert.ok((await verifyAci(image, sig, r, { name: NAME, date: new Date(signedAt.getTime() + 1000) })).ok);
  });

  it('S-4 a revoked key: SIGNATURE_KEY_REVOKED', async () => {
    const k = await makeKey({ name: 'Soon Revoked', date: new Date(Date.now() - 2 * DAY) });
    const sig = await signDetached(k, image, { date: new Date(Date.now() - DAY) });
    failsWith(await verifyAci(image, sig, await ring(await revoke(k)), { name: NAME }), 'SIGNATURE_KEY_REVOKED', /revoked/);
  });

  it('S-4 a key that cannot sign (no valid self-signature): SIGNATURE_KEY_INVALID', async () => {
    const sig = await signDetached(rsa, image);
    // Drop the user ID and its self-signature: the key has no binding, so openpgp finds no valid signing key.
    const bare = await openpgp.readKey({ armoredKey: rsa.publicArmored });
    bare.users = [];
    const r = new MemoryKeyRing();
    await r.add(bare.armor(), { prefix: NAME });
    failsWith(await verifyAci(image, sig, r, { name: NAME }), 'SIGNATURE_KEY_INVALID');
  });

  it('S-1 an error of the image source is thrown, not reported as a bad signature', async () => {
    const sig = await signDetached(ecc, image);
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield image.slice(0, 10);
      throw Object.assign(new Error('EIO: disk on fire'), { code: 'EIO' });
    }
    await assert.rejects(verifyAci(broken(), sig, await ring(ecc), { name: NAME }), /disk on fire/);
  });
});

describe('S-1 verifyAciFile', () => {
  it('S-2 finds <image>.asc next to the image, or reports SIGNATURE_MISSING', async () => {
    const dir = join(tmp, 'files');
    mkdirSync(dir);
    const path = join(dir, 'app.aci');
    writeFileSync(path, image);
    const ks = new Keystore({ systemDir: null, localDir: join(dir, 'keys') });
    await ks.add(ecc.publicArmored, { prefix: NAME });
    failsWith(await verifyAciFile(path, undefined, ks, { name: NAME }), 'SIGNATURE_MISSING', /app\.aci/);
    writeFileSync(path + '.asc', await signDetached(ecc, image));
    const check = await verifyAciFile(path, undefined, ks, { name: NAME });
    assert.ok(check.ok);
    await assert.rejects(verifyAciFile(join(dir, 'none.aci'), undefined, ks, { name: NAME }), { code: 'FILE_UNREADABLE', file: join(dir, 'none.aci') });
    await assert.rejects(verifyAciFile(path, join(dir, 'none.asc'), ks, { name: NAME }), { code: 'FILE_UNREADABLE', file: join(dir, 'none.asc') });
  });

  it('S-4 a bogus file in a keystore directory that covers the name is an error, never a decision', async () => {
    const dir = join(tmp, 'bogus');
    mkdirSync(join(dir, 'keys', 'prefix.d', 'example.com'), { recursive: true });
    writeFileSync(join(dir, 'keys', 'prefix.d', 'example.com', ecc.fingerprint), 'not a key');
    const path = join(dir, 'app.aci');
    writeFileSync(path, image);
    writeFileSync(path + '.asc', await signDetached(ecc, image));
    const ks = new Keystore({ systemDir: null, localDir: join(dir, 'keys') });
    await assert.rejects(verifyAciFile(path, undefined, ks, { name: NAME }), { code: 'KEYSTORE_BAD_FILE' });
  });
});
