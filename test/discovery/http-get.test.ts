// The shared HTTP layer against a hostile server on 127.0.0.1 (real HTTPS with a generated certificate, and plain HTTP).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpGetOptions } from '../../src/discovery/http-get.js';
import { httpGet, httpStatusError, isHttpGetError } from '../../src/discovery/http-get.js';
import { createInsecureFetch } from '../../src/node/insecure-fetch.js';
import type { HostileServer } from '../support/hostile-server.js';
import { body, endless, needsAuth, redirect, silence, startHostileServer, status, trickle } from '../support/hostile-server.js';

let s: HostileServer;
const insecure = createInsecureFetch();
// Test servers only: certificates are not checked unless a test says so.
const opts = (more: HttpGetOptions = {}): HttpGetOptions => ({ fetch: insecure, timeoutMs: 5000, idleTimeoutMs: 2000, ...more });

function failsWith(code: string, pattern?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isHttpGetError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

async function read(url: string, o: HttpGetOptions): Promise<Uint8Array> {
  const res = await httpGet(url, o);
  if (res.status !== 200) {
    await res.cancel();
    throw httpStatusError(res);
  }
  return res.bytes();
}

before(async () => {
  s = await startHostileServer();
  s.routes.set('/file', body('the file'));
  // https -> http -> https: only the middle hop is plain http.
  s.routes.set(
    '/chain/start',
    redirect((x) => x.http('/chain/middle')),
  );
  s.routes.set(
    '/chain/middle',
    redirect((x) => x.https('/file')),
  );
  s.routes.set(
    '/to-http',
    redirect((x) => x.http('/file')),
  );
  s.routes.set(
    '/to-ftp',
    redirect(() => 'ftp://127.0.0.1/file'),
  );
  s.routes.set('/no-location', status(302));
  s.routes.set(
    '/loop-a',
    redirect((x) => x.https('/loop-b')),
  );
  s.routes.set(
    '/loop-b',
    redirect((x) => x.https('/loop-a')),
  );
  for (let i = 0; i < 5; i++)
    s.routes.set(
      `/hop${i}`,
      redirect((x) => x.https(`/hop${i + 1}`), 307),
    );
  s.routes.set('/hop5', body('end'));
  s.routes.set('/endless', endless());
  s.routes.set('/huge', endless(10 * 1024 ** 3));
  s.routes.set('/trickle', trickle(20));
  s.routes.set('/trickle-fast', trickle(10));
  s.routes.set('/slow', trickle(1000));
  s.routes.set('/silent', silence());
  s.routes.set('/private', needsAuth('Bearer T', body('secret')));
  s.routes.set(
    '/private-to-other',
    needsAuth(
      'Bearer T',
      redirect((x) => `https://localhost:${x.httpsPort}/private`),
    ),
  );
  s.routes.set(
    '/private-to-http',
    needsAuth(
      'Bearer T',
      redirect((x) => x.http('/file')),
    ),
  );
});
after(async () => {
  await s.close();
});

describe('httpGet: one set of hop rules for every download', () => {
  it('D-HT-3 D-HT-4 an https -> http -> https chain is refused at the http hop, naming it; insecure http follows it', async () => {
    await assert.rejects(read(s.https('/chain/start'), opts()), (e: unknown) => {
      failsWith('HTTP_REDIRECT_DOWNGRADE', new RegExp(`^302 redirect to http://127\\.0\\.0\\.1:${s.httpPort}/chain/middle refused: a downgrade from https to plain http`))(e);
      assert.equal((e as { url: string }).url, s.https('/chain/start'));
      assert.equal((e as { failedUrl: string }).failedUrl, s.https('/chain/start'));
      return true;
    });
    assert.ok(!s.hits.some((h) => h.path === '/chain/middle'), 'the http hop was never requested');
    const res = await httpGet(s.https('/chain/start'), opts({ allowHttp: true }));
    assert.equal(res.plainHttp, true);
    assert.deepEqual(
      res.hops.map((h) => h.location),
      [s.http('/chain/middle'), s.https('/file')],
    );
    assert.equal(new TextDecoder().decode(await res.bytes()), 'the file');
  });

  it('D-HT-2 a plain http URL is refused before any request unless insecure http; other schemes always', async () => {
    const before = s.hits.length;
    await assert.rejects(read(s.http('/file'), opts()), failsWith('HTTP_INSECURE_URL', /allow insecure http/));
    await assert.rejects(read('ftp://127.0.0.1/file', opts({ allowHttp: true })), failsWith('HTTP_INSECURE_URL'));
    await assert.rejects(read('https://[bad', opts()), failsWith('HTTP_INVALID_URL'));
    assert.equal(s.hits.length, before);
    assert.equal(new TextDecoder().decode(await read(s.http('/file'), opts({ allowHttp: true }))), 'the file');
  });

  it('D-HT-4 redirects: invalid targets, loops and the hop limit; a later hop is named in the message', async () => {
    await assert.rejects(read(s.https('/to-ftp'), opts({ allowHttp: true })), failsWith('HTTP_REDIRECT_INVALID', /only http and https/));
    await assert.rejects(read(s.https('/no-location'), opts()), failsWith('HTTP_REDIRECT_INVALID', /without a Location/));
    await assert.rejects(read(s.https('/loop-a'), opts()), failsWith('HTTP_REDIRECT_LOOP', new RegExp(`^after 1 redirect, at ${s.https('/loop-b')}: 302 redirect back to`)));
    await assert.rejects(read(s.https('/hop0'), opts({ maxRedirects: 2 })), failsWith('HTTP_TOO_MANY_REDIRECTS', /^after 2 redirects, at .*\/hop2: more than 2 redirects/));
    assert.equal(new TextDecoder().decode(await read(s.https('/hop0'), opts())), 'end');
    await assert.rejects(read(s.https('/to-http'), opts()), failsWith('HTTP_REDIRECT_DOWNGRADE'));
  });

  it('D-HT-5 credentials go to their own host only, never across a redirect to another host or to http', async () => {
    const auth = { [`127.0.0.1:${s.httpsPort}`]: { type: 'bearer', token: 'T' } } as const;
    assert.equal(new TextDecoder().decode(await read(s.https('/private'), opts({ auth }))), 'secret');
    s.hits.length = 0;
    // Another host (localhost, same server) asks for credentials it was never given: 401.
    await assert.rejects(
      read(s.https('/private-to-other'), opts({ auth })),
      failsWith('HTTP_UNAUTHORIZED', /^after 1 redirect, at https:\/\/localhost:\d+\/private: 401 Unauthorized from localhost:\d+: configure credentials/),
    );
    assert.deepEqual(
      s.hits.map((h) => [h.path, h.authorization]),
      [
        ['/private-to-other', 'Bearer T'],
        ['/private', undefined],
      ],
    );
    s.hits.length = 0;
    await read(s.https('/private-to-http'), opts({ auth, allowHttp: true, headers: () => ({ 'x-token': 'T' }) }));
    assert.deepEqual(
      s.hits.map((h) => [h.scheme, h.authorization]),
      [
        ['https', 'Bearer T'],
        ['http', undefined],
      ],
    );
  });

  it('a body that never ends stops at the size limit, and the connection is dropped', async () => {
    const hungUp = s.hungUp.count;
    await assert.rejects(read(s.https('/endless'), opts({ maxBytes: 1 << 20 })), failsWith('HTTP_TOO_LARGE', /larger than the limit of 1048576 bytes/));
    // The global fetch (undici) over plain http stops the same way.
    await assert.rejects(read(s.http('/endless'), { allowHttp: true, maxBytes: 1 << 20, timeoutMs: 5000 }), failsWith('HTTP_TOO_LARGE'));
    await waitFor(() => s.hungUp.count >= hungUp + 2);
  });

  it('a Content-Length over the limit fails before the body is read', async () => {
    const res = httpGet(s.https('/huge'), opts({ maxBytes: 8 * 1024 ** 3 }));
    await assert.rejects(res, failsWith('HTTP_TOO_LARGE', /10737418240 bytes \(Content-Length\), more than the limit of 8589934592 bytes.*nothing was read/));
  });

  it('a trickling body hits the overall time-out; a stalled one hits the idle time-out; silence too', async () => {
    const started = Date.now();
    await assert.rejects(read(s.https('/trickle'), opts({ timeoutMs: 300, idleTimeoutMs: 2000 })), failsWith('HTTP_TIMEOUT', /not finished within 300 ms \(overall time-out.*\(\d+ bytes received\)/));
    await assert.rejects(read(s.https('/slow'), opts({ timeoutMs: 5000, idleTimeoutMs: 150 })), failsWith('HTTP_IDLE_TIMEOUT', /sent nothing for 150 ms/));
    await assert.rejects(read(s.https('/silent'), opts({ idleTimeoutMs: 150 })), failsWith('HTTP_IDLE_TIMEOUT'));
    assert.ok(Date.now() - started < 4000);
  });

  it('a trickle just fast enough to dodge the idle time-out is stopped by the minimum speed over one idle window', async () => {
    // 100 bytes/s, one byte every 10 ms: never idle for 300 ms, but far below 1024 bytes/s.
    await assert.rejects(read(s.https('/trickle-fast'), opts({ timeoutMs: 5000, idleTimeoutMs: 300 })), failsWith('HTTP_IDLE_TIMEOUT', /sent only \d+ bytes in \d+ ms, less than 1024 bytes\/s/));
    await assert.rejects(read(s.https('/trickle-fast'), opts({ timeoutMs: 600, idleTimeoutMs: 300, minBytesPerSecond: 0 })), failsWith('HTTP_TIMEOUT'));
  });

  it('D-HT-2 a refused connection and an untrusted certificate are network failures with their reason', async () => {
    await assert.rejects(read(`https://127.0.0.1:${s.closedPort}/file`, opts()), failsWith('HTTP_NETWORK', /connection refused \(ECONNREFUSED, 127\.0\.0\.1:\d+\)/));
    await assert.rejects(read(s.https('/file'), { timeoutMs: 5000 }), failsWith('HTTP_TLS_UNTRUSTED', /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/));
  });

  it('an AbortSignal stops a download in flight: HTTP_ABORTED', async () => {
    const controller = new AbortController();
    const res = await httpGet(s.https('/trickle'), opts({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(res.bytes(), failsWith('HTTP_ABORTED', /AbortSignal/));
    await assert.rejects(httpGet(s.https('/file'), opts({ signal: AbortSignal.abort() })), failsWith('HTTP_ABORTED'));
  });

  it("statuses are the caller's to judge; httpStatusError names the URL and status", async () => {
    const res = await httpGet(s.https('/missing'), opts());
    assert.equal(res.status, 404);
    await res.cancel();
    await res.cancel();
    const e = httpStatusError(res);
    assert.equal(e.code, 'HTTP_STATUS');
    assert.match(e.message, /expected 200 OK, got 404/);
  });

  it('options out of range are HTTP_INVALID_OPTION', async () => {
    for (const bad of [{ maxBytes: 0 }, { maxBytes: 1.5 }, { timeoutMs: -1 }, { idleTimeoutMs: Number.NaN }, { maxRedirects: -1 }, { minBytesPerSecond: -1 }]) {
      await assert.rejects(httpGet(s.https('/file'), opts(bad)), { code: 'HTTP_INVALID_OPTION' });
    }
  });
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), 'the server saw the client hang up');
}
