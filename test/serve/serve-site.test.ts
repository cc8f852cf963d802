// serveSite and `actool serve`: a published site over HTTPS with a generated certificate; directory pages
// without redirects (so NAME?ac-discovery=1 resolves), content types, HEAD, ranges, validators, the access
// log, hostile paths, and a graceful close that lets requests in flight finish.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppcError } from '../../src/issues/appc-error.js';
import { publishSite } from '../../src/publish/publish-site.js';
import { parseListen } from '../../src/cli/commands/serve.js';
import { chooseRange } from '../../src/serve/range.js';
import { contentTypeFor } from '../../src/serve/content-type.js';
import type { SiteServer } from '../../src/serve/serve-site.js';
import { serveSite, sitePath } from '../../src/serve/serve-site.js';
import { readSigningKey } from '../../src/signature/sign.js';
import { makeCertificate, send } from '../support/https-client.js';
import { makeKey } from '../support/pgp.js';
import { actoolPath } from '../support/paths.js';
import { buildImage } from '../support/publish-fixtures.js';

let tmp: string;
let site: string;
let tls: ReturnType<typeof makeCertificate>;
let server: SiteServer;
const log: string[] = [];
const ACI = '_appc/images/127.0.0.1/app-1.0.0-linux-amd64.aci';

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => send(`${server.url}${path.replace(/^\//, '')}`, { headers, method, ca: tls.cert });

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-serve-'));
  site = join(tmp, 'site');
  tls = makeCertificate(tmp);
  const key = await readSigningKey((await makeKey()).privateKey.armor());
  const aci = await buildImage(tmp, 'app.aci', { name: '127.0.0.1/app', files: { big: 'x'.repeat(50_000) } });
  await publishSite([aci], site, { baseUrl: 'https://127.0.0.1/', signingKey: key });
  writeFileSync(join(site, '.hidden'), 'secret');
  server = await serveSite(site, { tls: { cert: tls.cert, key: tls.key }, log: (l) => log.push(l) });
});
after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('serveSite over HTTPS', () => {
  it('D-WK-1 NAME?ac-discovery=1 is answered with NAME/index.html at once (no redirect)', async () => {
    const a = await get('/app?ac-discovery=1');
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(a.body.toString(), /<meta name="ac-discovery" content="127\.0\.0\.1 https:\/\/127\.0\.0\.1\/_appc\/images\/\{name\}-\{version\}-\{os\}-\{arch\}\.\{ext\}">/);
    assert.deepEqual((await get('/app/')).body, a.body);
    assert.equal((await get('/?ac-discovery=1')).status, 200);
    assert.equal((await get('/app/index.html')).headers['cache-control'], 'no-cache');
  });

  it('content types and cache policy by file kind', async () => {
    const aci = await get(`/${ACI}`);
    assert.equal(aci.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(aci.body, readFileSync(join(site, ACI)));
    assert.equal(aci.headers['cache-control'], 'public, max-age=3600');
    assert.equal((await get(`/${ACI}.asc`)).headers['content-type'], 'application/pgp-signature');
    assert.equal((await get('/_appc/pubkeys.gpg')).headers['content-type'], 'application/pgp-keys');
    assert.equal((await get('/_appc/site.json')).headers['content-type'], 'application/json');
    for (const [file, type] of [
      ['a.html', 'text/html; charset=utf-8'],
      ['x/y.tar', 'application/octet-stream'],
      ['noext', 'application/octet-stream'],
      ['d.x/noext', 'application/octet-stream'],
    ]) {
      assert.equal(contentTypeFor(file!), type);
    }
  });

  it('HEAD: the same headers, no body', async () => {
    const head = await get(`/${ACI}`, {}, 'HEAD');
    const size = readFileSync(join(site, ACI)).length;
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(size));
    assert.equal(head.body.length, 0);
    assert.ok(head.headers.etag);
  });

  it('Range: one range is 206 with Content-Range; past the end is 416; several ranges or a stale If-Range send all', async () => {
    const whole = readFileSync(join(site, ACI));
    const first = await get(`/${ACI}`, { range: 'bytes=0-9' });
    assert.equal(first.status, 206);
    assert.equal(first.headers['content-range'], `bytes 0-9/${whole.length}`);
    assert.deepEqual(first.body, whole.subarray(0, 10));
    const tail = await get(`/${ACI}`, { range: 'bytes=-7' });
    assert.deepEqual(tail.body, whole.subarray(whole.length - 7));
    const rest = await get(`/${ACI}`, { range: 'bytes=100-' });
    assert.deepEqual(rest.body, whole.subarray(100));
    const beyond = await get(`/${ACI}`, { range: `bytes=${whole.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${whole.length}`);
    assert.equal((await get(`/${ACI}`, { range: 'bytes=0-1,5-6' })).status, 200);
    const etag = first.headers.etag!;
    assert.equal((await get(`/${ACI}`, { range: 'bytes=0-9', 'if-range': etag })).status, 206);
    assert.equal((await get(`/${ACI}`, { range: 'bytes=0-9', 'if-range': '"stale"' })).status, 200);
  });

  it('ETag and Last-Modified: 304 on If-None-Match and If-Modified-Since', async () => {
    const a = await get(`/${ACI}`);
    const n1 = await get(`/${ACI}`, { 'if-none-match': a.headers.etag! });
    assert.equal(n1.status, 304);
    assert.equal(n1.body.length, 0);
    assert.equal((await get(`/${ACI}`, { 'if-modified-since': a.headers['last-modified']! })).status, 304);
    assert.equal((await get(`/${ACI}`, { 'if-none-match': '"other"' })).status, 200);
    assert.equal((await get(`/${ACI}`, { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);
  });

  it('hostile and unknown paths: dot segments and dot files 400, encoded slashes 400, missing 404, other methods 405', async () => {
    // URL parsing resolves %2e%2e like '..' inside the site root: it can never climb out of it.
    assert.equal((await get('/%2e%2e/%2e%2e/etc/passwd')).status, 404);
    for (const path of ['/.hidden', '/_appc/%2F..%2Fsite.json', '/a%00b', '/%E0%A4%A']) {
      assert.equal((await get(path)).status, 400, path);
    }
    assert.equal((await get('/nothing/here')).status, 404);
    assert.equal((await get('/_appc/images')).status, 404, 'a directory without index.html');
    const post = await get('/', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('access log: one line per response with method, path, status, size', async () => {
    log.length = 0;
    await get('/app?ac-discovery=1');
    await get('/missing');
    await new Promise((r) => setTimeout(r, 20));
    assert.match(log[0]!, /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/app\?ac-discovery=1 HTTP\/1\.1" 200 \d+ \d+ms$/);
    assert.match(log[1]!, /"GET \/missing HTTP\/1\.1" 404 /);
  });

  it('options: not a directory (SERVE_BAD_OPTION), a bad TLS pair (SERVE_TLS_UNREADABLE), a taken port (EADDRINUSE)', async () => {
    await assert.rejects(serveSite(join(site, 'index.html')), (e: unknown) => isAppcError(e) && e.code === 'SERVE_BAD_OPTION');
    await assert.rejects(serveSite(site, { tls: { cert: 'not a cert', key: 'nor a key' } }), (e: unknown) => isAppcError(e) && e.code === 'SERVE_TLS_UNREADABLE');
    await assert.rejects(serveSite(site, { port: server.port }), (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE');
  });

  it('close() lets a request in flight finish, then refuses new connections', async () => {
    const slowSite = join(tmp, 'slow');
    mkdirSync(slowSite);
    let release: () => void = () => undefined;
    const s = await serveSite(slowSite, {
      fallback: async (_req, res) => {
        await new Promise<void>((r) => (release = r));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('late but whole');
        return true;
      },
    });
    const pending = send(`${s.url}slow`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = s.close();
    setTimeout(() => release(), 100);
    const answer = await pending;
    await closing;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'late but whole');
    await assert.rejects(send(`${s.url}again`), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
  });
});

describe('sitePath', () => {
  const table: [string, string[] | undefined][] = [
    ['/', []],
    ['/app?ac-discovery=1', ['app']],
    ['/a/b/../c', ['a', 'c']],
    ['/../../etc/passwd', ['etc', 'passwd']],
    ['/a%20b', ['a b']],
    ['/.git/config', undefined],
    ['/a/%2e%2e%2f/b', undefined],
    ['/a%2Fb', undefined],
    ['/a%5Cb', undefined],
    ['/a%00', undefined],
    ['/%ZZ', undefined],
  ];
  for (const [url, want] of table) it(`${url}`, () => assert.deepEqual(sitePath(url), want));
});

describe('chooseRange', () => {
  const table: [string | undefined, number, ReturnType<typeof chooseRange>][] = [
    [undefined, 10, { kind: 'full' }],
    ['bytes=0-0', 10, { kind: 'partial', start: 0, end: 0 }],
    ['bytes=2-', 10, { kind: 'partial', start: 2, end: 9 }],
    ['bytes=2-100', 10, { kind: 'partial', start: 2, end: 9 }],
    ['bytes=-3', 10, { kind: 'partial', start: 7, end: 9 }],
    ['bytes=-30', 10, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 10, { kind: 'full' }],
    ['bytes=0-1,3-4', 10, { kind: 'full' }],
    ['items=0-1', 10, { kind: 'full' }],
    ['bytes=-', 10, { kind: 'full' }],
  ];
  for (const [header, size, want] of table) it(`${String(header)} of ${size} bytes`, () => assert.deepEqual(chooseRange(header, size), want));
});

describe('parseListen', () => {
  it('reads PORT, HOST:PORT and [IPv6]:PORT', () => {
    assert.deepEqual(parseListen('8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseListen('[::1]:443'), { host: '::1', port: 443 });
  });
  for (const bad of ['', 'x', '70000', 'host:', ':80x']) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(
        () => parseListen(bad),
        (e: unknown) => (e as Error).name === 'UsageError',
      ));
  }
});

/** Starts `actool serve` and resolves with its URL once it listens. */
function startCli(args: string[]): Promise<{ url: string; child: ReturnType<typeof spawn>; out: () => string; err: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [actoolPath, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /at (https?:\/\/\S+\/) /.exec(err);
      if (m) resolve({ url: m[1]!, child, out: () => out, err: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`actool serve exited ${code}: ${err}`)));
  });
}

describe('actool serve', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves HTTPS, logs to stdout, and on ${signal} stops with exit 0`, async () => {
      const run = await startCli(['--listen=127.0.0.1:0', `--cert=${tls.certFile}`, `--key=${tls.keyFile}`, site]);
      const a = await send(`${run.url}app?ac-discovery=1`, { ca: tls.cert });
      assert.equal(a.status, 200);
      await new Promise((r) => setTimeout(r, 50));
      run.child.kill(signal);
      assert.equal(await run.exit, 0);
      assert.match(run.out(), /"GET \/app\?ac-discovery=1 HTTP\/1\.1" 200/);
      assert.match(run.err(), new RegExp(`${signal}: finishing requests in flight\\nserve: stopped`));
    });
  }

  it('usage and option errors: exit 2 for --cert without --key, 1 for a file as SITE, 3 for unreadable TLS files', async () => {
    const { runActool } = await import('../support/run-actool.js');
    const r1 = await runActool(['serve', `--cert=${tls.certFile}`, site]);
    assert.equal(r1.code, 2);
    const r2 = await runActool(['serve', '--listen=127.0.0.1:0', join(site, 'index.html')]);
    assert.equal(r2.code, 1, r2.stderr);
    assert.match(r2.stderr, /SERVE_BAD_OPTION/);
    const r3 = await runActool(['serve', '--listen=127.0.0.1:0', '--cert=/nonexistent/cert.pem', '--key=/nonexistent/key.pem', site]);
    assert.equal(r3.code, 3, r3.stderr);
    assert.match(r3.stderr, /SERVE_TLS_UNREADABLE/);
    const r4 = await runActool(['serve', '--listen=nope', site]);
    assert.equal(r4.code, 2);
  });
});
