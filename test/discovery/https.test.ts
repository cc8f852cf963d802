import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DiscoverOptions } from '../../src/discovery/discover.js';
import { discover, discoverEndpoints } from '../../src/discovery/discover.js';
import { createInsecureFetch } from '../../src/node/insecure-fetch.js';
import type { DiscoveryServers } from '../support/discovery-servers.js';
import { startDiscoveryServers, TOKEN } from '../support/discovery-servers.js';

const LABELS = { os: 'linux', arch: 'amd64' };

describe('discovery against local HTTPS and HTTP servers', () => {
  let s: DiscoveryServers;
  let base: DiscoverOptions;
  before(async () => {
    s = await startDiscoveryServers();
    base = { port: s.httpsPort, defaultLabels: LABELS, timeoutMs: 2000 };
  });
  after(async () => {
    await s.close();
  });
  const insecureTls = (): DiscoverOptions => ({ ...base, insecure: { tls: true }, fetch: createInsecureFetch() });

  it('D-HT-3 finds endpoints and keys over https with insecure tls (self-signed certificate)', async () => {
    const r = await discover('127.0.0.1/ok:1.0.0', insecureTls());
    assert.ok(r.ok, JSON.stringify(r.issues));
    assert.deepEqual(r.endpoints, [{ aci: 'https://storage.example.com/127.0.0.1/ok-1.0.0-linux-amd64.aci', asc: 'https://storage.example.com/127.0.0.1/ok-1.0.0-linux-amd64.aci.asc' }]);
    assert.deepEqual(r.publicKeys, ['https://example.com/pubkeys.gpg']);
    assert.equal(r.endpointsFrom, `https://127.0.0.1:${s.httpsPort}/ok?ac-discovery=1`);
  });

  it('D-HT-3 refuses the self-signed certificate with the default fetch, and says why', async () => {
    const r = await discoverEndpoints('127.0.0.1/ok', base);
    assert.equal(r.ok, false);
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_NETWORK');
    assert.match(r.attempts[0]!.detail, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
  });

  it('D-HT-2 uses plain http only with insecure http', async () => {
    const options = { ...base, port: s.httpPort };
    const refused = await discoverEndpoints('127.0.0.1/ok', options);
    assert.deepEqual(refused.endpoints, []);
    assert.ok(refused.attempts.every((a) => !a.url.startsWith('http:')));
    const r = await discoverEndpoints('127.0.0.1/ok', { ...options, insecure: { http: true } });
    assert.equal(r.endpoints.length, 1);
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_NETWORK');
    assert.equal(r.endpointsFrom, `http://127.0.0.1:${s.httpPort}/ok?ac-discovery=1`);
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ['DISCOVERY_INSECURE_PAGE'],
    );
  });

  it('D-HT-4 the global fetch exposes redirects (redirect: manual) and they are followed', async () => {
    const r = await discoverEndpoints('127.0.0.1/redirect', { ...base, port: s.httpPort, insecure: { http: true } });
    assert.equal(r.endpointsFrom, `http://127.0.0.1:${s.httpPort}/ok`);
    assert.ok(r.attempts.some((a) => a.outcome === 'redirect' && a.status === 302));
  });

  it('createInsecureFetch follows redirects by default, refuses them with redirect: error, and streams bodies', async () => {
    const f = createInsecureFetch();
    const followed = await f(`https://127.0.0.1:${s.httpsPort}/redirect`);
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /ac-discovery/);
    await assert.rejects(f(`https://127.0.0.1:${s.httpsPort}/redirect`, { redirect: 'error' }), TypeError);
    const manual = await f(new Request(`https://127.0.0.1:${s.httpsPort}/redirect`, { redirect: 'manual' }));
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get('location'), '/ok');
    await assert.rejects(f('ftp://127.0.0.1/x'), TypeError);
  });

  it('D-HT-4 follows a redirect; stops a redirect loop', async () => {
    const ok = await discoverEndpoints('127.0.0.1/redirect', insecureTls());
    assert.equal(ok.endpoints.length, 1);
    assert.equal(ok.endpointsFrom, `https://127.0.0.1:${s.httpsPort}/ok`);
    const loop = await discoverEndpoints('127.0.0.1/loop-a', insecureTls());
    assert.ok(loop.attempts.some((a) => a.code === 'DISCOVERY_REDIRECT_LOOP'));
  });

  it('D-HT-3 refuses an https to http downgrade, follows it with insecure http', async () => {
    const refused = await discoverEndpoints('127.0.0.1/downgrade', insecureTls());
    assert.ok(refused.attempts.some((a) => a.code === 'DISCOVERY_REDIRECT_DOWNGRADE'));
    const allowed = await discoverEndpoints('127.0.0.1/downgrade', { ...insecureTls(), insecure: { tls: true, http: true } });
    assert.equal(allowed.endpointsFrom, `http://127.0.0.1:${s.httpPort}/ok`);
  });

  it('D-HT-5 D-SP-2 sends credentials over https to their host only; a 401 names the host', async () => {
    const denied = await discoverEndpoints('127.0.0.1/auth', insecureTls());
    const u = denied.issues.find((i) => i.code === 'DISCOVERY_UNAUTHORIZED');
    assert.ok(u);
    assert.match(u.message, new RegExp(`configure credentials for host 127\\.0\\.0\\.1:${s.httpsPort}`));
    const auth = { [`127.0.0.1:${s.httpsPort}`]: { type: 'bearer', token: TOKEN } } as const;
    const ok = await discoverEndpoints('127.0.0.1/auth', { ...insecureTls(), auth });
    assert.equal(ok.endpoints.length, 1);
    s.hits.length = 0;
    const cross = await discoverEndpoints('127.0.0.1/cross', { ...insecureTls(), auth });
    assert.equal(cross.endpoints.length, 1);
    assert.deepEqual(
      s.hits.map((h) => [h.server, h.path, h.authorization]),
      [
        ['a', '/cross', `Bearer ${TOKEN}`],
        ['b', '/landing', undefined],
      ],
    );
    s.hits.length = 0;
    await discoverEndpoints('127.0.0.1/ok', { ...base, port: s.httpPort, insecure: { http: true }, auth: { '127.0.0.1': { type: 'bearer', token: TOKEN } } });
    assert.deepEqual(
      s.hits.filter((h) => h.server === 'http').map((h) => h.authorization),
      [undefined],
    );
  });

  it('cuts a 10 MB page at the size limit', async () => {
    const started = Date.now();
    const r = await discoverEndpoints('127.0.0.1/big', insecureTls());
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_PAGE_TOO_LARGE');
    assert.ok(Date.now() - started < 3000);
  });

  it('stops a page that never ends at the time-out', async () => {
    const started = Date.now();
    const r = await discoverEndpoints('127.0.0.1/endless', { ...insecureTls(), timeoutMs: 300 });
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_TIMEOUT');
    assert.ok(Date.now() - started < 2000);
  });

  it('reports a refused connection', async () => {
    const r = await discoverEndpoints('127.0.0.1/ok', { ...base, port: s.closedPort });
    assert.match(r.attempts[0]!.detail, /connection refused \(ECONNREFUSED, 127\.0\.0\.1:\d+\)/);
    const viaInsecure = await discoverEndpoints('127.0.0.1/ok', { ...insecureTls(), port: s.closedPort });
    assert.match(viaInsecure.attempts[0]!.detail, /connection refused/);
  });

  it('an AbortSignal cancels a request in flight', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(discoverEndpoints('127.0.0.1/endless', { ...insecureTls(), signal: controller.signal }), { code: 'DISCOVERY_ABORTED' });
  });
});
