import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { decryptAci, detectEncryption, maybeDecrypt } from '../../src/signature/encryption.js';
import { encryptSymmetric, encryptToKey, makeKey } from '../support/pgp.js';

const plain = new Uint8Array(randomBytes(1 << 20));
// Random bytes can look like the start of an OpenPGP packet (bit 7 set and a matching tag): a tar never does.
plain.set(new TextEncoder().encode('rootfs/'), 0);
let binary: Uint8Array;
let armored: string;

async function collect(src: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

function code(expected: string) {
  return (e: unknown) => {
    assert.equal((e as { code?: string }).code, expected, String(e));
    return true;
  };
}

before(async () => {
  binary = (await encryptSymmetric(plain, 'sekr3t')) as Uint8Array;
  armored = (await encryptSymmetric(plain, 'sekr3t', true)) as string;
});

describe('S-5 detectEncryption', () => {
  const none: [string, number[] | string][] = [
    ['gzip', [0x1f, 0x8b, 0x08, 0x00]],
    ['bzip2', 'BZh91AY&SY'],
    ['xz (first byte 0xfd has bit 7 set)', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
    ['a tar starting with manifest', 'manifest\0\0\0\0'],
    ['a tar member with a UTF-8 name (0xc3 looks like a new-format tag 3 header)', [0xc3, 0xa9, 0x74, 0x65]],
    ['an old-format SKESK header with a bad version', [0x8c, 0x0d, 0x09, 0x03]],
    ['empty', []],
    ['an armored signature', '-----BEGIN PGP SIGNATURE-----\n'],
  ];
  for (const [label, bytes] of none) {
    it(`S-5 ${label} is not encrypted`, () => {
      const head = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
      assert.equal(detectEncryption(head), 'none');
    });
  }
  it('S-5 recognizes binary and armored OpenPGP messages', async () => {
    assert.equal(detectEncryption(binary.subarray(0, 64)), 'binary');
    assert.equal(detectEncryption(new TextEncoder().encode(armored.slice(0, 64))), 'armored');
    assert.equal(detectEncryption(new TextEncoder().encode('\n  -----BEGIN PGP MESSAGE-----\n')), 'armored');
    // gpg --symmetric (old-format SKESK v4) and SEIPD v1/v2 and PKESK headers.
    assert.equal(detectEncryption(new Uint8Array([0x8c, 0x0d, 0x04, 0x09, 0x03])), 'binary');
    assert.equal(detectEncryption(new Uint8Array([0xd2, 0x50, 0x01])), 'binary');
    assert.equal(detectEncryption(new Uint8Array([0xd2, 0xea, 0x02])), 'binary');
    assert.equal(detectEncryption(new Uint8Array([0xc1, 0x5e, 0x03])), 'binary');
  });
  it('S-5 property: never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        assert.ok(['none', 'binary', 'armored'].includes(detectEncryption(bytes)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('S-5 decryptAci', () => {
  it('S-5 decrypts a binary message streamed in small chunks', async () => {
    const out = await collect(await decryptAci(chunks(binary, 4096), { passphrase: 'sekr3t' }));
    assert.deepEqual(out, plain);
  });
  it('S-5 decrypts an armored message', async () => {
    const out = await collect(await decryptAci(new TextEncoder().encode(armored), { passphrase: 'sekr3t' }));
    assert.deepEqual(out, plain);
  });
  it('S-5 decrypts AEAD (SEIPD v2) messages', async () => {
    const message = await openpgp.createMessage({ binary: plain });
    const enc = await openpgp.encrypt({ message, passwords: ['pw'], format: 'binary', config: { aeadProtect: true } });
    assert.deepEqual(await collect(await decryptAci(enc as Uint8Array, { passphrase: 'pw' })), plain);
  });
  it('S-5 a wrong passphrase: ENCRYPTION_WRONG_PASSPHRASE', async () => {
    await assert.rejects(decryptAci(binary, { passphrase: 'wrong', label: 'app.aci' }), (e: unknown) => {
      code('ENCRYPTION_WRONG_PASSPHRASE')(e);
      assert.match((e as Error).message, /app\.aci.*passphrase/);
      return true;
    });
  });
  it('S-5 any wrong passphrase is ENCRYPTION_WRONG_PASSPHRASE, even when the decrypted session key names a non-AES cipher', async () => {
    // The session key (and its algorithm byte) is encrypted with the passphrase: about 3% of wrong
    // passphrases decrypt it to a valid non-AES algorithm, which once read as ENCRYPTION_UNSUPPORTED.
    const small = (await encryptSymmetric(plain.subarray(0, 4096), 'sekr3t')) as Uint8Array;
    const codes = new Set<string | undefined>();
    for (let i = 0; i < 300; i++) {
      await assert.rejects(decryptAci(small, { passphrase: `wrong-${i}` }), (e: unknown) => {
        codes.add((e as { code?: string }).code);
        return true;
      });
    }
    assert.deepEqual([...codes], ['ENCRYPTION_WRONG_PASSPHRASE']);
  });
  it('S-5 no passphrase: ENCRYPTION_PASSPHRASE_REQUIRED', async () => {
    await assert.rejects(decryptAci(binary), code('ENCRYPTION_PASSPHRASE_REQUIRED'));
    await assert.rejects(maybeDecrypt(chunks(binary, 100)), code('ENCRYPTION_PASSPHRASE_REQUIRED'));
  });
  it('S-5 a byte changed near the end fails the integrity check: ENCRYPTION_CORRUPT from the stream', async () => {
    const bad = binary.slice();
    const at = bad.length - 100;
    bad[at] = bad[at]! ^ 0xff;
    const out = await decryptAci(chunks(bad, 65536), { passphrase: 'sekr3t' });
    await assert.rejects(collect(out), code('ENCRYPTION_CORRUPT'));
  });
  it('S-5 a truncated message: ENCRYPTION_CORRUPT', async () => {
    const out = await decryptAci(chunks(binary.subarray(0, binary.length - 5000), 65536), { passphrase: 'sekr3t' });
    await assert.rejects(collect(out), code('ENCRYPTION_CORRUPT'));
  });
  it('S-5 a message encrypted to a public key only: ENCRYPTION_UNSUPPORTED', async () => {
    const key = await makeKey({ name: 'Recipient' });
    await assert.rejects(decryptAci(await encryptToKey(plain.subarray(0, 100), key), { passphrase: 'x' }), code('ENCRYPTION_UNSUPPORTED'));
  });
  it('S-5 bytes that are not encrypted: ENCRYPTION_CORRUPT', async () => {
    await assert.rejects(decryptAci(new Uint8Array([0x1f, 0x8b, 8, 0]), { passphrase: 'x' }), code('ENCRYPTION_CORRUPT'));
  });
});

describe('S-5 maybeDecrypt', () => {
  it('S-5 passes unencrypted bytes through unchanged', async () => {
    const r = await maybeDecrypt(chunks(plain, 7000));
    assert.equal(r.encryption, 'none');
    assert.deepEqual(await collect(r.source), plain);
  });
  it('S-5 decrypts encrypted bytes', async () => {
    const r = await maybeDecrypt(chunks(binary, 1000), { passphrase: 'sekr3t' });
    assert.equal(r.encryption, 'binary');
    assert.deepEqual(await collect(r.source), plain);
  });
  it('S-5 property: any bytes that are not detected as encrypted come back identical', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), async (bytes, size) => {
        if (detectEncryption(bytes) !== 'none') return;
        const r = await maybeDecrypt(chunks(bytes, size));
        assert.deepEqual(await collect(r.source), bytes);
      }),
      { numRuns: 200 },
    );
  });
});
