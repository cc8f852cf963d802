import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageInspector } from '../../src/node/fetch-image.js';
import { fetchImage } from '../../src/node/fetch-image.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import { encryptSymmetric, makeKey, signDetached, type TestKey } from '../support/pgp.js';

const NAME = 'example.com/app';
const APP = { name: NAME, labels: { version: '1.0.0', os: 'linux' } };
const image = new TextEncoder().encode('archive bytes '.repeat(5000));
const BASE = 'https://storage.example.com/example.com/app-1.0.0.aci';

let key: TestKey;
let stranger: TestKey;
let ring: MemoryKeyRing;
let tmp: string;
let n = 0;
const out = () => join(tmp, `out${n++}`);

/** An inspector that reads a "manifest" from the bytes: the first line names the image. */
const inspect: ImageInspector = async (source) => {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c);
  const text = Buffer.concat(parts).toString('utf8');
  if (!text.startsWith('archive')) return { ok: false, issues: [{ code: 'ACI_NOT_AN_ARCHIVE', severity: 'error', path: '', message: 'not an archive' }] };
  return {
    ok: true,
    issues: [],
    imageId: 'sha512-test',
    manifest: {
      ok: true,
      value: {
        name: NAME,
        labels: [
          { name: 'version', value: '1.0.0' },
          { name: 'os', value: 'linux' },
        ],
      },
      warnings: [],
    },
  };
};

function server(routes: Record<string, () => Response>, log: string[] = []): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    log.push(url);
    const route = routes[url];
    if (route === undefined) return new Response('not found', { status: 404 });
    return route();
  }) as typeof fetch;
}

