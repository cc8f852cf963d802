import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Keystore, keystoreFromRoot } from '../../src/node/keystore.js';
import { coveringPrefixes, MemoryKeyRing, prefixCovers, validatePrefix } from '../../src/signature/keystore.js';
import { formatFingerprint, normalizeFingerprint, readPublicKeys } from '../../src/signature/keys.js';
import { makeKey, revoke, type TestKey } from '../support/pgp.js';

function rejectsCode(code: string, pattern?: RegExp) {
  return (e: unknown) => {
    assert.equal((e as { code?: string }).code, code, String(e));
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  };
}

let a: TestKey;
let b: TestKey;
let tmp: string;
let n = 0;
const fresh = (): string => {
  const dir = join(tmp, `ks${n++}`);
  mkdirSync(dir);
  return dir;
};

before(async () => {
  [a, b] = await Promise.all([makeKey({ name: 'Alice Signer' }), makeKey({ name: 'Bob Signer', type: 'rsa' })]);
  tmp = mkdtempSync(join(tmpdir(), 'appc-keystore-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('S-4 prefixes', () => {
  const covers: [string, string, boolean][] = [
    ['example.com', 'example.com', true],
    ['example.com', 'example.com/app', true],
    ['example.com/app', 'example.com/app/web', true],
    ['example.com/app', 'example.com/apple', false],
    ['example.com', 'example.com.evil.org/app', false],
    ['example.com/app', 'example.com', false],
    ['example.com/app/', 'example.com/app/x', true],
  ];
  for (const [prefix, name, expected] of covers) {
    it(`S-4 prefix ${prefix} ${expected ? 'covers' : 'does not cover'} ${name} (whole segments)`, () => {
      assert.equal(prefixCovers(prefix, name), expected);
    });
  }
  it('S-4 lists covering prefixes shortest first', () => {
    assert.deepEqual(coveringPrefixes('a.com/b/c'), ['a.com', 'a.com/b', 'a.com/b/c']);
  });
  for (const bad of ['', 'Example.com', 'example.com//app', '/abs', 'a/../b', 'a/./b', 'a b', '../x']) {
    it(`S-4 rejects prefix ${JSON.stringify(bad)} with KEYSTORE_BAD_PREFIX`, () => {
      assert.throws(() => validatePrefix(bad), rejectsCode('KEYSTORE_BAD_PREFIX'));
    });
  }
  it('S-4 property: an accepted prefix never has a segment that escapes its directory', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        let ok = true;
        try {
          validatePrefix(s);
        } catch {
          ok = false;
        }
        if (ok) assert.ok(s.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('S-4 keys', () => {
  it('S-4 reads an armored public key with fingerprint and user IDs', async () => {
    const [info] = await readPublicKeys(a.publicArmored);
    assert.equal(info!.fingerprint, a.fingerprint);
    assert.deepEqual(info!.userIds, [a.userId]);
    assert.equal(info!.revoked, false);
    assert.equal(info!.expires, null);
    assert.match(info!.armored, /BEGIN PGP PUBLIC KEY BLOCK/);
  });
  it('S-4 reads a bundle of two keys and a binary key', async () => {
    const keys = await readPublicKeys(a.publicArmored + '\n' + b.publicArmored);
    assert.deepEqual(
      keys.map((k) => k.fingerprint),
      [a.fingerprint, b.fingerprint],
    );
    const binary = b.privateKey.toPublic().write();
    assert.equal((await readPublicKeys(binary))[0]!.fingerprint, b.fingerprint);
  });
  it('S-4 reduces a private key to its public part', async () => {
    const [info] = await readPublicKeys(a.privateKey.armor());
    assert.equal(info!.fingerprint, a.fingerprint);
    assert.doesNotMatch(info!.armored, /PRIVATE/);
  });
  it('S-4 reports a revoked key', async () => {
    const k = await makeKey({ name: 'Revoked' });
    const [info] = await readPublicKeys(await revoke(k));
    assert.equal(info!.revoked, true);
  });
  for (const [label, data] of [
    ['a text file', 'hello, I am not a key\n'],
    ['an empty file', new Uint8Array()],
    ['an armored signature', '-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJ\n-----END PGP SIGNATURE-----\n'],
    ['broken armor', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n'],
    ['random bytes', new Uint8Array([0x99, 0x01, 0x0d, 1, 2, 3, 4, 5])],
  ] as const) {
    it(`S-4 rejects ${label} with KEY_MALFORMED naming the source`, async () => {
      await assert.rejects(readPublicKeys(data, { source: 'keys/bad.asc' }), rejectsCode('KEY_MALFORMED', /keys\/bad\.asc/));
    });
  }
  it('S-4 normalizes and formats fingerprints', () => {
    const fp = 'ABCD 0123 4567 89AB CDEF  0123 4567 89AB CDEF 0123';
    assert.equal(normalizeFingerprint(fp), 'abcd0123456789abcdef0123456789abcdef0123');
    assert.equal(normalizeFingerprint('0x' + 'a'.repeat(64)), 'a'.repeat(64));
    assert.equal(formatFingerprint('abcd0123456789abcdef0123456789abcdef0123'), 'ABCD 0123 4567 89AB CDEF  0123 4567 89AB CDEF 0123');
    assert.throws(() => normalizeFingerprint('abc'), rejectsCode('KEYSTORE_BAD_FINGERPRINT'));
  });
});

describe('S-4 Keystore on disk (rkt layout)', () => {
  it('S-4 adds root and prefix keys under root.d and prefix.d/<prefix>/ named by fingerprint', async () => {
    const dir = fresh();
    const ks = new Keystore({ systemDir: null, localDir: dir });
    const [added] = await ks.add(a.publicArmored, { root: true });
    assert.equal(added!.status, 'added');
    assert.equal(added!.path, join(dir, 'root.d', a.fingerprint));
    await ks.add(b.publicArmored, { prefix: 'example.com/app' });
    const path = join(dir, 'prefix.d', 'example.com', 'app', b.fingerprint);
    assert.match(readFileSync(path, 'utf8'), /BEGIN PGP PUBLIC KEY BLOCK/);
    assert.equal(statSync(path).mode & 0o777, 0o644);
    const list = await ks.list();
    assert.deepEqual(
      list.map((k) => [k.prefix, k.fingerprint, k.origin]),
      [
        [null, a.fingerprint, 'local'],
        ['example.com/app', b.fingerprint, 'local'],
      ],
    );
  });

  it('S-4 adding is idempotent; new content for a fingerprint is an update', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    assert.equal((await ks.add(a.publicArmored, { root: true }))[0]!.status, 'added');
    assert.equal((await ks.add(a.publicArmored, { root: true }))[0]!.status, 'unchanged');
    const revoked = await revoke(a);
    assert.equal((await ks.add(revoked, { root: true }))[0]!.status, 'updated');
    assert.equal((await ks.list()).length, 1);
  });

  it('S-4 keysFor matches root keys and whole-segment prefixes only', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    await ks.add(a.publicArmored, { prefix: 'example.com' });
    await ks.add(b.publicArmored, { prefix: 'example.com/app' });
    const fps = async (name?: string) => (await ks.keysFor(name)).map((k) => k.fingerprint).sort();
    assert.deepEqual(await fps('example.com/app/web'), [a.fingerprint, b.fingerprint].sort());
    assert.deepEqual(await fps('example.com/apple'), [a.fingerprint]);
    assert.deepEqual(await fps('example.org/app'), []);
    assert.deepEqual(await fps(), []);
    await ks.add(b.publicArmored, { root: true });
    assert.deepEqual(await fps('other.org/x'), [b.fingerprint]);
    assert.deepEqual(await fps(), [b.fingerprint]);
  });

  it('S-4 keysFor refuses a name that is not a safe path', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    await assert.rejects(ks.keysFor('example.com/../../etc'), rejectsCode('KEYSTORE_BAD_PREFIX'));
  });

  it('S-4 an empty local file masks the system key of the same scope; remove writes that mask', async () => {
    const root = fresh();
    const system = new Keystore({ systemDir: null, localDir: join(root, 'system') });
    await system.add(a.publicArmored, { prefix: 'example.com' });
    await system.add(b.publicArmored, { root: true });
    const ks = keystoreFromRoot(root);
    assert.equal(ks.systemDir, join(root, 'system'));
    assert.deepEqual(
      (await ks.keysFor('example.com/app')).map((k) => k.origin),
      ['system', 'system'],
    );
    // Hand-made mask, as rkt users do it.
    mkdirSync(join(root, 'local', 'root.d'), { recursive: true });
    writeFileSync(join(root, 'local', 'root.d', b.fingerprint), '');
    assert.deepEqual(
      (await ks.keysFor('example.com/app')).map((k) => k.fingerprint),
      [a.fingerprint],
    );
    // A mask in another scope does not hide it.
    const removed = await ks.remove(a.fingerprint);
    assert.deepEqual(
      removed.map((r) => r.action),
      ['masked'],
    );
    assert.equal(statSync(join(root, 'local', 'prefix.d', 'example.com', a.fingerprint)).size, 0);
    assert.deepEqual(await ks.keysFor('example.com/app'), []);
    assert.deepEqual(await ks.list(), []);
    // Trusting it again replaces the mask.
    assert.equal((await ks.add(a.publicArmored, { prefix: 'example.com' }))[0]!.status, 'added');
    assert.deepEqual(
      (await ks.keysFor('example.com/app')).map((k) => k.origin),
      ['local'],
    );
  });

  it('S-4 remove deletes local files in every scope, or one scope', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    await ks.add(a.publicArmored, { root: true });
    await ks.add(a.publicArmored, { prefix: 'x.org' });
    await ks.add(a.publicArmored, { prefix: 'y.org' });
    assert.equal((await ks.remove(a.fingerprint.toUpperCase(), { prefix: 'x.org' })).length, 1);
    assert.equal((await ks.list()).length, 2);
    const removed = await ks.remove(a.fingerprint);
    assert.deepEqual(
      removed.map((r) => r.action),
      ['deleted', 'deleted'],
    );
    await assert.rejects(ks.remove(a.fingerprint), rejectsCode('KEYSTORE_KEY_NOT_FOUND', new RegExp(a.fingerprint)));
  });

  it('S-4 keystoreFromRoot uses an rkt trustedkeys directory as is', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'root.d'));
    const ks = keystoreFromRoot(dir);
    assert.equal(ks.systemDir, null);
    assert.equal(ks.localDir, dir);
    const empty = keystoreFromRoot(fresh());
    assert.ok(empty.localDir.endsWith('local'));
    assert.ok(!existsSync(empty.localDir));
  });

  describe('S-4 bad keystore files are errors naming the file, never skipped', () => {
    const cases: [string, (dir: string) => void, string, RegExp][] = [
      ['a file that is not a key', (d) => writeFileSync(join(d, 'root.d', 'a'.repeat(40)), 'garbage\n'), 'KEYSTORE_BAD_FILE', /root\.d\/a{40}.*key a{40}/],
      ['a file not named by a fingerprint', (d) => writeFileSync(join(d, 'root.d', 'mykey.asc'), 'x'), 'KEYSTORE_BAD_FILE', /mykey\.asc/],
      ['a dangling symlink', (d) => symlinkSync(join(d, 'nowhere'), join(d, 'root.d', 'b'.repeat(40))), 'KEYSTORE_BAD_FILE', /b{40}/],
    ];
    for (const [label, make, code, pattern] of cases) {
      it(`S-4 ${label}: ${code}`, async () => {
        const dir = fresh();
        mkdirSync(join(dir, 'root.d'));
        make(dir);
        const ks = new Keystore({ systemDir: null, localDir: dir });
        await assert.rejects(ks.keysFor('example.com/app'), rejectsCode(code, pattern));
        await assert.rejects(ks.list(), rejectsCode(code));
      });
    }
    it('S-4 a key stored under another fingerprint: KEYSTORE_FINGERPRINT_MISMATCH', async () => {
      const dir = fresh();
      mkdirSync(join(dir, 'prefix.d', 'example.com'), { recursive: true });
      writeFileSync(join(dir, 'prefix.d', 'example.com', b.fingerprint), a.publicArmored);
      const ks = new Keystore({ systemDir: null, localDir: dir });
      await assert.rejects(ks.keysFor('example.com/app'), rejectsCode('KEYSTORE_FINGERPRINT_MISMATCH', new RegExp(`${b.fingerprint}.*${a.fingerprint}`)));
      // A name the bad directory does not cover never reads it.
      assert.deepEqual(await ks.keysFor('example.org/app'), []);
    });
    it('S-4 two keys in one keystore file: KEYSTORE_BAD_FILE', async () => {
      const dir = fresh();
      mkdirSync(join(dir, 'root.d'));
      writeFileSync(join(dir, 'root.d', a.fingerprint), a.publicArmored + b.publicArmored);
      await assert.rejects(new Keystore({ systemDir: null, localDir: dir }).keysFor(), rejectsCode('KEYSTORE_BAD_FILE', /2 keys/));
    });
    it('S-4 a file directly in prefix.d: KEYSTORE_BAD_FILE', async () => {
      const dir = fresh();
      mkdirSync(join(dir, 'prefix.d'));
      writeFileSync(join(dir, 'prefix.d', a.fingerprint), a.publicArmored);
      await assert.rejects(new Keystore({ systemDir: null, localDir: dir }).list(), rejectsCode('KEYSTORE_BAD_FILE', /no prefix/));
    });
    it('S-4 adding a file that is not a key writes nothing', async () => {
      const dir = fresh();
      const ks = new Keystore({ systemDir: null, localDir: dir });
      await assert.rejects(ks.add('not a key', { root: true }, { source: 'x.asc' }), rejectsCode('KEY_MALFORMED', /x\.asc/));
      assert.ok(!existsSync(join(dir, 'root.d')));
    });
  });
});

