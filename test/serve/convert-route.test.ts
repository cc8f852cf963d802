// actool serve --convert: OCI images of a layout discovered under the site prefix, converted to ACIs on the first
// request (once, however many clients ask), kept by image digest, and signed with the converter key.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateAci } from '../../src/aci/validate-aci.js';
import { discover } from '../../src/discovery/discover.js';
import { extractMetaTags } from '../../src/discovery/meta-tags.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { publishSite } from '../../src/publish/publish-site.js';
import { createConvertRoute } from '../../src/serve/convert-route.js';
import type { SiteServer } from '../../src/serve/serve-site.js';
import { serveSite } from '../../src/serve/serve-site.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import type { SigningKey } from '../../src/signature/sign.js';
import { readSigningKey } from '../../src/signature/sign.js';
import { verifyAci } from '../../src/signature/verify.js';
import { makeCertificate } from '../support/https-client.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { actoolPath } from '../support/paths.js';
import { makeKey } from '../support/pgp.js';
import { buildImage } from '../support/publish-fixtures.js';
import { runActool } from '../support/run-actool.js';

let tmp: string;
let site: string;
let layout: string;
let converter: SigningKey;
let server: SiteServer;
let port: number;
const conversions: string[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  const p = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return p;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-convert-route-'));
  site = join(tmp, 'site');
  layout = join(tmp, 'oci');
  port = await freePort();
  writeOciLayout(layout, { layers: [{ members: [{ file: 'bin/busybox', content: 'busybox binary\n' }], gzip: true }], ref: 'busybox:1.36' });
  const converterKey = await makeKey({ name: 'Converter' });
  writeFileSync(join(tmp, 'converter.key'), converterKey.privateKey.armor());
  converter = await readSigningKey(converterKey.privateKey.armor());
  const publisher = await readSigningKey((await makeKey({ name: 'Publisher' })).privateKey.armor());
  const app = await buildImage(tmp, 'app.aci', { name: '127.0.0.1/app' });
  await publishSite([app], site, { baseUrl: `http://127.0.0.1:${port}/`, signingKey: publisher });
  const fallback = await createConvertRoute({ site, layout, key: converter, log: (l) => conversions.push(l) });
  server = await serveSite(site, { port, fallback });
});
after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('serve --convert (library)', () => {
  it("D-WK-1 a name the site does not hold gets the converter's page; the site's own pages win", async () => {
    const page = await (await fetch(`${server.url}busybox?ac-discovery=1`)).text();
    assert.deepEqual(
      extractMetaTags(page).tags.map((t) => [t.name, t.prefix, t.uri]),
      [
        ['ac-discovery', '127.0.0.1', `http://127.0.0.1:${port}/_convert/{os}/{arch}/{version}/{name}-{version}-{os}-{arch}.{ext}`],
        ['ac-discovery-pubkeys', '127.0.0.1', `http://127.0.0.1:${port}/_convert/pubkeys.gpg`],
      ],
    );
    const own = await (await fetch(`${server.url}app?ac-discovery=1`)).text();
    assert.match(own, /_appc\/images\/\{name\}/);
    assert.equal(await (await fetch(`${server.url}_convert/pubkeys.gpg`)).text(), converter.publicArmored);
  });

  it('S-1 converts on request, once for concurrent clients, and signs with the converter key', async () => {
    const found = await discover('127.0.0.1/busybox:1.36,os=linux,arch=amd64', { insecure: { http: true }, port });
    assert.equal(found.endpoints[0]!.aci, `http://127.0.0.1:${port}/_convert/linux/amd64/1.36/127.0.0.1/busybox-1.36-linux-amd64.aci`);
    const [a, b] = await Promise.all([fetch(found.endpoints[0]!.aci), fetch(found.endpoints[0]!.aci)]);
    assert.equal(a.status, 200);
    const aci = new Uint8Array(await a.arrayBuffer());
    assert.deepEqual(new Uint8Array(await b.arrayBuffer()), aci);
    assert.equal(conversions.filter((l) => l.startsWith('converted busybox:1.36')).length, 1, conversions.join('\n'));
    const report = await validateAci(aci);
    assert.ok(report.ok);
    assert.equal(report.manifest?.ok && report.manifest.value.name, '127.0.0.1/busybox');
    assert.deepEqual(report.manifest?.ok && report.manifest.value.labels?.find((l) => l.name === 'version')?.value, '1.36');
    const asc = await (await fetch(found.endpoints[0]!.asc)).text();
    const ring = new MemoryKeyRing();
    await ring.add(converter.publicArmored, { prefix: '127.0.0.1' });
    const check = await verifyAci(aci, asc, ring, { name: '127.0.0.1/busybox', strict: true });
    assert.ok(check.ok, JSON.stringify(check));
    // Kept under the OCI manifest digest, and served again without converting.
    assert.equal(readdirSync(join(tmp, '.site.convert-cache')).filter((d) => d.startsWith('sha256-')).length, 1);
    const again = await fetch(found.endpoints[0]!.aci, { headers: { range: 'bytes=0-3' } });
    assert.equal(again.status, 206);
    assert.equal(conversions.length, 1);
  });

  it('an image the layout does not hold is 404; a platform it lacks is 404', async () => {
    assert.equal((await fetch(`${server.url}_convert/linux/amd64/1.0/127.0.0.1/nginx-1.0-linux-amd64.aci`)).status, 404);
    assert.equal((await fetch(`${server.url}_convert/linux/s390x/1.36/127.0.0.1/busybox-1.36-linux-s390x.aci`)).status, 404);
    assert.equal((await fetch(`${server.url}_convert/linux/amd64/1.36/other.org/busybox-1.36-linux-amd64.aci`)).status, 404);
    assert.equal((await fetch(`${server.url}_convert/linux/amd64/1.36/127.0.0.1/busybox-1.0-linux-amd64.aci`)).status, 404, 'file name disagrees with the path');
  });

  it('a layout that names its image by bare tag (ref.name "2.0") is found by the tag', async () => {
    const bare = join(tmp, 'oci-bare');
    writeOciLayout(bare, { layers: [{ members: [{ file: 'usr/bin/tool', content: 'tool\n' }] }], ref: '2.0' });
    const log: string[] = [];
    const route = await createConvertRoute({ site, layout: bare, key: converter, cacheDir: join(tmp, 'bare-cache'), log: (l) => log.push(l) });
    const s = await serveSite(site, { fallback: route });
    try {
      const a = await fetch(`${s.url}_convert/linux/amd64/2.0/127.0.0.1/tool-2.0-linux-amd64.aci`);
      assert.equal(a.status, 200, await a.clone().text());
      const report = await validateAci(new Uint8Array(await a.arrayBuffer()));
      assert.equal(report.manifest?.ok && report.manifest.value.name, '127.0.0.1/tool');
      assert.match(log[0]!, /^converted tool:2\.0 linux\/amd64/);
    } finally {
      await s.close();
    }
  });

  it('needs a base URL and a layout directory (SERVE_BAD_OPTION)', async () => {
    await assert.rejects(createConvertRoute({ site: join(tmp, 'no-site'), layout, key: converter }), (e: unknown) => isAppcError(e) && e.code === 'SERVE_BAD_OPTION');
    await assert.rejects(createConvertRoute({ site, layout: join(tmp, 'nothing'), key: converter }), (e: unknown) => isAppcError(e) && e.code === 'SERVE_BAD_OPTION');
  });
});

