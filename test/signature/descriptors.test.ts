// No descriptor outlives a verification or a fetch, whatever its outcome: counted in /proc/self/fd around 200 calls each.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchImage } from '../../src/node/fetch-image.js';
import { verifyAciFile } from '../../src/node/verify-file.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import { makeKey, signDetached, type TestKey } from '../support/pgp.js';

const NAME = 'example.com/app';
const CALLS = 200;
const image = new TextEncoder().encode('image bytes\n'.repeat(1000));

let tmp: string;
let key: TestKey;
let stranger: TestKey;
let ring: MemoryKeyRing;

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

/** Fewer calls for the paths that hash the whole image (openpgp is slow; a leak shows after a few calls too). */
const HASHING_CALLS = 20;

/** Runs `call` CALLS times and checks the number of open descriptors did not grow. */
async function noLeak(what: string, call: () => Promise<unknown>, calls = CALLS): Promise<void> {
  await call(); // warm up: lazily loaded modules may keep a descriptor of their own
  const before = openDescriptors();
  for (let i = 0; i < calls; i++) await call();
  const grown = openDescriptors() - before;
  assert.ok(grown <= 2, `${what}: ${grown} descriptors more after ${calls} calls`);
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-fds-'));
  [key, stranger] = await Promise.all([makeKey({ name: 'Fd Signer' }), makeKey({ name: 'Fd Stranger' })]);
  ring = new MemoryKeyRing();
  await ring.add(key.publicArmored, { prefix: 'example.com' });
  writeFileSync(join(tmp, 'good.aci'), image);
  writeFileSync(join(tmp, 'good.aci.asc'), (await signDetached(key, image)) as string);
  writeFileSync(join(tmp, 'stranger.aci'), image);
  writeFileSync(join(tmp, 'stranger.aci.asc'), (await signDetached(stranger, image)) as string);
  writeFileSync(join(tmp, 'unsigned.aci'), image);
  writeFileSync(join(tmp, 'bad.aci'), image.subarray(1));
  writeFileSync(join(tmp, 'bad.aci.asc'), (await signDetached(key, image)) as string);
  mkdirSync(join(tmp, 'dir.aci'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('descriptors: verifyAciFile', () => {
  it(`S-1 an untrusted signer and a missing signature leak nothing over ${CALLS} calls, a mismatch and a good one over ${HASHING_CALLS}`, async () => {
    const check = (file: string) => () => verifyAciFile(join(tmp, file), undefined, ring, { name: NAME });
    const refused = await check('stranger.aci')();
    assert.deepEqual(refused.ok ? [] : refused.issues.map((i) => i.code), ['SIGNATURE_UNKNOWN_SIGNER']);
    await noLeak('untrusted signer', check('stranger.aci'));
    await noLeak('missing signature', check('unsigned.aci'));
    await noLeak('mismatch', check('bad.aci'), HASHING_CALLS);
    const good = await check('good.aci')();
    assert.ok(good.ok);
    await noLeak('good signature', check('good.aci'), HASHING_CALLS);
  });

  it('S-1 an unreadable image is AppcError FILE_UNREADABLE (caught like any error), and leaks nothing', async () => {
    const call = () => verifyAciFile(join(tmp, 'dir.aci'), join(tmp, 'good.aci.asc'), ring, { name: NAME });
    await assert.rejects(call(), { code: 'FILE_UNREADABLE', file: join(tmp, 'dir.aci') });
    await noLeak('unreadable image', () => call().catch(() => undefined));
    await noLeak('missing image', () => verifyAciFile(join(tmp, 'none.aci'), undefined, ring, { name: NAME }).catch(() => undefined));
  });
});

describe('descriptors: fetchImage', () => {
  it(`S-1 refused signers and oversized downloads leak nothing over ${HASHING_CALLS} calls`, async () => {
    const sig = (await signDetached(stranger, image)) as string;
    const good = (await signDetached(key, image)) as string;
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/stranger.aci.asc')) return new Response(sig);
      if (url.endsWith('.asc')) return new Response(good);
      return new Response(image);
    }) as typeof globalThis.fetch;
    const dir = join(tmp, 'out');
    const unknown = () => fetchImage({ name: NAME, labels: {} }, { aci: 'https://example.com/stranger.aci', asc: 'https://example.com/stranger.aci.asc' }, { outputDir: dir, keyring: ring, fetch });
    const r = await unknown();
    assert.ok(!r.ok && r.issues[0]?.code === 'SIGNATURE_UNKNOWN_SIGNER');
    await noLeak('unknown signer', unknown, HASHING_CALLS);
    const tooLarge = () =>
      fetchImage({ name: NAME, labels: {} }, { aci: 'https://example.com/app.aci', asc: 'https://example.com/app.aci.asc' }, { outputDir: dir, keyring: ring, fetch, maxBytes: 1000 }).catch(
        (e: unknown) => {
          assert.equal((e as { code?: string }).code, 'HTTP_TOO_LARGE');
        },
      );
    await noLeak('too large', tooLarge, HASHING_CALLS);
    assert.deepEqual(readdirSync(dir), []);
  });
});