describe('S-4 Keystore path conflicts', () => {
  it('S-4 prefix X/<fp> then key <fp> for prefix X: KEYSTORE_CONFLICT in one line, nothing changed', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    await ks.add(b.publicArmored, { prefix: `example.com/${a.fingerprint}` });
    await assert.rejects(ks.add(a.publicArmored, { prefix: 'example.com' }), (e: unknown) => {
      rejectsCode(
        'KEYSTORE_CONFLICT',
        new RegExp(`cannot trust key ${a.fingerprint} for prefix example\\.com: .*prefix\\.d/example\\.com/${a.fingerprint} is already the directory of prefix example\\.com/${a.fingerprint}`),
      )(e);
      assert.doesNotMatch((e as Error).message, /\n/);
      return true;
    });
    assert.deepEqual(
      (await ks.list()).map((k) => [k.prefix, k.fingerprint]),
      [[`example.com/${a.fingerprint}`, b.fingerprint]],
    );
  });

  it('S-4 key <fp> for prefix X then prefix X/<fp>: KEYSTORE_CONFLICT naming the key file in the way', async () => {
    const ks = new Keystore({ systemDir: null, localDir: fresh() });
    await ks.add(a.publicArmored, { prefix: 'example.com' });
    await assert.rejects(
      ks.add(b.publicArmored, { prefix: `example.com/${a.fingerprint}/app` }),
      rejectsCode('KEYSTORE_CONFLICT', new RegExp(`prefix\\.d/example\\.com/${a.fingerprint} is a key file, where the directory of the prefix would go`)),
    );
    assert.deepEqual(
      (await ks.list()).map((k) => [k.prefix, k.fingerprint]),
      [['example.com', a.fingerprint]],
    );
  });
});

describe('S-4 MemoryKeyRing', () => {
  it('S-4 adds, lists, matches by prefix and removes', async () => {
    const ring = new MemoryKeyRing();
    await ring.add(a.publicArmored, { prefix: 'example.com/app' });
    assert.equal((await ring.add(a.publicArmored, { prefix: 'example.com/app' }))[0]!.status, 'unchanged');
    assert.equal((await ring.keysFor('example.com/app/x')).length, 1);
    assert.equal((await ring.keysFor('example.com/apple')).length, 0);
    assert.equal((await ring.list()).length, 1);
    await ring.remove(a.fingerprint);
    await assert.rejects(ring.remove(a.fingerprint), rejectsCode('KEYSTORE_KEY_NOT_FOUND'));
  });
});
