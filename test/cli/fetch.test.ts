// End to end: actool trust (keys by discovery), fetch and verify against a local HTTPS server on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { runActool } from '../support/run-actool.js';
import { actoolPath } from '../support/paths.js';
import type { HostileServer } from '../support/hostile-server.js';
import { body, endless, needsAuth, redirect, startHostileServer, trickle } from '../support/hostile-server.js';
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

describe('actool fetch against a hostile server', () => {
  let h: HostileServer;
  let dir: string;
  let hostileEnv: NodeJS.ProcessEnv;
  const IMG = (name: string) => `/images/127.0.0.1/${name}-1.0.0-linux-amd64.aci`;
  const args = (name: string, ...rest: string[]) => ['fetch', '--keystore=hks', `--port=${h.httpsPort}`, `--output=${join(dir, `out-${name}`)}`, ...rest, APP(name)];
  const run = (a: string[]) => runActool(a, { cwd: dir, env: hostileEnv });
  const leftIn = (name: string): string[] => (existsSync(join(dir, `out-${name}`)) ? readdirSync(join(dir, `out-${name}`)) : []);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'appc-fetch-hostile-cli-'));
    h = await startHostileServer();
    hostileEnv = { NODE_EXTRA_CA_CERTS: h.certFile };
    h.routes.set('/', body(discoveryPage('127.0.0.1', h.httpsPort), 'text/html'));
    writeFileSync(join(dir, 'key.asc'), key.publicArmored);
    const trusted = await runActool(['trust', '--keystore=hks', '--prefix=127.0.0.1', '--skip-fingerprint-review', 'key.asc'], { cwd: dir });
    assert.equal(trusted.code, 0, trusted.stderr);
    const good = await makeAci(dir, 'good.aci', '127.0.0.1/good', LABELS);
    const goodSig = (await signDetached(key, good)) as string;
    h.routes.set(IMG('good'), body(good));
    h.routes.set(IMG('good') + '.asc', body(goodSig));
    // Every hostile image below comes with a signature the trusted key made for another image (replayed).
    const replay = (name: string) => h.routes.set(IMG(name) + '.asc', body(goodSig));
    h.routes.set(
      IMG('chain'),
      redirect((x) => x.http('/chain-middle')),
    );
    h.routes.set(
      '/chain-middle',
      redirect((x) => x.https(IMG('good'))),
    );
    replay('chain');
    h.routes.set(IMG('endless'), endless());
    replay('endless');
    h.routes.set(IMG('huge'), endless(10 * 1024 ** 3));
    replay('huge');
    h.routes.set(IMG('stalled'), trickle(1000));
    replay('stalled');
    h.routes.set(IMG('trickle'), trickle(10));
    replay('trickle');
    h.routes.set(IMG('replayed'), body(await makeAci(dir, 'replayed.aci', '127.0.0.1/replayed', LABELS)));
    replay('replayed');
    const secret = await makeAci(dir, 'private.aci', '127.0.0.1/private', LABELS);
    h.routes.set(IMG('private'), needsAuth('Bearer T', body(secret)));
    h.routes.set(IMG('private') + '.asc', needsAuth('Bearer T', body((await signDetached(key, secret)) as string)));
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('D-HT-3 an https -> http -> https image chain with only tls checks off: exit 3, the hop named once, nothing written', async () => {
    const r = await runActool(args('chain', '--insecure-options=tls'), { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('HTTP_REDIRECT_DOWNGRADE'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^fetch: https://127\\.0\\.0\\.1:${h.httpsPort}${IMG('chain')}: 302 redirect to http://127\\.0\\.0\\.1:${h.httpPort}/chain-middle refused`));
    assert.deepEqual(leftIn('chain'), []);
    assert.ok(!h.hits.some((x) => x.path === '/chain-middle'));
  });

  it('an endless body behind a replayed signature stops at --max-size: exit 3, no partial file', async () => {
    const r = await run(args('endless', '--max-size=1MiB'));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /larger than the limit of 1048576 bytes.*\[HTTP_TOO_LARGE\]/);
    assert.deepEqual(leftIn('endless'), []);
  });

  it('a Content-Length over the default 8 GiB limit fails before the body is read', async () => {
    const r = await run(args('huge'));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /10737418240 bytes \(Content-Length\), more than the limit of 8589934592 bytes.*\[HTTP_TOO_LARGE\]/);
    assert.deepEqual(leftIn('huge'), []);
  });

  it('a stalled body hits --idle-timeout, a trickling one --timeout: exit 3', async () => {
    const idle = await run(args('stalled', '--idle-timeout=0.2'));
    assert.equal(idle.code, 3, idle.stderr);
    assert.match(idle.stderr, /sent nothing for 200 ms.*\[HTTP_IDLE_TIMEOUT\]/);
    const overall = await run(args('trickle', '--timeout=0.5'));
    assert.equal(overall.code, 3, overall.stderr);
    assert.match(overall.stderr, /not finished within 500 ms.*\[HTTP_TIMEOUT\]/);
    assert.deepEqual([...leftIn('stalled'), ...leftIn('trickle')], []);
  });

  it('S-1 a replayed signature over a real image: exit 1 SIGNATURE_MISMATCH, nothing written', async () => {
    const r = await run(args('replayed'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /SIGNATURE_MISMATCH/);
    assert.deepEqual(leftIn('replayed'), []);
  });

  it('D-HT-2 a refused connection and a DNS failure exit 3 (registry down), not 1 (bad image)', async () => {
    const r = await run(['fetch', '--keystore=hks', `--port=${h.closedPort}`, `--output=${join(dir, 'out-refused')}`, APP('good')]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /discovery reached no server .*connection refused/);
    const dns = await run(['fetch', '--keystore=hks', `--output=${join(dir, 'out-dns')}`, 'nowhere.invalid/app:1.0.0,os=linux,arch=amd64']);
    assert.equal(dns.code, 3, dns.stderr);
    assert.match(dns.stderr, /discovery reached no server .*(ENOTFOUND|EAI_AGAIN)/);
    assert.ok(!existsSync(join(dir, 'out-refused')) && !existsSync(join(dir, 'out-dns')));
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during a download removes the partial file and exits ${signal === 'SIGINT' ? 130 : 143}`, async () => {
      const out = join(dir, `out-${signal}`);
      const child = spawn(process.execPath, [actoolPath, 'fetch', '--keystore=hks', `--port=${h.httpsPort}`, `--output=${out}`, APP('trickle')], {
        cwd: dir,
        env: { ...process.env, ...hostileEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Wait until the partial download is on disk, then interrupt.
      for (let i = 0; i < 500; i++) {
        const partial = existsSync(out) && readdirSync(out).some((f) => f.startsWith('.actool-fetch-') && readdirSync(join(out, f)).length > 0);
        if (partial) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(existsSync(out) && readdirSync(out).length > 0, `the download started: ${stderr}`);
      child.kill(signal);
      assert.equal(await exited, signal === 'SIGINT' ? 130 : 143, stderr);
      assert.match(stderr, new RegExp(`interrupted by ${signal}; partial files removed`));
      assert.deepEqual(readdirSync(out), []);
    });
  }

  it('refuses an existing output unless --overwrite (exit 1, nothing downloaded)', async () => {
    const first = await run(args('good'));
    assert.equal(first.code, 0, first.stderr);
    const hits = h.hits.length;
    const again = await run(args('good'));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /good-1\.0\.0-linux-amd64\.aci: the output file exists .*\[ACI_OUTPUT_EXISTS\]/);
    assert.ok(!h.hits.slice(hits).some((x) => x.path.endsWith('.aci') || x.path.endsWith('.asc')));
    const overwrite = await run(args('good', '--overwrite'));
    assert.equal(overwrite.code, 0, overwrite.stderr);
  });

  it('D-HT-5 --auth-config (rkt auth.d format) sends credentials to the image host; without them exit 3', async () => {
    const without = await run(args('private'));
    assert.equal(without.code, 3, without.stderr);
    assert.match(without.stderr, /401 Unauthorized .*\[HTTP_UNAUTHORIZED\]/);
    writeFileSync(join(dir, 'auth.json'), JSON.stringify({ rktKind: 'auth', rktVersion: 'v1', domains: [`127.0.0.1:${h.httpsPort}`], type: 'oauth', credentials: { token: 'T' } }));
    const r = await run(args('private', '--auth-config=auth.json'));
    assert.equal(r.code, 0, r.stderr);
    const missing = await run(args('private', '--auth-config=nothing.json'));
    assert.equal(missing.code, 3);
  });

  it('usage errors exit 2: a bad --max-size, --timeout or --idle-timeout', async () => {
    for (const bad of ['--max-size=lots', '--max-size=0', '--timeout=-1', '--idle-timeout=soon']) {
      const r = await run(args('good', bad));
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    }
  });
});
