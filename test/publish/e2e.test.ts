// The round trip of docs/publish.md as a user runs it: actool sign and publish (two versions of an image with a
// dependency), actool serve over HTTPS with a generated certificate, actool trust --prefix by discovery,
// actool fetch NAME:VERSION, actool store add and render. Then the refusals: a key trusted for the name that did
// not sign, a tampered ACI, a missing signature: fetch exits 1 and writes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCertificate } from '../support/https-client.js';
import { actoolPath } from '../support/paths.js';
import { makeKey, type TestKey } from '../support/pgp.js';
import { buildImage } from '../support/publish-fixtures.js';
import { runActool } from '../support/run-actool.js';

let tmp: string;
let port: number;
let server: ReturnType<typeof spawn> | undefined;
let serverExit: Promise<number | null>;
let serverLog = '';
let env: NodeJS.ProcessEnv;
let publisher: TestKey;
let stranger: TestKey;
const LABELS = (version: string) => ({ version, os: 'linux', arch: 'amd64' });
const PLATFORM = ['--os=linux', '--arch=amd64'];

const actool = (args: string[]) => runActool(args, { cwd: tmp, env });

async function freePort(): Promise<number> {
  const s = createServer();
  const p = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return p;
}

function empty(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-publish-e2e-'));
  [publisher, stranger] = await Promise.all([makeKey({ name: 'Site Publisher' }), makeKey({ name: 'Stranger' })]);
  writeFileSync(join(tmp, 'publisher.key'), publisher.privateKey.armor());
  writeFileSync(join(tmp, 'publisher.pub'), publisher.publicArmored);
  writeFileSync(join(tmp, 'stranger.pub'), stranger.publicArmored);
  await buildImage(tmp, 'base-1.0.0.aci', { name: '127.0.0.1/base', labels: LABELS('1.0.0'), files: { 'etc/os-release': 'base 1\n', 'bin/tool': 'base tool\n' } });
  await buildImage(tmp, 'app-1.0.0.aci', {
    name: '127.0.0.1/app',
    labels: LABELS('1.0.0'),
    dependencies: [{ imageName: '127.0.0.1/base', labels: { version: '1.0.0' } }],
    files: { 'app/run': 'app 1\n' },
  });
  await buildImage(tmp, 'app-2.0.0.aci', {
    name: '127.0.0.1/app',
    labels: LABELS('2.0.0'),
    dependencies: [{ imageName: '127.0.0.1/base', labels: { version: '1.0.0' } }],
    files: { 'app/run': 'app 2\n' },
  });
  await buildImage(tmp, 'tampered.aci', { name: '127.0.0.1/tampered', labels: LABELS('1.0.0') });
  await buildImage(tmp, 'unsigned.aci', { name: '127.0.0.1/unsigned', labels: LABELS('1.0.0') });
  const tls = makeCertificate(tmp);
  env = { NODE_EXTRA_CA_CERTS: tls.certFile };
  port = await freePort();

  // One image signed first with actool sign, its signature copied by publish; the others signed on the way.
  const signed = await actool(['sign', '--key=publisher.key', 'base-1.0.0.aci']);
  assert.equal(signed.code, 0, signed.stderr);
  const first = await actool(['publish', `--base-url=https://127.0.0.1:${port}/`, '--pubkey=publisher.pub', 'base-1.0.0.aci', 'site']);
  assert.equal(first.code, 0, first.stderr);
  const second = await actool(['publish', '--key=publisher.key', 'app-1.0.0.aci', 'app-2.0.0.aci', 'tampered.aci', 'unsigned.aci', 'site']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^added 127\.0\.0\.1\/app:1\.0\.0 linux\/amd64 sha512-/m);

  server = spawn(process.execPath, [actoolPath, 'serve', `--listen=127.0.0.1:${port}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`, 'site'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.setEncoding('utf8').on('data', (d: string) => (serverLog += d));
  serverExit = new Promise((r) => server!.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    server!.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.includes('serving site at')) resolve();
    });
    void serverExit.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
});