before(async () => {
  [key, stranger] = await Promise.all([makeKey({ name: 'Fetch Signer' }), makeKey({ name: 'Stranger' })]);
  ring = new MemoryKeyRing();
  await ring.add(key.publicArmored, { prefix: 'example.com' });
  tmp = mkdtempSync(join(tmpdir(), 'appc-fetchimg-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('S-1 fetchImage', () => {
  it('S-1 downloads, verifies, inspects, matches and writes image and signature', async () => {
    const sig = (await signDetached(key, image)) as string;
    const progress: number[] = [];
    const dir = out();
    const r = await fetchImage(
      APP,
      { aci: BASE, asc: BASE + '.asc' },
      {
        outputDir: dir,
        keyring: ring,
        inspect,
        fetch: server({ [BASE]: () => new Response(image, { headers: { 'content-length': String(image.length) } }), [BASE + '.asc']: () => new Response(sig) }),
        onProgress: (p) => progress.push(p.received),
      },
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.path, join(dir, 'app-1.0.0.aci'));
    assert.deepEqual(readFileSync(r.path), Buffer.from(image));
    assert.equal(readFileSync(r.signaturePath!, 'utf8'), sig);
    assert.equal(r.signature?.fingerprint, key.fingerprint);
    assert.equal(r.imageId, 'sha512-test');
    assert.equal(progress.at(-1), image.length);
    assert.deepEqual(readdirSync(dir).sort(), ['app-1.0.0.aci', 'app-1.0.0.aci.asc']);
  });

  it('S-1 an unknown signer stops before the image is downloaded', async () => {
    const log: string[] = [];
    const sig = (await signDetached(stranger, image)) as string;
    const dir = out();
    const r = await fetchImage(
      APP,
      { aci: BASE, asc: BASE + '.asc' },
      { outputDir: dir, keyring: ring, inspect, fetch: server({ [BASE + '.asc']: () => new Response(sig), [BASE]: () => new Response(image) }, log) },
    );
    assert.ok(!r.ok);
    assert.equal(r.stage, 'signature');
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['SIGNATURE_UNKNOWN_SIGNER'],
    );
    assert.deepEqual(log, [BASE + '.asc']);
    assert.ok(!existsSync(dir));
  });

  it('S-3 a missing signature (404) is SIGNATURE_MISSING; --no-signature skips it', async () => {
    const f = server({ [BASE]: () => new Response(image) });
    const r = await fetchImage(APP, { aci: BASE, asc: BASE + '.asc' }, { outputDir: out(), keyring: ring, inspect, fetch: f });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['SIGNATURE_MISSING'],
    );
    const dir = out();
    const skipped = await fetchImage(APP, { aci: BASE, asc: BASE + '.asc' }, { outputDir: dir, noSignature: true, inspect, fetch: f });
    assert.ok(skipped.ok);
    assert.equal(skipped.signaturePath, undefined);
    assert.deepEqual(readdirSync(dir), ['app-1.0.0.aci']);
  });

  it('S-1 a body that does not match the signature is rejected and nothing is written', async () => {
    const sig = (await signDetached(key, image)) as string;
    const dir = out();
    const tampered = image.slice();
    tampered[0] = 0x41;
    const r = await fetchImage(
      APP,
      { aci: BASE, asc: BASE + '.asc' },
      { outputDir: dir, keyring: ring, inspect, fetch: server({ [BASE]: () => new Response(tampered), [BASE + '.asc']: () => new Response(sig) }) },
    );
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['SIGNATURE_MISMATCH'],
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('S-1 a truncated download (short of Content-Length) is HTTP_TRUNCATED', async () => {
    const dir = out();
    await assert.rejects(
      fetchImage(APP, { aci: BASE }, { outputDir: dir, noSignature: true, fetch: server({ [BASE]: () => new Response(image.subarray(0, 100), { headers: { 'content-length': '5000' } }) }) }),
      { code: 'HTTP_TRUNCATED' },
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('S-1 HTTP errors and plain http URLs', async () => {
    await assert.rejects(fetchImage(APP, { aci: BASE }, { outputDir: out(), noSignature: true, fetch: server({}) }), { code: 'HTTP_STATUS' });
    await assert.rejects(fetchImage(APP, { aci: 'http://x.org/a.aci' }, { outputDir: out(), noSignature: true, fetch: server({}) }), { code: 'HTTP_INSECURE_URL' });
    const ok = await fetchImage(
      APP,
      { aci: 'http://x.org/a.aci' },
      { outputDir: out(), noSignature: true, allowHttp: true, inspect, fetch: server({ 'http://x.org/a.aci': () => new Response(image) }) },
    );
    assert.ok(ok.ok);
  });

  it('an output directory that cannot be created is FILE_WRITE_FAILED naming it', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(fetchImage(APP, { aci: BASE }, { outputDir: join(file, 'sub'), noSignature: true, inspect, fetch: server({ [BASE]: () => new Response(image) }) }), {
      code: 'FILE_WRITE_FAILED',
      file: join(file, 'sub'),
    });
  });

  it('S-5 decrypts an encrypted image before inspecting it (the signature is over the encrypted bytes)', async () => {
    const encrypted = new Uint8Array((await encryptSymmetric(image, 'pw')) as Uint8Array);
    const sig = (await signDetached(key, encrypted)) as string;
    const f = server({ [BASE]: () => new Response(encrypted), [BASE + '.asc']: () => new Response(sig) });
    const r = await fetchImage(APP, { aci: BASE, asc: BASE + '.asc' }, { outputDir: out(), keyring: ring, inspect, passphrase: 'pw', fetch: f });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(readFileSync(r.path), Buffer.from(encrypted));
    await assert.rejects(fetchImage(APP, { aci: BASE, asc: BASE + '.asc' }, { outputDir: out(), keyring: ring, inspect, fetch: f }), { code: 'ENCRYPTION_PASSPHRASE_REQUIRED' });
  });

  it('spec/discovery.md#validation an invalid archive: FETCH_IMAGE_INVALID with its issues', async () => {
    const f = server({ [BASE]: () => new Response('garbage') });
    const r = await fetchImage(APP, { aci: BASE }, { outputDir: out(), noSignature: true, inspect, fetch: f });
    assert.ok(!r.ok);
    assert.equal(r.stage, 'image');
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['FETCH_IMAGE_INVALID', 'ACI_NOT_AN_ARCHIVE'],
    );
  });

  it('spec/discovery.md#validation a manifest for another name or labels: DISCOVERY_MANIFEST_*_MISMATCH, nothing written', async () => {
    const r = await fetchImage(
      { name: 'example.com/other', labels: { version: '2.0' } },
      { aci: BASE },
      { outputDir: out(), noSignature: true, inspect, fetch: server({ [BASE]: () => new Response(image) }) },
    );
    assert.ok(!r.ok);
    assert.equal(r.stage, 'manifest');
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['DISCOVERY_MANIFEST_NAME_MISMATCH', 'DISCOVERY_MANIFEST_LABEL_MISMATCH'],
    );
  });
});
