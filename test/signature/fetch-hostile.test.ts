// fetchImage (the library) against a hostile server: every scenario ends in a clear error and nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FetchImageOptions } from '../../src/node/fetch-image.js';
import { fetchImage } from '../../src/node/fetch-image.js';
import { createInsecureFetch } from '../../src/node/insecure-fetch.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import type { HostileServer } from '../support/hostile-server.js';
import { body, endless, needsAuth, redirect, startHostileServer, trickle } from '../support/hostile-server.js';
import { makeKey, signDetached } from '../support/pgp.js';
import { makeAci } from '../support/signed-images.js';

const NAME = '127.0.0.1/app';
const APP = { name: NAME, labels: { version: '1.0.0' } };

let s: HostileServer;
let tmp: string;
let ring: MemoryKeyRing;
let n = 0;
const out = (): string => join(tmp, `out${n++}`);
const insecure = createInsecureFetch();

function options(more: Partial<FetchImageOptions> = {}): FetchImageOptions {
  return { outputDir: out(), keyring: ring, fetch: insecure, timeoutMs: 5000, idleTimeoutMs: 2000, ...more };
}

/** An endpoint whose image is at `path` and whose signature is the good one (or `asc`). */
const endpoint = (path: string, asc = '/app.aci.asc') => ({ aci: s.https(path), asc: s.https(asc) });

