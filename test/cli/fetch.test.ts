// End to end: actool trust (keys by discovery), fetch and verify against a local HTTPS server on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runActool } from '../support/run-actool.js';
import { encryptSymmetric, makeKey, signDetached, type TestKey } from '../support/pgp.js';
import type { ImageServer } from '../support/signed-images.js';
import { discoveryPage, makeAci, startImageServer } from '../support/signed-images.js';

const LABELS = { version: '1.0.0', os: 'linux', arch: 'amd64' };
const APP = (name: string) => `127.0.0.1/${name}:1.0.0,os=linux,arch=amd64`;
const IMAGE_PATH = (name: string) => `/images/127.0.0.1/${name}-1.0.0-linux-amd64.aci`;

let server: ImageServer;
let tmp: string;
let key: TestKey;
let stranger: TestKey;
let env: NodeJS.ProcessEnv;

async function publish(name: string, bytes: Uint8Array, signature: string | undefined): Promise<void> {
  server.routes.set(IMAGE_PATH(name), bytes);
  if (signature !== undefined) server.routes.set(IMAGE_PATH(name) + '.asc', signature);
}

function actool(args: string[]) {
  return runActool(args, { cwd: tmp, env });
}

const fetchArgs = (out: string, ...rest: string[]) => ['fetch', '--keystore=ks', `--port=${server.port}`, `--output=${out}`, ...rest];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-fetch-e2e-'));
  [server, key, stranger] = await Promise.all([startImageServer(), makeKey({ name: 'Image Publisher' }), makeKey({ name: 'Stranger' })]);
  env = { NODE_EXTRA_CA_CERTS: server.certFile };
  server.routes.set('/', discoveryPage('127.0.0.1', server.port));
  server.routes.set('/pubkeys.gpg', key.publicArmored);

  const app = await makeAci(tmp, 'app.aci', '127.0.0.1/app', LABELS);
  await publish('app', app, (await signDetached(key, app)) as string);

  const tampered = await makeAci(tmp, 'tampered.aci', '127.0.0.1/tampered', LABELS);
  const tamperedSig = (await signDetached(key, tampered)) as string;
  const changed = Buffer.from(tampered);
  changed[changed.length - 9] = changed[changed.length - 9]! ^ 0xff;
  await publish('tampered', changed, tamperedSig);

  const unknown = await makeAci(tmp, 'unknown.aci', '127.0.0.1/unknown', LABELS);
  await publish('unknown', unknown, (await signDetached(stranger, unknown)) as string);

  const other = await makeAci(tmp, 'other.aci', '127.0.0.1/other', LABELS);
  await publish('wrongname', other, (await signDetached(key, other)) as string);

  const secret = new Uint8Array((await encryptSymmetric(await makeAci(tmp, 'secret.aci', '127.0.0.1/secret', LABELS), 'sekr3t')) as Uint8Array);
  await publish('secret', secret, (await signDetached(key, secret)) as string);
  writeFileSync(join(tmp, 'pass.txt'), 'sekr3t\n');

  await publish('unsigned', await makeAci(tmp, 'unsigned.aci', '127.0.0.1/unsigned', LABELS), undefined);
});
after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('actool trust, fetch and verify over HTTPS', () => {
  it('S-4 trust with no key file discovers ac-discovery-pubkeys for the prefix', async () => {
    const r = await actool(['trust', '--keystore=ks', '--prefix=127.0.0.1', `--port=${server.port}`, '--skip-fingerprint-review']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Discovered key URLs for 127\.0\.0\.1/);
    assert.match(r.stderr, /Image Publisher <image\.publisher@example\.com>/);
    assert.ok(existsSync(join(tmp, 'ks', 'local', 'prefix.d', '127.0.0.1', key.fingerprint)));
  });

  it('S-1 fetch discovers, downloads, verifies and writes the image and its signature', async () => {
    const out = join(tmp, 'out-good');
    const r = await actool(fetchArgs(out, APP('app')));
    assert.equal(r.code, 0, r.stderr);
    const path = join(out, 'app-1.0.0-linux-amd64.aci');
    assert.equal(r.stdout, `${path}\n`);
    assert.match(r.stderr, /signed by [0-9A-F ]+ \(Image Publisher/);
    assert.deepEqual(readdirSync(out).sort(), ['app-1.0.0-linux-amd64.aci', 'app-1.0.0-linux-amd64.aci.asc']);
    assert.deepEqual(readFileSync(path), readFileSync(join(tmp, 'app.aci')));
    // verify reads the name from the manifest.
    const v = await actool(['verify', '--keystore=ks', path]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /good signature .* trusted for prefix 127\.0\.0\.1/);
  });

  it('S-1 a tampered image fails the signature check and nothing is written', async () => {
    const out = join(tmp, 'out-tampered');
    const r = await actool(fetchArgs(out, APP('tampered')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SIGNATURE_MISMATCH/);
    assert.match(r.stderr, /nothing was written/);
    assert.deepEqual(readdirSync(out), []);
  });

  it('S-4 an unknown signer is refused before the image is downloaded', async () => {
    const before = server.hits.length;
    const r = await actool(fetchArgs(join(tmp, 'out-unknown'), APP('unknown')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`SIGNATURE_UNKNOWN_SIGNER.*${stranger.fingerprint}`));
    const hits = server.hits.slice(before);
    assert.ok(hits.includes(IMAGE_PATH('unknown') + '.asc'));
    assert.ok(!hits.includes(IMAGE_PATH('unknown')), hits.join(' '));
    assert.ok(!existsSync(join(tmp, 'out-unknown')));
  });

  it('spec/discovery.md#validation an image whose manifest names another app is refused', async () => {
    const r = await actool(fetchArgs(join(tmp, 'out-wrong'), APP('wrongname')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DISCOVERY_MANIFEST_NAME_MISMATCH/);
    assert.deepEqual(readdirSync(join(tmp, 'out-wrong')), []);
  });

  it('S-5 an encrypted image needs --passphrase-file; the signature covers the encrypted bytes', async () => {
    const without = await actool(fetchArgs(join(tmp, 'out-secret-0'), APP('secret')));
    assert.equal(without.code, 1);
    assert.match(without.stderr, /ENCRYPTION_PASSPHRASE_REQUIRED/);
    const out = join(tmp, 'out-secret');
    const r = await actool(fetchArgs(out, '--passphrase-file=pass.txt', APP('secret')));
    assert.equal(r.code, 0, r.stderr);
    const path = join(out, 'secret-1.0.0-linux-amd64.aci');
    const v = await actool(['verify', '--keystore=ks', '--passphrase-file=pass.txt', path]);
    assert.equal(v.code, 0, v.stderr);
    const noName = await actool(['verify', '--keystore=ks', path]);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /cannot read the image name/);
  });

  it('S-3 no signature: SIGNATURE_MISSING, unless --no-signature', async () => {
    const r = await actool(fetchArgs(join(tmp, 'out-unsigned-0'), APP('unsigned')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SIGNATURE_MISSING/);
    const out = join(tmp, 'out-unsigned');
    const ok = await actool(fetchArgs(out, '--no-signature', APP('unsigned')));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /signature verification is off/);
    assert.deepEqual(readdirSync(out), ['unsigned-1.0.0-linux-amd64.aci']);
  });

  it('spec/discovery.md TLS is checked unless --insecure-options=tls (an untrusted certificate exits 3)', async () => {
    const strict = await runActool(['fetch', '--keystore=ks', `--port=${server.port}`, `--output=${join(tmp, 'out-tls')}`, APP('app')], { cwd: tmp });
    assert.equal(strict.code, 3);
    assert.match(strict.stderr, /discovery reached no server .*TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    const insecure = await runActool(['fetch', '--keystore=ks', `--port=${server.port}`, `--output=${join(tmp, 'out-tls')}`, '--insecure-options=tls', APP('app')], { cwd: tmp });
    assert.equal(insecure.code, 0, insecure.stderr);
  });
});