after(async () => {
  if (server !== undefined && server.exitCode === null) {
    server.kill('SIGTERM');
    await serverExit;
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('publish, serve, trust, fetch, store, render: the round trip over HTTPS', () => {
  it("S-4 actool trust --prefix discovers the site's key file and trusts the publisher", async () => {
    const r = await actool(['trust', '--keystore=ks', '--prefix=127.0.0.1/app', `--port=${port}`, '--skip-fingerprint-review']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Discovered key URLs for 127\\.0\\.0\\.1/app at https://127\\.0\\.0\\.1:${port}/app\\?ac-discovery=1: https://127\\.0\\.0\\.1:${port}/_appc/pubkeys\\.gpg`));
    assert.ok(existsSync(join(tmp, 'ks/local/prefix.d/127.0.0.1/app', publisher.fingerprint)));
    const base = await actool(['trust', '--keystore=ks', '--prefix=127.0.0.1/base', `--port=${port}`, '--skip-fingerprint-review']);
    assert.equal(base.code, 0, base.stderr);
  });

  it('S-1 actool fetch NAME:VERSION discovers, downloads, verifies and writes both versions and the dependency', async () => {
    for (const [app, file] of [
      ['127.0.0.1/app:1.0.0', 'app-1.0.0-linux-amd64.aci'],
      ['127.0.0.1/app:2.0.0', 'app-2.0.0-linux-amd64.aci'],
      ['127.0.0.1/base:1.0.0', 'base-1.0.0-linux-amd64.aci'],
    ] as const) {
      const r = await actool(['fetch', '--keystore=ks', `--port=${port}`, '--output=fetched', ...PLATFORM, app]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), join(tmp, 'fetched', file));
      assert.match(r.stderr, new RegExp(`signed by ${publisher.fingerprint.slice(0, 4).toUpperCase()}`));
    }
    assert.deepEqual(readFileSync(join(tmp, 'fetched/app-1.0.0-linux-amd64.aci')), readFileSync(join(tmp, 'app-1.0.0.aci')));
    // Without a version, discovery asks for "latest": the site's copy of the newest version.
    const latest = await actool(['fetch', '--keystore=ks', `--port=${port}`, '--output=latest', ...PLATFORM, '127.0.0.1/app']);
    assert.equal(latest.code, 0, latest.stderr);
    assert.deepEqual(readFileSync(latest.stdout.trim()), readFileSync(join(tmp, 'app-2.0.0.aci')));
  });

  it('R-IF-1 the fetched images go into a store and render app 1.0.0 over its base', async () => {
    const add = await actool(['store', 'add', '--store=st', 'fetched/app-1.0.0-linux-amd64.aci', 'fetched/app-2.0.0-linux-amd64.aci', 'fetched/base-1.0.0-linux-amd64.aci']);
    assert.equal(add.code, 0, add.stderr);
    const r = await actool(['render', '--store=st', '127.0.0.1/app:1.0.0', 'rootfs']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(tmp, 'rootfs/app/run'), 'utf8'), 'app 1\n');
    assert.equal(readFileSync(join(tmp, 'rootfs/bin/tool'), 'utf8'), 'base tool\n');
  });

  it('the server logged every request the clients made', () => {
    assert.match(serverLog, /"GET \/app\?ac-discovery=1 HTTP\/1\.1" 200/);
    assert.match(serverLog, /"GET \/_appc\/images\/127\.0\.0\.1\/app-1\.0\.0-linux-amd64\.aci HTTP\/1\.1" 200/);
  });
});

describe('fetch refuses what the site should not have served, and writes nothing', () => {
  it('S-4 a key trusted for the name that did not sign: SIGNATURE_UNKNOWN_SIGNER', async () => {
    const trust = await actool(['trust', '--keystore=wrong-ks', '--prefix=127.0.0.1/app', '--skip-fingerprint-review', 'stranger.pub']);
    assert.equal(trust.code, 0, trust.stderr);
    const r = await actool(['fetch', '--keystore=wrong-ks', `--port=${port}`, '--output=out-wrong', ...PLATFORM, '127.0.0.1/app:1.0.0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /SIGNATURE_UNKNOWN_SIGNER/);
    assert.ok(empty(join(tmp, 'out-wrong')));
  });

  it('S-1 an ACI changed on the server after it was signed: SIGNATURE_MISMATCH', async () => {
    const trust = await actool(['trust', '--keystore=ks', '--prefix=127.0.0.1', `--port=${port}`, '--skip-fingerprint-review']);
    assert.equal(trust.code, 0, trust.stderr);
    const file = join(tmp, 'site/_appc/images/127.0.0.1/tampered-1.0.0-linux-amd64.aci');
    const bytes = readFileSync(file);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0x55;
    unlinkSync(file); // the file is hard-linked to the latest copy: replace it, do not write through
    writeFileSync(file, bytes);
    const r = await actool(['fetch', '--keystore=ks', `--port=${port}`, '--output=out-tampered', ...PLATFORM, '127.0.0.1/tampered:1.0.0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /SIGNATURE_MISMATCH/);
    assert.ok(empty(join(tmp, 'out-tampered')));
  });

  it('S-2 a signature missing on the server: the fetch fails and writes nothing', async () => {
    unlinkSync(join(tmp, 'site/_appc/images/127.0.0.1/unsigned-1.0.0-linux-amd64.aci.asc'));
    mkdirSync(join(tmp, 'out-unsigned'));
    const r = await actool(['fetch', '--keystore=ks', `--port=${port}`, '--output=out-unsigned', ...PLATFORM, '127.0.0.1/unsigned:1.0.0']);
    assert.notEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /unsigned-1\.0\.0-linux-amd64\.aci\.asc/);
    assert.ok(empty(join(tmp, 'out-unsigned')));
  });
});
