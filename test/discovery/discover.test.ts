import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiscoveryApp } from '../../src/discovery/app-string.js';
import type { DiscoverOptions } from '../../src/discovery/discover.js';
import { discover, discoverEndpoints, discoverPublicKeys, namePrefixes } from '../../src/discovery/discover.js';
import { discoveryUrl, fetchDiscoveryPage } from '../../src/discovery/fetch-page.js';
import type { PageFetchSettings } from '../../src/discovery/fetch-page.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { discoveryPage, fakeFetch, html, networkError, redirect, status } from '../support/fake-fetch.js';
import { readJsonFixture } from '../support/paths.js';

interface Scenario {
  title: string;
  pages: Record<string, string>;
  app: { name: string; labels: Record<string, string> };
  endpoints: { aci: string; asc: string }[] | null;
  publicKeys: string[] | null;
  auth?: { host: string; user: string; password: string; header: string };
}
const { scenarios } = readJsonFixture<{ scenarios: Scenario[] }>('discovery', 'scenarios.json');
const MODES: Record<string, DiscoverOptions['insecure']> = { none: {}, tls: { tls: true }, http: { http: true }, 'tls+http': { tls: true, http: true } };

const codes = (r: { issues: readonly { code: string }[] }): string[] => r.issues.map((i) => i.code);
const app = (name: string, labels: Record<string, string> = {}): DiscoveryApp => ({ name, labels }) as DiscoveryApp;

/** Serves fixture pages by path on any scheme and host, 404 elsewhere (Go's fakeHTTPGet). */
function sitePages(pages: Record<string, string>, wantHeader?: string) {
  return fakeFetch((url, init) => {
    if (wantHeader !== undefined && new Headers(init.headers).get('authorization') !== wantHeader) throw new TypeError('wrong Authorization header');
    const file = pages[url.pathname];
    return file === undefined ? status(404) : html(discoveryPage(file));
  });
}

describe('discovery: the Go reference scenarios (TestDiscoverEndpoints) in the four insecure modes', () => {
  for (const s of scenarios) {
    for (const [mode, insecure] of Object.entries(MODES)) {
      it(`D-WK-1..4 ${s.title} [insecure ${mode}]`, async () => {
        const { fetch } = sitePages(s.pages, s.auth?.header);
        const options: DiscoverOptions = { fetch, insecure: insecure ?? {}, ...(s.auth ? { auth: { [s.auth.host]: { type: 'basic', user: s.auth.user, password: s.auth.password } } } : {}) };
        const r = await discover(app(s.app.name, s.app.labels), options);
        assert.deepEqual(r.endpoints, s.endpoints ?? []);
        assert.deepEqual(r.publicKeys, s.publicKeys ?? []);
        assert.equal(codes(r).includes('DISCOVERY_NO_ENDPOINT'), s.endpoints === null);
        assert.equal(codes(r).includes('DISCOVERY_NO_PUBLIC_KEYS'), s.publicKeys === null);
        assert.equal(r.ok, s.endpoints !== null && s.publicKeys !== null);
        // The separate walks agree with the combined call.
        assert.deepEqual((await discoverEndpoints(app(s.app.name, s.app.labels), options)).endpoints, r.endpoints);
        assert.deepEqual((await discoverPublicKeys(app(s.app.name, s.app.labels), options)).publicKeys, r.publicKeys);
      });
    }
  }
});

interface HttpCase {
  host: string;
  insecure: 'none' | 'tls' | 'http';
  httpsOk: boolean;
  httpOk: boolean;
  errorStatus: number;
  url: string | null;
  auth?: { user: string; password: string; header: string };
}
const { cases } = readJsonFixture<{ cases: HttpCase[] }>('discovery', 'https-or-http.json');

const settings = (over: Partial<PageFetchSettings>): PageFetchSettings => ({
  fetch: globalThis.fetch,
  insecureHttp: false,
  port: 0,
  auth: undefined,
  headers: undefined,
  timeoutMs: 2000,
  idleTimeoutMs: 2000,
  maxBytes: 1 << 20,
  maxRedirects: 10,
  signal: undefined,
  ...over,
});