function nothingWritten(dir: string): void {
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'no image, signature or partial file is left');
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-fetch-hostile-'));
  const key = await makeKey({ name: 'Hostile Test Signer' });
  ring = new MemoryKeyRing();
  await ring.add(key.publicArmored, { prefix: '127.0.0.1' });
  const app = await makeAci(tmp, 'app.aci', NAME, { version: '1.0.0' });
  const other = await makeAci(tmp, 'other.aci', '127.0.0.1/other', { version: '1.0.0' });
  const appSig = (await signDetached(key, app)) as string;
  const otherSig = (await signDetached(key, other)) as string;
  s = await startHostileServer();
  s.routes.set('/app.aci', body(app));
  s.routes.set('/app.aci.asc', body(appSig));
  // A signature the trusted key made for another image, replayed for this one.
  s.routes.set('/other.aci.asc', body(otherSig));
  s.routes.set('/other.aci', body(other));
  s.routes.set(
    '/chain/app.aci',
    redirect((x) => x.http('/chain/middle.aci')),
  );
  s.routes.set(
    '/chain/middle.aci',
    redirect((x) => x.https('/app.aci')),
  );
  s.routes.set('/endless.aci', endless());
  s.routes.set('/huge.aci', endless(10 * 1024 ** 3));
  s.routes.set('/slow.aci', trickle(1000));
  s.routes.set('/trickle.aci', trickle(10));
  s.routes.set('/endless.asc', endless());
  s.routes.set('/private/app.aci', needsAuth('Bearer T', body(app)));
  s.routes.set('/private/app.aci.asc', needsAuth('Bearer T', body(appSig)));
});
after(async () => {
  await s?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('fetchImage against a hostile server', () => {
  it('D-HT-3 an https -> http -> https image redirect chain is refused without insecure http, nothing written', async () => {
    const o = options();
    await assert.rejects(fetchImage(APP, endpoint('/chain/app.aci'), o), (e: unknown) => {
      assert.equal((e as { code: string }).code, 'HTTP_REDIRECT_DOWNGRADE');
      assert.equal((e as { url: string }).url, s.https('/chain/app.aci'));
      assert.match((e as Error).message, /redirect to http:\/\/127\.0\.0\.1:\d+\/chain\/middle\.aci refused/);
      return true;
    });
    nothingWritten(o.outputDir);
    const ok = await fetchImage(APP, endpoint('/chain/app.aci'), options({ allowHttp: true }));
    assert.ok(ok.ok, JSON.stringify(ok));
  });

  it('S-1 a signature replayed from another image passes the signer check but not the bytes: SIGNATURE_MISMATCH', async () => {
    const o = options();
    const r = await fetchImage(APP, endpoint('/app.aci', '/other.aci.asc'), o);
    assert.ok(!r.ok);
    assert.equal(r.stage, 'signature');
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['SIGNATURE_MISMATCH'],
    );
    nothingWritten(o.outputDir);
  });

  it('an endless image behind a replayed trusted signature stops at the size limit; no partial file is left', async () => {
    const o = options({ maxBytes: 2 << 20 });
    await assert.rejects(fetchImage(APP, endpoint('/endless.aci', '/other.aci.asc'), o), { code: 'HTTP_TOO_LARGE', url: s.https('/endless.aci') });
    nothingWritten(o.outputDir);
  });

  it('a Content-Length over the limit fails before the image is read', async () => {
    const before = s.written.bytes;
    const o = options();
    await assert.rejects(fetchImage(APP, endpoint('/huge.aci'), o), { code: 'HTTP_TOO_LARGE' });
    nothingWritten(o.outputDir);
    assert.ok(s.written.bytes - before < 64 << 20, 'the body was not read to the end');
  });

  it('an endless signature stops at its own 1 MiB limit before the image is requested', async () => {
    const o = options();
    await assert.rejects(fetchImage(APP, endpoint('/app.aci', '/endless.asc'), o), { code: 'HTTP_TOO_LARGE' });
    assert.ok(!existsSync(o.outputDir));
  });

  it('a stalled image hits the idle time-out, a trickling one the overall time-out; nothing is left', async () => {
    const idle = options({ idleTimeoutMs: 150 });
    await assert.rejects(fetchImage(APP, endpoint('/slow.aci'), idle), { code: 'HTTP_IDLE_TIMEOUT' });
    nothingWritten(idle.outputDir);
    const overall = options({ timeoutMs: 400 });
    await assert.rejects(fetchImage(APP, endpoint('/trickle.aci'), overall), { code: 'HTTP_TIMEOUT' });
    nothingWritten(overall.outputDir);
  });

  it('an AbortSignal during the download removes the partial file: HTTP_ABORTED', async () => {
    const controller = new AbortController();
    const o = options({ signal: controller.signal });
    const running = fetchImage(APP, endpoint('/trickle.aci'), o);
    // Abort once the partial download exists on disk.
    for (let i = 0; i < 200 && !(existsSync(o.outputDir) && readdirSync(o.outputDir).some((f) => f.startsWith('.actool-fetch-') && readdirSync(join(o.outputDir, f)).length > 0)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    controller.abort();
    await assert.rejects(running, { code: 'HTTP_ABORTED' });
    nothingWritten(o.outputDir);
  });

  it('D-HT-2 a refused connection is HTTP_NETWORK, an untrusted certificate HTTP_TLS_UNTRUSTED', async () => {
    await assert.rejects(fetchImage(APP, { aci: `https://127.0.0.1:${s.closedPort}/app.aci` }, options({ noSignature: true })), { code: 'HTTP_NETWORK' });
    await assert.rejects(fetchImage(APP, endpoint('/app.aci'), { outputDir: out(), keyring: ring }), { code: 'HTTP_TLS_UNTRUSTED' });
  });

  it('refuses an existing output before downloading anything, unless overwrite', async () => {
    const dir = out();
    const first = await fetchImage(APP, endpoint('/app.aci'), options({ outputDir: dir }));
    assert.ok(first.ok);
    writeFileSync(first.path, 'mine');
    const hits = s.hits.length;
    await assert.rejects(fetchImage(APP, endpoint('/app.aci'), options({ outputDir: dir })), { code: 'ACI_OUTPUT_EXISTS', file: first.path });
    assert.equal(s.hits.length, hits, 'no request was made');
    assert.equal(readFileSync(first.path, 'utf8'), 'mine');
    const again = await fetchImage(APP, endpoint('/app.aci'), options({ outputDir: dir, overwrite: true }));
    assert.ok(again.ok);
    assert.deepEqual(readFileSync(again.path), readFileSync(join(tmp, 'app.aci')));
  });

  it('D-HT-5 credentials for the image host are sent there (image and signature), over https only', async () => {
    await assert.rejects(fetchImage(APP, endpoint('/private/app.aci', '/private/app.aci.asc'), options()), { code: 'HTTP_UNAUTHORIZED' });
    s.hits.length = 0;
    const r = await fetchImage(APP, endpoint('/private/app.aci', '/private/app.aci.asc'), options({ auth: { [`127.0.0.1:${s.httpsPort}`]: { type: 'bearer', token: 'T' } } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(
      s.hits.map((h) => h.authorization),
      ['Bearer T', 'Bearer T'],
    );
  });
});
