import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { readPublicKeys } from '../../src/signature/keys.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import { verifyAci } from '../../src/signature/verify.js';
import { repoRoot } from '../support/paths.js';
import { makeKey, signDetached } from '../support/pgp.js';

const image = new TextEncoder().encode('image bytes\n'.repeat(50));
let ring: MemoryKeyRing;
let armored: string;
let binary: Uint8Array;

before(async () => {
  const key = await makeKey({ name: 'Prop Signer' });
  ring = new MemoryKeyRing();
  await ring.add(key.publicArmored, { root: true });
  armored = (await signDetached(key, image)) as string;
  binary = (await signDetached(key, image, { armor: false })) as Uint8Array;
});

/** Random bytes, and mutations of real signatures (flip, cut, insert). */
function mutated(base: () => Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
      const b = base().slice();
      if (b.length > 0) b[at % b.length] = b[at % b.length]! ^ x;
      return b;
    }),
    fc.nat().map((cut) => base().slice(0, cut % (base().length + 1))),
  );
}

describe('S-2 properties: bad signatures and keys give results or coded errors, never crashes', () => {
  it('S-2 verifyAci returns a result for any signature bytes, and only a good one passes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutated(() => binary),
          mutated(() => new TextEncoder().encode(armored)),
        ),
        async (sig) => {
          const check = await verifyAci(image, sig, ring, { name: 'example.com/app' });
          if (check.ok) return; // a mutation of an unhashed subpacket or of armor whitespace can still verify
          assert.ok(check.issues.length > 0);
          for (const i of check.issues) assert.match(i.code, /^SIGNATURE_/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('S-4 readPublicKeys throws only KEY_MALFORMED for any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        try {
          await readPublicKeys(bytes);
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'KEY_MALFORMED', String(e));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('openpgp is loaded lazily', () => {
  it('only src/signature/internal/openpgp.ts imports openpgp at run time; everything else imports types', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(repoRoot, 'src'));
    const offenders = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      const runtime = /^\s*import\s+(?!type\b)[^;]*from\s+['"]openpgp['"]/m.test(text) || /import\(['"]openpgp['"]\)/.test(text);
      return runtime && !f.endsWith(join('signature', 'internal', 'openpgp.ts'));
    });
    assert.deepEqual(
      offenders.map((f) => relative(repoRoot, f)),
      [],
    );
  });
});