describe('discovery: https then http (TestHTTPSOrHTTP)', () => {
  for (const c of cases) {
    it(`D-HT-2 D-HT-5 ${c.host} [insecure ${c.insecure}] ${c.url ? 'gives ' + c.url : 'fails'}`, async () => {
      const { fetch } = fakeFetch((url, init) => {
        if (c.auth && new Headers(init.headers).get('authorization') !== c.auth.header) throw new TypeError('wrong header');
        if ((url.protocol === 'https:' && c.httpsOk) || (url.protocol === 'http:' && c.httpOk)) return html(discoveryPage('meta01.html'));
        if (c.errorStatus > 0) return status(c.errorStatus);
        throw networkError('ECONNREFUSED');
      });
      const page = await fetchDiscoveryPage(
        c.host,
        settings({ fetch, insecureHttp: c.insecure === 'http', ...(c.auth ? { auth: { [c.host]: { type: 'basic', user: c.auth.user, password: c.auth.password } } } : {}) }),
      );
      assert.equal(page.ok, c.url !== null);
      if (page.ok) assert.equal(page.url, c.url);
    });
  }
});

describe('discovery: URLs and the walk', () => {
  it('D-HT-1 builds the discovery URL, with the port option on the host', () => {
    assert.equal(discoveryUrl('https', 'example.com'), 'https://example.com?ac-discovery=1');
    assert.equal(discoveryUrl('https', 'example.com/foobar', 8443), 'https://example.com:8443/foobar?ac-discovery=1');
    assert.equal(discoveryUrl('http', 'a.com/p/s', 0), 'http://a.com/p/s?ac-discovery=1');
  });

  it('D-WK-1 tries the prefixes from the whole name up to the host, https then http for each', async () => {
    assert.deepEqual(namePrefixes('a.com/p/s'), ['a.com/p/s', 'a.com/p', 'a.com']);
    const f = fakeFetch(() => status(404));
    const r = await discoverEndpoints('a.com/p/s', { fetch: f.fetch, insecure: { http: true } });
    assert.deepEqual(
      f.seen.map((s) => s.url),
      [
        'https://a.com/p/s?ac-discovery=1',
        'http://a.com/p/s?ac-discovery=1',
        'https://a.com/p?ac-discovery=1',
        'http://a.com/p?ac-discovery=1',
        'https://a.com?ac-discovery=1',
        'http://a.com?ac-discovery=1',
      ],
    );
    assert.ok(f.seen.every((s) => s.redirect === 'manual'));
    assert.deepEqual(codes(r), ['DISCOVERY_NO_ENDPOINT']);
    assert.deepEqual(
      r.attempts.map((a) => [a.prefix, a.status, a.outcome, a.code]),
      [
        ['a.com/p/s', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
        ['a.com/p/s', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
        ['a.com/p', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
        ['a.com/p', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
        ['a.com', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
        ['a.com', 404, 'http-error', 'DISCOVERY_HTTP_STATUS'],
      ],
    );
  });

  it('D-WK-4 D-HT-2 moves up past a 500 and past a 200 page without tags', async () => {
    const f = fakeFetch((url) => (url.pathname === '/a/b' ? status(500) : url.pathname === '/a' ? html('<html><head><title>nothing</title></head></html>') : html(discoveryPage('meta01.html'))));
    const r = await discover('example.com/a/b:1.0.0,os=linux,arch=amd64', { fetch: f.fetch });
    assert.ok(r.ok);
    assert.equal(r.endpoints[0]?.aci, 'https://storage.example.com/example.com/a/b-1.0.0-linux-amd64.aci');
    assert.equal(r.endpointsFrom, 'https://example.com?ac-discovery=1');
    assert.deepEqual(
      r.attempts.filter((a) => a.walk === 'endpoints').map((a) => a.outcome),
      ['http-error', 'fetched', 'no-tags', 'fetched', 'ok'],
    );
    assert.equal(r.attempts.find((a) => a.outcome === 'no-tags')?.code, 'DISCOVERY_NO_TAGS');
  });

  it('reuses pages between the two walks: every URL is fetched once, reuse is marked in the trace', async () => {
    const f = sitePages({ '/': 'meta03.html', '/myapp': 'meta02.html' });
    const r = await discover('example.com/myapp,os=linux,arch=amd64', { fetch: f.fetch });
    assert.ok(r.ok);
    assert.deepEqual(
      f.seen.map((s) => s.url),
      ['https://example.com/myapp?ac-discovery=1', 'https://example.com?ac-discovery=1'],
    );
    assert.ok(r.attempts.some((a) => a.walk === 'publicKeys' && a.cached === true));
  });

  it('D-TP-2 the trace says which labels a skipped template needs; the library never defaults os/arch from the host', async () => {
    const f = sitePages({ '/myapp': 'meta02.html' });
    const r = await discover('example.com/myapp:1.0.0', { fetch: f.fetch });
    assert.deepEqual(codes(r), ['DISCOVERY_NO_ENDPOINT', 'DISCOVERY_NO_PUBLIC_KEYS']);
    const skipped = r.attempts.find((a) => a.outcome === 'template-skipped');
    assert.equal(skipped?.code, 'DISCOVERY_TEMPLATE_UNFILLED');
    assert.match(skipped!.detail, /needs \{os\}, \{arch\}: add the labels os=\.\.\.,arch=\.\.\./);
    assert.match(r.issues[0]!.message, /needs \{os\}, \{arch\}/);
    const withDefaults = await discover('example.com/myapp:1.0.0', { fetch: f.fetch, defaultLabels: { os: 'freebsd', arch: 'arm' } });
    assert.equal(withDefaults.endpoints[0]?.aci, 'https://storage.example.com/example.com/myapp-1.0.0-freebsd-arm.aci');
    assert.deepEqual(withDefaults.app.labels, { version: '1.0.0', os: 'freebsd', arch: 'arm' });
  });

  it('D-MT-3 segment prefix matching by default; Go text matching as an option', async () => {
    const page = '<meta name="ac-discovery" content="example.com/foo https://s.example.com/{name}.{ext}"><meta name="ac-discovery-pubkeys" content="example.com/foo https://example.com/k.gpg">';
    const f = fakeFetch(() => html(page));
    const seg = await discover('example.com/foobar', { fetch: f.fetch });
    assert.deepEqual(codes(seg), ['DISCOVERY_NO_ENDPOINT', 'DISCOVERY_NO_PUBLIC_KEYS']);
    const mismatch = seg.attempts.find((a) => a.outcome === 'prefix-mismatch');
    assert.equal(mismatch?.code, 'DISCOVERY_PREFIX_MISMATCH');
    assert.match(mismatch!.detail, /only as text/);
    const text = await discover('example.com/foobar', { fetch: f.fetch, prefixMatch: 'text' });
    assert.ok(text.ok);
    assert.deepEqual(text.endpoints, [{ aci: 'https://s.example.com/example.com/foobar.aci', asc: 'https://s.example.com/example.com/foobar.aci.asc' }]);
  });

  it('D-MT-2 D-TP-3 D-TP-5 malformed tags are traced, a template without {ext} is a warning, keys are not templated', async () => {
    const page =
      '<meta name="ac-discovery" content="example.com\thttps://tab/{name}.{ext}"><meta name="ac-discovery" content="example.com https://s/{name}.aci"><meta name="ac-discovery-pubkeys" content="example.com https://k/{name}.gpg">';
    const f = fakeFetch(() => html(page));
    const r = await discover('example.com', { fetch: f.fetch });
    assert.ok(r.ok);
    assert.deepEqual(r.endpoints, [{ aci: 'https://s/example.com.aci', asc: 'https://s/example.com.aci' }]);
    assert.deepEqual(r.publicKeys, ['https://k/{name}.gpg']);
    assert.deepEqual(codes(r), ['DISCOVERY_TEMPLATE_NO_EXT']);
    assert.equal(r.attempts.find((a) => a.outcome === 'tag-ignored')?.code, 'DISCOVERY_TAG_MALFORMED');
    const strict = await discover('example.com', { fetch: f.fetch, strict: true });
    assert.equal(strict.ok, false);
    assert.equal(strict.issues[0]?.severity, 'error');
  });

  it('D-TP-4 endpoints come in document order from meta06', async () => {
    const f = sitePages({ '/': 'meta06.html' });
    const r = await discoverEndpoints('example.com/x,version=2,os=linux,arch=amd64', { fetch: f.fetch });
    assert.deepEqual(
      r.endpoints.map((e) => e.aci.split(':')[0]),
      ['https', 'https', 'hdfs'],
    );
  });
});

describe('discovery: redirects', () => {
  const meta01 = (): Response => html(discoveryPage('meta01.html'));
  const full = 'example.com/myapp:1.0.0,os=linux,arch=amd64';

  it('D-HT-4 follows a relative redirect to the page', async () => {
    const f = fakeFetch((url) => (url.pathname === '/myapp' ? redirect('/pages/myapp.html', 301) : url.pathname === '/pages/myapp.html' ? meta01() : status(404)));
    const r = await discoverEndpoints(full, { fetch: f.fetch });
    assert.ok(r.ok);
    assert.equal(r.endpointsFrom, 'https://example.com/pages/myapp.html');
    assert.deepEqual(r.attempts.map((a) => a.outcome).slice(0, 2), ['redirect', 'fetched']);
  });

  it('D-HT-4 detects a redirect loop', async () => {
    const f = fakeFetch((url) => redirect(url.pathname === '/b' ? '/a' : '/b'));
    const r = await discoverEndpoints('example.com/a', { fetch: f.fetch });
    assert.ok(r.attempts.some((a) => a.code === 'DISCOVERY_REDIRECT_LOOP'));
    assert.ok(f.seen.length < 10);
  });

  it('D-HT-4 gives up after 10 redirects', async () => {
    const f = fakeFetch((url) => redirect(`/r${Number(url.pathname.slice(2) || 0) + 1}`, 307));
    const r = await discoverEndpoints('example.com', { fetch: f.fetch });
    assert.equal(f.seen.length, 11);
    assert.equal(r.attempts.length, 11);
    assert.equal(r.attempts.at(-1)?.code, 'DISCOVERY_TOO_MANY_REDIRECTS');
  });

  it('D-HT-3 refuses an https to http redirect unless insecure http is allowed', async () => {
    const f = fakeFetch((url) => (url.protocol === 'https:' ? redirect(`http://example.com${url.pathname}`) : meta01()));
    const refused = await discoverEndpoints(full, { fetch: f.fetch });
    assert.deepEqual(refused.endpoints, []);
    assert.ok(refused.attempts.some((a) => a.code === 'DISCOVERY_REDIRECT_DOWNGRADE'));
    assert.ok(f.seen.every((s) => s.url.startsWith('https:')));
    const allowed = await discoverEndpoints(full, { fetch: f.fetch, insecure: { http: true } });
    assert.equal(allowed.endpoints.length, 1);
    assert.deepEqual(codes(allowed), ['DISCOVERY_INSECURE_PAGE']);
  });

  it('D-HT-4 rejects a redirect without Location or to another scheme, and a browser opaque redirect', async () => {
    const none = await discoverEndpoints('example.com', { fetch: fakeFetch(() => new Response(null, { status: 302 })).fetch });
    assert.match(none.attempts[0]!.detail, /without a Location/);
    assert.equal(none.attempts[0]!.code, 'DISCOVERY_REDIRECT_INVALID');
    const ftp = await discoverEndpoints('example.com', { fetch: fakeFetch(() => redirect('ftp://example.com/x')).fetch });
    assert.match(ftp.attempts[0]!.detail, /only http and https/);
    const opaque = await discoverEndpoints('example.com', {
      fetch: fakeFetch(() => Object.defineProperty(new Response(null, { status: 200 }), 'type', { value: 'opaqueredirect' })).fetch,
    });
    assert.equal(opaque.attempts[0]!.code, 'DISCOVERY_REDIRECT_INVALID');
  });

  it('D-HT-5 credentials go to their own host only, never across a redirect, never over http', async () => {
    const f = fakeFetch((url) => {
      if (url.host === 'example.com' && url.pathname === '/myapp') return redirect('https://cdn.example.net/myapp');
      if (url.host === 'cdn.example.net') return redirect('https://example.com/final');
      if (url.pathname === '/final') return meta01();
      return status(404);
    });
    const r = await discoverEndpoints(full, { fetch: f.fetch, auth: { 'example.com': { type: 'bearer', token: 'T' } } });
    assert.ok(r.ok);
    assert.deepEqual(
      f.seen.map((s) => [s.url, s.headers.get('authorization')]),
      [
        ['https://example.com/myapp?ac-discovery=1', 'Bearer T'],
        ['https://cdn.example.net/myapp', null],
        ['https://example.com/final', 'Bearer T'],
      ],
    );
    const plain = fakeFetch((url) => (url.protocol === 'https:' ? status(404) : meta01()));
    const viaHttp = await discoverEndpoints(full, { fetch: plain.fetch, insecure: { http: true }, auth: { 'example.com': { type: 'bearer', token: 'T' } }, headers: () => ({ 'x-extra': '1' }) });
    assert.equal(viaHttp.endpoints.length, 1);
    assert.deepEqual(
      plain.seen.map((s) => [s.url.split(':')[0], s.headers.get('authorization'), s.headers.get('x-extra')]),
      [
        ['https', 'Bearer T', '1'],
        ['http', null, null],
      ],
    );
    assert.match(viaHttp.attempts.find((a) => a.outcome === 'fetched')!.detail, /never sent over plain http/);
  });
});

describe('discovery: hostile or failing servers', () => {
  it('D-SP-2 a 401 names the host to configure; with credentials it says they were rejected', async () => {
    const f = fakeFetch(() => status(401, { 'www-authenticate': 'Basic realm="images"' }));
    const r = await discover('registry.example.com/app', { fetch: f.fetch });
    assert.deepEqual(codes(r), ['DISCOVERY_NO_ENDPOINT', 'DISCOVERY_UNAUTHORIZED', 'DISCOVERY_NO_PUBLIC_KEYS']);
    const u = r.issues[1]!;
    assert.match(u.message, /401 Unauthorized from registry\.example\.com: configure credentials for host registry\.example\.com .*Basic realm="images"/);
    assert.equal(u.params?.['host'], 'registry.example.com');
    const again = await discoverEndpoints('registry.example.com/app', { fetch: f.fetch, auth: { 'registry.example.com': { type: 'basic', user: 'u', password: 'p' } } });
    assert.match(again.attempts[0]!.detail, /credentials configured for registry\.example\.com were rejected/);
  });

  it('a page larger than maxBytes is refused from Content-Length, or cut off while streaming', async () => {
    const declared = await discoverEndpoints('example.com', { fetch: fakeFetch(() => html('x'.repeat(100), { 'content-length': '100' })).fetch, maxBytes: 50 });
    assert.equal(declared.attempts[0]!.code, 'DISCOVERY_PAGE_TOO_LARGE');
    let pulled = 0;
    let cancelled = false;
    const endless = (): Response =>
      html(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled++;
            c.enqueue(new Uint8Array(16 * 1024).fill(0x61));
          },
          cancel() {
            cancelled = true;
          },
        }) as unknown as Uint8Array,
      );
    const r = await discoverEndpoints('example.com', { fetch: fakeFetch(endless).fetch, maxBytes: 64 * 1024 });
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_PAGE_TOO_LARGE');
    assert.match(r.attempts[0]!.detail, /65536 bytes/);
    assert.ok(pulled < 10);
    assert.ok(cancelled);
  });

  it('a page that never ends and a server that never answers hit the time-out', async () => {
    const trickle = (): Response =>
      html(
        new ReadableStream<Uint8Array>({
          async pull(c) {
            await new Promise((r) => setTimeout(r, 20));
            c.enqueue(new Uint8Array([0x20]));
          },
        }) as unknown as Uint8Array,
      );
    const started = Date.now();
    const r = await discoverEndpoints('example.com', { fetch: fakeFetch(trickle).fetch, timeoutMs: 100 });
    assert.equal(r.attempts[0]!.code, 'DISCOVERY_TIMEOUT');
    // A fetch that ignores its AbortSignal cannot hang discovery either.
    const never = await discoverEndpoints('example.com/a', { fetch: fakeFetch(() => new Promise<Response>(() => undefined)).fetch, timeoutMs: 100 });
    assert.deepEqual(
      never.attempts.map((a) => a.outcome),
      ['timeout', 'timeout'],
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('D-HT-2 network failures are explained: DNS, refused, TLS certificate, other', async () => {
    const reasons: Record<string, RegExp> = {
      ENOTFOUND: /host not found \(DNS lookup failed\) \(ENOTFOUND, nowhere\.invalid\)/,
      ECONNREFUSED: /connection refused/,
      DEPTH_ZERO_SELF_SIGNED_CERT: /TLS certificate of nowhere\.invalid is not trusted .*insecure tls/,
      EWEIRD: /weird failure \(EWEIRD, nowhere\.invalid\)/,
    };
    for (const [code, re] of Object.entries(reasons)) {
      const r = await discoverEndpoints('nowhere.invalid', {
        fetch: fakeFetch(() => {
          throw networkError(code, code === 'EWEIRD' ? 'weird failure' : code);
        }).fetch,
      });
      assert.equal(r.attempts[0]!.code, 'DISCOVERY_NETWORK');
      assert.match(r.attempts[0]!.detail, re);
    }
    const plain = await discoverEndpoints('nowhere.invalid', {
      fetch: fakeFetch(() => {
        throw new Error('boom');
      }).fetch,
    });
    assert.equal(plain.attempts[0]!.detail, 'boom');
  });

  it('an error while reading the body is a network failure', async () => {
    const broken = (): Response =>
      html(
        new ReadableStream<Uint8Array>({
          pull(c) {
            c.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
          },
        }) as unknown as Uint8Array,
      );
    const r = await discoverEndpoints('example.com', { fetch: fakeFetch(broken).fetch });
    assert.match(r.attempts[0]!.detail, /while reading the body, after 0 bytes: connection reset/);
  });

  it('non-UTF-8 pages: invalid bytes are replaced and noted; a declared charset is honoured', async () => {
    const meta = discoveryPage('meta01.html').replace('My app', 'x');
    const bytes = new Uint8Array([...new TextEncoder().encode(meta.replace('</title>', '\u00ff</title>'))].map((b) => (b === 0xc3 ? 0xff : b)));
    const r = await discover('example.com/myapp,os=linux,arch=amd64', { fetch: fakeFetch(() => html(bytes)).fetch });
    assert.ok(r.ok);
    assert.match(r.attempts[0]!.detail, /not valid utf-8/);
    const latin1 = new Uint8Array([...'<meta name="ac-discovery-pubkeys" content="example.com https://example.com/k\u00e9y.gpg">'].map((c) => c.charCodeAt(0)));
    const k = await discoverPublicKeys('example.com', { fetch: fakeFetch(() => html(latin1, { 'content-type': 'text/html; charset=ISO-8859-1' })).fetch });
    assert.deepEqual(k.publicKeys, ['https://example.com/k\u00e9y.gpg']);
  });

  it('meta tags in <script> are ignored, tags in <body> are used', async () => {
    const r = await discover('example.com/app:1', { fetch: fakeFetch(() => html(discoveryPage('quirks.html'))).fetch });
    assert.deepEqual(
      r.endpoints.map((e) => e.aci),
      ['https://upper.example.com/example.com/app-1.aci', 'https://spaces.example.com/example.com/app.aci?a=1&b=2   trailing'],
    );
    assert.deepEqual(r.publicKeys, ['https://body.example.com/keys.asc']);
  });
});

describe('discovery: API misuse and cancellation', () => {
  const rejectsWith = async (p: Promise<unknown>, code: string): Promise<void> => {
    await assert.rejects(p, (e: unknown) => isAppcError(e) && e.code === code);
  };
  it('D-HT-3 insecure tls without a custom fetch is DISCOVERY_OPTION_NEEDS_FETCH', async () => {
    await rejectsWith(discover('example.com', { insecure: { tls: true } }), 'DISCOVERY_OPTION_NEEDS_FETCH');
  });
  it('bad options are DISCOVERY_INVALID_OPTION, bad apps DISCOVERY_INVALID_APP', async () => {
    const fetch = fakeFetch(() => status(404)).fetch;
    for (const o of [{ port: -1 }, { port: 70000 }, { timeoutMs: 0 }, { maxBytes: 1.5 }, { maxRedirects: -1 }, { prefixMatch: 'fuzzy' as 'text' }]) {
      await rejectsWith(discover('example.com', { fetch, ...o }), 'DISCOVERY_INVALID_OPTION');
    }
    await rejectsWith(discover('not an app', { fetch }), 'DISCOVERY_INVALID_APP');
    await rejectsWith(discoverPublicKeys(app('Bad Name'), { fetch }), 'DISCOVERY_INVALID_APP');
  });
  it('an AbortSignal stops discovery with DISCOVERY_ABORTED, before or during a request', async () => {
    const fetch = fakeFetch(() => new Promise<Response>(() => undefined)).fetch;
    await rejectsWith(discover('example.com', { fetch, signal: AbortSignal.abort() }), 'DISCOVERY_ABORTED');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await rejectsWith(discover('example.com/a/b', { fetch, signal: controller.signal }), 'DISCOVERY_ABORTED');
  });
});