describe('actool serve --convert over HTTPS, then actool trust and fetch', () => {
  it('S-4 trust discovers the converter key; fetch gets the converted, signed image', async () => {
    const tls = makeCertificate(tmp);
    const httpsPort = await freePort();
    const httpsSite = join(tmp, 'https-site');
    const publisher = await readSigningKey((await makeKey({ name: 'P2' })).privateKey.armor());
    await publishSite([join(tmp, 'app.aci')], httpsSite, { baseUrl: `https://127.0.0.1:${httpsPort}/`, signingKey: publisher });
    const child = spawn(
      process.execPath,
      [actoolPath, 'serve', `--listen=127.0.0.1:${httpsPort}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`, `--convert=${layout}`, '--convert-key=converter.key', '--quiet', httpsSite],
      { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exit = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        if (err.includes('serving')) resolve();
      });
      void exit.then((c) => reject(new Error(`serve exited ${c}: ${err}`)));
    });
    try {
      const env = { NODE_EXTRA_CA_CERTS: tls.certFile };
      const trust = await runActool(['trust', '--keystore=cks', '--prefix=127.0.0.1/busybox', `--port=${httpsPort}`, '--skip-fingerprint-review'], { cwd: tmp, env });
      assert.equal(trust.code, 0, trust.stderr);
      assert.match(trust.stderr, /Converter <converter@example\.com>/);
      const r = await runActool(['fetch', '--keystore=cks', `--port=${httpsPort}`, '--output=converted', '--os=linux', '--arch=amd64', '127.0.0.1/busybox:1.36'], { cwd: tmp, env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), join(tmp, 'converted', 'busybox-1.36-linux-amd64.aci'));
      assert.ok((await validateAci(readFileSync(r.stdout.trim()))).ok);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exit, 0, err);
    }
    assert.match(err, /serve: converted busybox:1\.36 linux\/amd64/);
  });
});
