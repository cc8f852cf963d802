// publishSite: the static discovery site (D-WK-1..3, D-TP-1..3, S-2), checked by running discovery against the
// files as a plain static host serves them; idempotent republishing; every bad input leaves the site as it was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discover } from '../../src/discovery/discover.js';
import { extractMetaTags } from '../../src/discovery/meta-tags.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { parseSiteBase } from '../../src/publish/base-url.js';
import { latestImages, publishSite } from '../../src/publish/publish-site.js';
import type { PublishedImage } from '../../src/publish/site-state.js';
import { MemoryKeyRing } from '../../src/signature/keystore.js';
import type { SigningKey } from '../../src/signature/sign.js';
import { readSigningKey, signAci } from '../../src/signature/sign.js';
import { verifyAci } from '../../src/signature/verify.js';
import { makeKey } from '../support/pgp.js';
import { buildImage, snapshot, staticHostFetch } from '../support/publish-fixtures.js';

const BASE = 'https://example.com/';
let tmp: string;
let key: SigningKey;
let other: SigningKey;
let app1: string;
let app2: string;
let base1: string;
let deep: string;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isAppcError(e), `expected an AppcError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

let n = 0;
const newSite = (): string => join(tmp, `site-${++n}`);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-publish-'));
  key = await readSigningKey((await makeKey({ name: 'Publisher' })).privateKey.armor());
  other = await readSigningKey((await makeKey({ name: 'Other Signer' })).privateKey.armor());
  base1 = await buildImage(tmp, 'base-1.aci', { name: 'example.com/base', labels: { version: '1.0.0', os: 'linux', arch: 'amd64' } });
  app1 = await buildImage(tmp, 'app-1.aci', {
    name: 'example.com/app',
    labels: { version: '1.0.0', os: 'linux', arch: 'amd64' },
    dependencies: [{ imageName: 'example.com/base', labels: { version: '1.0.0' } }],
  });
  app2 = await buildImage(tmp, 'app-2.aci', { name: 'example.com/app', labels: { version: '2.0.0', os: 'linux', arch: 'amd64' }, files: { 'etc/v': '2\n' } });
  deep = await buildImage(tmp, 'deep.aci', { name: 'example.com/team/tools/cli', labels: { version: '0.1.0', os: 'linux', arch: 'aarch64' } });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('publishSite writes a discovery site a static host can serve', () => {
  it('D-WK-1 D-TP-1 every prefix a client walks has a page; discovery of each image gives files that exist', async () => {
    const site = newSite();
    const report = await publishSite([app1, app2, base1, deep], site, { baseUrl: BASE, signingKey: key, now: new Date('2026-01-01T00:00:00Z') });
    assert.equal(report.prefix, 'example.com');
    assert.equal(report.template, 'https://example.com/_appc/images/{name}-{version}-{os}-{arch}.{ext}');
    assert.deepEqual([...report.pages].sort(), ['index.html', 'app/index.html', 'base/index.html', 'team/index.html', 'team/tools/index.html', 'team/tools/cli/index.html'].sort());
    assert.equal(report.added.length, 4);
    assert.deepEqual(report.keys, [key.fingerprint]);
    assert.ok(existsSync(join(site, '.nojekyll')), 'GitHub Pages would drop _appc/ without it');
    const ring = new MemoryKeyRing();
    await ring.add(readFileSync(join(site, '_appc/pubkeys.gpg')), { root: true });
    const seen: string[] = [];
    const fetch = staticHostFetch(site, BASE, seen);
    for (const [app, file] of [
      ['example.com/app:1.0.0,os=linux,arch=amd64', '_appc/images/example.com/app-1.0.0-linux-amd64'],
      ['example.com/app:2.0.0,os=linux,arch=amd64', '_appc/images/example.com/app-2.0.0-linux-amd64'],
      ['example.com/app,os=linux,arch=amd64', '_appc/images/example.com/app-latest-linux-amd64'],
      ['example.com/base:1.0.0,os=linux,arch=amd64', '_appc/images/example.com/base-1.0.0-linux-amd64'],
      ['example.com/team/tools/cli:0.1.0,os=linux,arch=aarch64', '_appc/images/example.com/team/tools/cli-0.1.0-linux-aarch64'],
    ] as const) {
      seen.length = 0;
      const found = await discover(app, { fetch });
      assert.ok(found.ok, JSON.stringify(found.issues));
      // The first URL a client asks for (NAME?ac-discovery=1) already has the page.
      assert.equal(found.attempts.filter((a) => a.outcome === 'fetched' || a.outcome === 'ok').length > 0, true);
      assert.match(seen[0]!, /\?ac-discovery=1$/);
      assert.equal(found.endpoints[0]!.aci, `${BASE}${file}.aci`);
      assert.equal(found.endpoints[0]!.asc, `${BASE}${file}.aci.asc`);
      assert.deepEqual(found.publicKeys, [`${BASE}_appc/pubkeys.gpg`]);
      const aci = readFileSync(join(site, `${file}.aci`));
      const check = await verifyAci(aci, readFileSync(join(site, `${file}.aci.asc`)), ring, { name: app.split(/[:,]/)[0]!, strict: true });
      assert.ok(check.ok, JSON.stringify(check));
    }
  });

  it('the pages carry exactly one ac-discovery and one ac-discovery-pubkeys tag for the site prefix', async () => {
    const site = newSite();
    await publishSite([app1], site, { baseUrl: 'https://example.com:8443/', signingKey: key });
    for (const page of ['index.html', 'app/index.html']) {
      const scan = extractMetaTags(readFileSync(join(site, page), 'utf8'));
      assert.deepEqual(
        scan.tags.map((t) => [t.name, t.prefix, t.uri]),
        [
          ['ac-discovery', 'example.com', 'https://example.com:8443/_appc/images/{name}-{version}-{os}-{arch}.{ext}'],
          ['ac-discovery-pubkeys', 'example.com', 'https://example.com:8443/_appc/pubkeys.gpg'],
        ],
      );
    }
  });

  it('--base-url with a path: pages only under it, names must be under host/path', async () => {
    const site = newSite();
    const sub = await buildImage(tmp, 'sub.aci', { name: 'example.com/appc/tool', labels: { version: '1', os: 'linux', arch: 'amd64' } });
    const report = await publishSite([sub], site, { baseUrl: 'https://example.com/appc', signingKey: key });
    assert.equal(report.baseUrl, 'https://example.com/appc/');
    assert.equal(report.prefix, 'example.com/appc');
    assert.deepEqual(report.pages, ['index.html', 'tool/index.html']);
    const found = await discover('example.com/appc/tool:1,os=linux,arch=amd64', { fetch: staticHostFetch(site, report.baseUrl) });
    assert.equal(found.endpoints[0]!.aci, 'https://example.com/appc/_appc/images/example.com/appc/tool-1-linux-amd64.aci');
    assert.ok(existsSync(join(site, '_appc/images/example.com/appc/tool-1-linux-amd64.aci')));
  });

  it('idempotent: publishing the same images again changes no byte; adding one keeps every old file', async () => {
    const site = newSite();
    const now = new Date('2026-02-02T00:00:00Z');
    await publishSite([app1, base1], site, { baseUrl: BASE, signingKey: key, now });
    const first = snapshot(site);
    const again = await publishSite([app1, base1], site, { signingKey: key, now: new Date() });
    assert.equal(again.added.length, 0);
    assert.equal(again.unchanged.length, 2);
    assert.deepEqual(snapshot(site), first);
    const more = await publishSite([app2], site, { signingKey: key });
    assert.deepEqual(
      more.added.map((i) => i.version),
      ['2.0.0'],
    );
    const after = snapshot(site);
    for (const [path, digest] of Object.entries(first)) {
      if (path.endsWith('.html') || path.startsWith('_appc/site.json') || path.includes('-latest-')) continue;
      assert.equal(after[path], digest, `${path} changed`);
    }
    // latest now serves 2.0.0.
    assert.equal(after['_appc/images/example.com/app-latest-linux-amd64.aci'], after['_appc/images/example.com/app-2.0.0-linux-amd64.aci']);
    assert.notEqual(first['_appc/images/example.com/app-latest-linux-amd64.aci'], after['_appc/images/example.com/app-latest-linux-amd64.aci']);
    // Files a person put on the site stay.
    writeFileSync(join(site, 'robots.txt'), 'User-agent: *\n');
    await publishSite([deep], site, { signingKey: key });
    assert.equal(readFileSync(join(site, 'robots.txt'), 'utf8'), 'User-agent: *\n');
    // No temporary trees are left next to the site.
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith(`.site-${n}.`)),
      [`.site-${n}.lock`],
    );
  });

  it('a second signer: copied signatures verify with --pubkey keys, and the key file lists both', async () => {
    const site = newSite();
    await publishSite([app1], site, { baseUrl: BASE, signingKey: key });
    const copy = join(tmp, 'copied.aci');
    writeFileSync(copy, readFileSync(base1));
    writeFileSync(`${copy}.asc`, (await signAci(readFileSync(copy), other)).signature);
    const report = await publishSite([copy], site, { publicKeys: [{ data: other.publicArmored, source: 'other.asc' }] });
    assert.deepEqual(report.keys, [key.fingerprint, other.fingerprint]);
    assert.equal(report.added[0]!.signedBy, other.fingerprint);
    assert.equal(readFileSync(join(site, '_appc/images/example.com/base-1.0.0-linux-amd64.aci.asc'), 'utf8'), readFileSync(`${copy}.asc`, 'utf8'));
  });

  it('two publishers at once: the lock makes them take turns, and both images land', async () => {
    const site = newSite();
    await publishSite([base1], site, { baseUrl: BASE, signingKey: key });
    await Promise.all([publishSite([app1], site, { signingKey: key }), publishSite([deep], site, { signingKey: key })]);
    const state = JSON.parse(readFileSync(join(site, '_appc/site.json'), 'utf8')) as { images: { name: string }[] };
    assert.deepEqual(state.images.map((i) => i.name).sort(), ['example.com/app', 'example.com/base', 'example.com/team/tools/cli']);
  });

  it('a run killed between its two renames, or with its temporary tree left: the next run recovers and cleans up', async () => {
    const site = newSite();
    await publishSite([base1], site, { baseUrl: BASE, signingKey: key });
    const name = `site-${n}`;
    renameSync(site, join(tmp, `.${name}.old-deadbeef0000`));
    mkdirSync(join(tmp, `.${name}.publish-cafe00000000`, '_appc'), { recursive: true });
    const report = await publishSite([app1], site, { signingKey: key });
    assert.deepEqual(
      report.images.map((i) => i.name),
      ['example.com/app', 'example.com/base'],
    );
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith(`.${name}.`)),
      [`.${name}.lock`],
    );
  });

  it('latestImages picks the highest SemVer, then the most recent', () => {
    const img = (version: string, published: string): PublishedImage => ({
      name: 'a.com/x',
      version,
      os: 'linux',
      arch: 'amd64',
      imageId: 'sha512-0',
      archiveDigest: 'sha512-0',
      size: 1,
      signedBy: 'f',
      published,
    });
    assert.equal(latestImages([img('1.10.0', '1'), img('1.9.0', '2'), img('1.2.0', '3')])[0]!.version, '1.10.0');
    assert.equal(latestImages([img('1.0.0', '1'), img('1.0.0-rc1', '2')])[0]!.version, '1.0.0');
    assert.equal(latestImages([img('beta', '1'), img('alpha', '2')])[0]!.version, 'alpha');
  });
});

describe('bad input leaves the site as it was', () => {
  let site: string;
  let before0: Record<string, string>;
  before(async () => {
    site = newSite();
    await publishSite([app1], site, { baseUrl: BASE, signingKey: key });
    before0 = snapshot(site);
  });
  const unchanged = (): void => assert.deepEqual(snapshot(site), before0);

  it('D-WK-1 a name outside the prefix: PUBLISH_NAME_OUTSIDE_PREFIX', async () => {
    const stranger = await buildImage(tmp, 'stranger.aci', { name: 'other.org/app' });
    await rejectsWith(publishSite([app2, stranger], site, { signingKey: key }), 'PUBLISH_NAME_OUTSIDE_PREFIX');
    unchanged();
    // A text prefix is not a path prefix: example.company is not under example.com.
    const textOnly = await buildImage(tmp, 'company.aci', { name: 'example.company/app' });
    await rejectsWith(publishSite([textOnly], site, { signingKey: key }), 'PUBLISH_NAME_OUTSIDE_PREFIX');
    unchanged();
  });

  it('same name/version/os/arch with other bytes: PUBLISH_CONFLICT, on the site and within one run', async () => {
    const changed = await buildImage(tmp, 'app-1b.aci', { name: 'example.com/app', labels: { version: '1.0.0', os: 'linux', arch: 'amd64' }, files: { 'etc/other': 'x\n' } });
    await rejectsWith(publishSite([changed], site, { signingKey: key }), 'PUBLISH_CONFLICT');
    unchanged();
    const fresh = await buildImage(tmp, 'dup-a.aci', { name: 'example.com/dup', files: { a: 'a' } });
    const fresh2 = await buildImage(tmp, 'dup-b.aci', { name: 'example.com/dup', files: { b: 'b' } });
    await rejectsWith(publishSite([fresh, fresh2], site, { signingKey: key }), 'PUBLISH_CONFLICT');
    unchanged();
  });

  it('labels: missing (PUBLISH_MISSING_LABEL), unsafe or "latest" (PUBLISH_UNSAFE_LABEL)', async () => {
    const noArch = await buildImage(tmp, 'noarch.aci', { name: 'example.com/noarch', labels: { version: '1.0.0', os: 'linux' } });
    await rejectsWith(publishSite([noArch], site, { signingKey: key }), 'PUBLISH_MISSING_LABEL');
    const slash = await buildImage(tmp, 'slash.aci', { name: 'example.com/slash', labels: { version: '../../etc', os: 'linux', arch: 'amd64' } });
    await rejectsWith(publishSite([slash], site, { signingKey: key }), 'PUBLISH_UNSAFE_LABEL');
    const latest = await buildImage(tmp, 'latest.aci', { name: 'example.com/latest', labels: { version: 'latest', os: 'linux', arch: 'amd64' } });
    await rejectsWith(publishSite([latest], site, { signingKey: key }), 'PUBLISH_UNSAFE_LABEL');
    unchanged();
  });

  it('names that cannot be site paths: PUBLISH_NAME_UNSAFE', async () => {
    for (const name of ['example.com/index.html', 'example.com/a/_appc', 'example.com/a//b']) {
      const file = await buildImage(tmp, 'unsafe.aci', { name });
      await rejectsWith(publishSite([file], site, { signingKey: key }), 'PUBLISH_NAME_UNSAFE');
    }
    unchanged();
  });

  it('not an ACI (PUBLISH_INVALID_IMAGE), a missing file (ENOENT), no signature (PUBLISH_NO_SIGNATURE)', async () => {
    const junk = join(tmp, 'junk.aci');
    writeFileSync(junk, 'not an archive');
    await rejectsWith(publishSite([junk], site, { signingKey: key }), 'PUBLISH_INVALID_IMAGE');
    await assert.rejects(publishSite([join(tmp, 'nope.aci')], site, { signingKey: key }), (e: unknown) => (e as { code?: string }).code === 'ENOENT');
    await rejectsWith(publishSite([app2], site), 'PUBLISH_NO_SIGNATURE');
    unchanged();
  });

  it('S-1 a copied signature that does not verify: PUBLISH_SIGNATURE_INVALID', async () => {
    const copy = join(tmp, 'badsig.aci');
    writeFileSync(copy, readFileSync(app2));
    writeFileSync(`${copy}.asc`, (await signAci(readFileSync(copy), other)).signature);
    await rejectsWith(publishSite([copy], site), 'PUBLISH_SIGNATURE_INVALID');
    writeFileSync(`${copy}.asc`, (await signAci(readFileSync(base1), key)).signature);
    await rejectsWith(publishSite([copy], site), 'PUBLISH_SIGNATURE_INVALID');
    unchanged();
  });

  it('base URL and site problems: PUBLISH_BAD_BASE_URL, PUBLISH_NO_BASE_URL, PUBLISH_NOT_A_SITE, PUBLISH_SITE_DAMAGED', async () => {
    await rejectsWith(publishSite([app2], site, { baseUrl: 'ftp://example.com/', signingKey: key }), 'PUBLISH_BAD_BASE_URL');
    unchanged();
    await rejectsWith(publishSite([app1], newSite(), { signingKey: key }), 'PUBLISH_NO_BASE_URL');
    const foreign = newSite();
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'photo.jpg'), 'x');
    await rejectsWith(publishSite([app1], foreign, { baseUrl: BASE, signingKey: key }), 'PUBLISH_NOT_A_SITE');
    assert.deepEqual(snapshot(foreign), { 'photo.jpg': snapshot(foreign)['photo.jpg']! });
    const damaged = newSite();
    await publishSite([app1], damaged, { baseUrl: BASE, signingKey: key });
    writeFileSync(join(damaged, '_appc/site.json'), '{"format":"other"}');
    await rejectsWith(publishSite([app2], damaged, { signingKey: key }), 'PUBLISH_SITE_DAMAGED');
    const badKeys = newSite();
    await publishSite([app1], badKeys, { baseUrl: BASE, signingKey: key });
    writeFileSync(join(badKeys, '_appc/pubkeys.gpg'), 'garbage');
    await rejectsWith(publishSite([app2], badKeys, { signingKey: key }), 'PUBLISH_SITE_DAMAGED');
  });

  it('a site whose parent cannot be written: the error is I/O and the site stays', async () => {
    const parent = join(tmp, 'locked-parent');
    mkdirSync(parent);
    const lockedSite = join(parent, 'site');
    await publishSite([app1], lockedSite, { baseUrl: BASE, signingKey: key });
    const was = snapshot(lockedSite);
    const unlock = lockDirectory(parent);
    try {
      await assert.rejects(publishSite([app2], lockedSite, { signingKey: key }), (e: unknown) => ['EACCES', 'EPERM'].includes((e as { code?: string }).code ?? ''));
    } finally {
      unlock();
    }
    assert.deepEqual(snapshot(lockedSite), was);
    assert.ok(statSync(lockedSite).isDirectory());
  });
});

/** Makes a directory unwritable, also for root (which ignores modes): chattr +i then. Returns the undo. */
function lockDirectory(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  execFileSync('chattr', ['+i', dir]);
  return () => execFileSync('chattr', ['-i', dir]);
}

describe('parseSiteBase', () => {
  const good: [string, string, string][] = [
    ['https://example.com', 'https://example.com/', 'example.com'],
    ['https://Example.COM:8443/a/b/', 'https://example.com:8443/a/b/', 'example.com/a/b'],
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/x/', '127.0.0.1/x'],
  ];
  for (const [text, url, prefix] of good) {
    it(`accepts ${text}`, () => assert.deepEqual(parseSiteBase(text), { url, prefix }));
  }
  for (const text of [
    'example.com',
    'ftp://example.com/',
    'https://u:p@example.com/',
    'https://example.com/?q',
    'https://example.com/#f',
    'https://[::1]/',
    'https://example.com/A/',
    'https://example.com/_x/',
    'https://1.2/',
    'https://0/',
    'https://a..b/',
    'https://a-.b/',
  ]) {
    it(`refuses ${text} (PUBLISH_BAD_BASE_URL)`, () =>
      assert.throws(
        () => parseSiteBase(text),
        (e: unknown) => isAppcError(e) && e.code === 'PUBLISH_BAD_BASE_URL',
      ));
  }
});
