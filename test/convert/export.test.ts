// exportOciImage: ACIs (with dependencies) to OCI layouts, OCI archives and docker load archives, checked with
// the OCI reference tools: `umoci unpack` must give the tree `render` writes, and `skopeo inspect`/`skopeo copy`
// must accept every output. Tests that need a tool are skipped, with the reason, when it is not installed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { exportOciImage, type ExportReport } from '../../src/convert/export.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { DirStore } from '../../src/render/dir-store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import { computeImageId } from '../../src/aci/read-aci.js';
import { dirTree, hasTool, writeAci } from './export-support.js';
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../../src/aci/tar/write-tar.js';

const hasUmoci = hasTool('umoci');
const hasSkopeo = hasTool('skopeo');
const work = mkdtempSync(join(tmpdir(), 'export-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;
const fresh = (name: string): string => join(work, `${seq++}-${name}`);

const APP = {
  name: 'example.com/app',
  labels: [
    { name: 'version', value: '1.0.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'aarch64' },
  ],
  app: {
    exec: ['/bin/app', '--serve'],
    user: '100',
    group: '200',
    environment: [{ name: 'A', value: 'b=c' }],
    workingDirectory: '/srv',
    ports: [{ name: 'http', protocol: 'tcp', port: 8000, count: 2 }],
    mountPoints: [{ name: 'data', path: '/data' }],
    userLabels: { 'com.example.team': 'core' },
  },
  annotations: [
    { name: 'created', value: '2020-01-02T03:04:05Z' },
    { name: 'authors', value: 'Jane' },
    { name: 'homepage', value: 'https://example.com' },
    { name: 'example.com/note', value: 'kept' },
  ],
};

const MEMBERS = [
  { dir: 'bin' },
  { file: 'bin/app', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  { dir: 'etc' },
  { file: 'etc/hello', content: 'hello\n' },
  { hardlink: 'etc/hello-again', target: 'etc/hello' },
  { symlink: 'bin/hello', target: '../etc/hello' },
  { dir: 'ro', mode: 0o555 },
  { file: 'ro/inside', content: 'x' },
  { dir: 'srv', mode: 0o700 },
] as const;

/** Unpacks an OCI layout with umoci (rootless) and returns the rootfs tree. */
function umociTree(layout: string, tag: string): [string, string][] {
  const bundle = fresh('bundle');
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle], { stdio: 'ignore' });
  return dirTree(join(bundle, 'rootfs'));
}

/** What render writes for the same image. */
async function renderTree(store: DirStore, id: string): Promise<[string, string][]> {
  const dir = fresh('rendered');
  await writeRendered(store, await renderImage(store, id), dir);
  return dirTree(dir);
}

function readJson(layout: string, digest: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)), 'utf8')) as Record<string, unknown>;
}

/** A layer's entry names, in tar order (gzip, then a minimal tar walk). */
function layerNames(layout: string, digest: string): string[] {
  const tar = gunzipSync(readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7))));
  const names: string[] = [];
  for (let o = 0; o + 512 <= tar.length; ) {
    const h = tar.subarray(o, o + 512);
    if (h.every((b) => b === 0)) break;
    const field = (a: number, n: number): string =>
      h
        .subarray(a, a + n)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12) || '0', 8);
    const prefix = field(345, 155);
    const type = field(156, 1);
    if (type !== 'x') names.push((prefix ? prefix + '/' : '') + field(0, 100));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('exportOciImage', () => {
  const single = writeAci(fresh('app.aci'), APP, MEMBERS);

  it('maps the manifest into the config, the index and the manifest annotations; digests and diff IDs are right', async () => {
    const out = fresh('app.oci');
    const r = await exportOciImage(single, { output: out });
    assert.equal(r.reference, 'example.com/app:1.0.0');
    assert.equal(r.imageId, await computeImageId(single));
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    assert.deepEqual(index.manifests[0].annotations, { 'io.containerd.image.name': 'example.com/app:1.0.0', 'org.opencontainers.image.ref.name': '1.0.0' });
    assert.deepEqual(index.manifests[0].platform, { architecture: 'arm64', os: 'linux' });
    const manifest = readJson(out, r.manifestDigest) as { config: { digest: string }; layers: { digest: string; size: number }[]; annotations: Record<string, string> };
    assert.equal(manifest.config.digest, r.configDigest);
    assert.deepEqual(manifest.annotations, {
      'org.opencontainers.image.created': '2020-01-02T03:04:05Z',
      'org.opencontainers.image.authors': 'Jane',
      'org.opencontainers.image.url': 'https://example.com',
      'org.opencontainers.image.title': 'example.com/app',
      'org.opencontainers.image.version': '1.0.0',
      'example.com/note': 'kept',
      'io.appc.image.id': r.imageId,
    });
    const config = readJson(out, r.configDigest) as { config: Record<string, unknown>; rootfs: { diff_ids: string[] }; created: string; author: string; architecture: string; os: string };
    assert.deepEqual(config.config, {
      User: '100:200',
      Env: ['A=b=c'],
      Entrypoint: ['/bin/app', '--serve'],
      WorkingDir: '/srv',
      ExposedPorts: { '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {} },
      Labels: { 'com.example.team': 'core' },
    });
    assert.equal(config.created, '2020-01-02T03:04:05Z');
    assert.equal(config.author, 'Jane');
    // The layer: its blob hashes to its digest, its tar to the diff ID.
    const blob = readFileSync(join(out, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7)));
    assert.equal('sha256:' + createHash('sha256').update(blob).digest('hex'), manifest.layers[0]!.digest);
    assert.equal(blob.length, manifest.layers[0]!.size);
    assert.equal('sha256:' + createHash('sha256').update(gunzipSync(blob)).digest('hex'), config.rootfs.diff_ids[0]);
    assert.deepEqual(r.warnings, []);
  });

  it('fields without an OCI equivalent are returned as warnings, never dropped silently', async () => {
    const aci = writeAci(
      fresh('extra.aci'),
      {
        name: 'example.com/extra',
        labels: [
          { name: 'os', value: 'linux' },
          { name: 'arch', value: 'amd64' },
          { name: 'channel', value: 'beta' },
        ],
        app: {
          exec: ['/x'],
          user: '0',
          group: '0',
          supplementaryGIDs: [5],
          eventHandlers: [{ name: 'pre-start', exec: ['/x'] }],
          isolators: [{ name: 'resource/memory', value: { limit: '1G' } }],
          ports: [{ name: 'dns', protocol: 'udp', port: 53, socketActivated: true }],
          mountPoints: [{ name: 'etc', path: '/etc', readOnly: true }],
          userAnnotations: { a: 'b' },
        },
      },
      [{ dir: 'etc' }],
    );
    const r = await exportOciImage(aci, { output: fresh('extra.oci') });
    assert.deepEqual(
      r.warnings.map((w) => `${w.code} ${w.path}`),
      [
        'EXPORT_FIELD_UNMAPPED /labels/2',
        'EXPORT_FIELD_UNMAPPED /app/ports/0/socketActivated',
        'EXPORT_FIELD_UNMAPPED /app/mountPoints/0/readOnly',
        'EXPORT_FIELD_UNMAPPED /app/eventHandlers',
        'EXPORT_FIELD_UNMAPPED /app/isolators',
        'EXPORT_FIELD_UNMAPPED /app/supplementaryGIDs',
        'EXPORT_FIELD_UNMAPPED /app/userAnnotations',
      ],
    );
    assert.equal(r.reference, 'example.com/extra:latest');
  });

  it('a platform OCI cannot take is defaulted with EXPORT_PLATFORM_DEFAULTED; a version that is no Docker tag is EXPORT_TAG_CHANGED', async () => {
    const aci = writeAci(
      fresh('odd.aci'),
      {
        name: 'example.com/odd',
        labels: [
          { name: 'version', value: '1.0.0+build.5' },
          { name: 'os', value: 'linux' },
          { name: 'arch', value: 'aarch64_be' },
        ],
      },
      [],
    );
    const r = await exportOciImage(aci, { output: fresh('odd.oci'), defaultPlatform: { os: 'linux', architecture: 'riscv64' } });
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['EXPORT_PLATFORM_DEFAULTED', 'EXPORT_TAG_CHANGED'],
    );
    assert.equal(r.reference, 'example.com/odd:1.0.0_build.5');
    assert.deepEqual(r.platform, { os: 'linux', architecture: 'riscv64' });
  });

  it('a path-form user or group becomes the uid and gid of that file', async () => {
    const aci = writeAci(
      fresh('pathuser.aci'),
      {
        name: 'example.com/pu',
        labels: [
          { name: 'os', value: 'linux' },
          { name: 'arch', value: 'amd64' },
        ],
        app: { exec: ['/x'], user: '/etc/owner', group: '/etc/missing' },
      },
      [{ dir: 'etc' }, { file: 'etc/owner', content: '' }],
    );
    const r = await exportOciImage(aci, { output: fresh('pu.oci') });
    const config = readJson(r.output, r.configDigest) as { config: { User: string } };
    assert.equal(config.config.User, '0:/etc/missing');
    assert.deepEqual(
      r.warnings.map((w) => `${w.code} ${w.path}`),
      ['EXPORT_FIELD_UNMAPPED /app/group'],
    );
  });

  it('umoci unpack gives the tree render writes (content, modes, symlinks, hard links)', { skip: !hasUmoci && 'umoci is not installed (apt-get install umoci)' }, async () => {
    const out = fresh('umoci.oci');
    await exportOciImage(single, { output: out });
    const store = new DirStore(fresh('store'));
    const { id } = await store.add(single);
    assert.deepEqual(umociTree(out, '1.0.0'), await renderTree(store, id));
  });

  it('as root, umoci unpack keeps the owners render restores', { skip: (process.getuid?.() !== 0 || !hasUmoci) && 'needs root and umoci' }, async () => {
    const h = (name: string, type: 'file' | 'directory' | 'symlink', uid: number, gid: number, body = ''): Uint8Array[] => {
      const data = Buffer.from(body);
      return [
        encodeTarHeader({
          name,
          type,
          mode: type === 'directory' ? 0o750 : 0o640,
          uid,
          gid,
          mtime: 1,
          ...(type === 'file' ? { size: data.length } : {}),
          ...(type === 'symlink' ? { linkname: 'f' } : {}),
        }),
        data,
        new Uint8Array(padding(data.length)),
      ];
    };
    const manifest = JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/owners' });
    const file = fresh('owners.aci');
    writeFileSync(
      file,
      Buffer.concat([
        ...h('manifest', 'file', 0, 0, manifest),
        ...h('rootfs', 'directory', 0, 0),
        ...h('rootfs/home', 'directory', 1000, 1000),
        ...h('rootfs/home/f', 'file', 1000, 100, 'x'),
        ...h('rootfs/home/l', 'symlink', 33, 33),
        END_OF_ARCHIVE,
      ]),
    );
    const out = fresh('owners.oci');
    await exportOciImage(file, { output: out });
    const bundle = fresh('owners-bundle');
    execFileSync('umoci', ['unpack', '--image', `${out}:latest`, bundle], { stdio: 'ignore' });
    const store = new DirStore(fresh('owners-store'));
    const { id } = await store.add(file);
    const dir = fresh('owners-rendered');
    await writeRendered(store, await renderImage(store, id), dir, { preserveOwners: true });
    const tree = dirTree(join(bundle, 'rootfs'), { owners: true });
    assert.deepEqual(tree, dirTree(dir, { owners: true }));
    assert.deepEqual(
      tree.find(([p]) => p === 'home/f'),
      ['home/f', 'f 0640 1000:100 2d711642b726b044'],
    );
  });

  it('skopeo inspects and copies every format; docker-archive goes through skopeo copy docker-archive:', { skip: !hasSkopeo && 'skopeo is not installed (apt-get install skopeo)' }, async () => {
    for (const format of ['oci', 'oci-archive', 'docker-archive'] as const) {
      const out = fresh(`skopeo-${format}`);
      const r = await exportOciImage(single, { output: out, format });
      const ref = format === 'oci' ? `oci:${out}:1.0.0` : `${format}:${out}`;
      const info = JSON.parse(execFileSync('skopeo', ['inspect', ref], { encoding: 'utf8' })) as { Architecture: string; Env: string[]; Labels: Record<string, string>; Layers: string[] };
      assert.equal(info.Architecture, 'arm64', format);
      assert.deepEqual(info.Env, ['A=b=c'], format);
      assert.deepEqual(info.Labels, { 'com.example.team': 'core' }, format);
      assert.equal(info.Layers.length, 1);
      if (format !== 'docker-archive') assert.equal(info.Layers[0], r.layers[0]!.digest);
      const copied = fresh('copied');
      execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', ref, `docker-archive:${copied}:example.com/app:1.0.0`]);
      execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${copied}`, `oci:${fresh('back')}:x`]);
    }
  });

  describe('with dependencies', () => {
    const storeDir = fresh('deps-store');
    const store = new DirStore(storeDir);
    const base = writeAci(
      fresh('base.aci'),
      {
        name: 'example.com/base',
        labels: [
          { name: 'os', value: 'linux' },
          { name: 'arch', value: 'amd64' },
        ],
      },
      [
        { dir: 'etc', mode: 0o750 },
        { file: 'etc/os-release', content: 'base' },
        { file: 'etc/removed', content: 'gone' },
        { dir: 'usr' },
        { dir: 'usr/lib' },
        { file: 'usr/lib/libc', content: 'libc' },
        { file: 'usr/lib/unused', content: 'unused' },
        { file: 'replaced', content: 'base version' },
        { dir: 'var' },
      ],
    );
    let baseId = '';
    const appFile = fresh('top.aci');
    const ready = (async () => {
      baseId = (await store.add(base)).id;
      writeAci(
        appFile,
        {
          name: 'example.com/top',
          labels: [
            { name: 'version', value: '2' },
            { name: 'os', value: 'linux' },
            { name: 'arch', value: 'amd64' },
          ],
          app: { exec: ['/bin/top'], user: '0', group: '0' },
          dependencies: [{ imageName: 'example.com/base', imageID: baseId }],
          pathWhitelist: ['/etc', '/etc/os-release', '/usr/lib/libc', '/replaced', '/bin/top', '/new/deep/file'],
        },
        [{ dir: 'bin' }, { file: 'bin/top', content: 'top' }, { file: 'replaced', content: 'top version' }, { file: 'new/deep/file', content: 'deep' }],
      );
    })();

    it('squashed: one layer with the rendered tree (umoci agrees with render)', { skip: !hasUmoci && 'umoci is not installed (apt-get install umoci)' }, async () => {
      await ready;
      const out = fresh('squashed.oci');
      const r = await exportOciImage(appFile, { output: out, store });
      assert.equal(r.layers.length, 1);
      const { id } = await store.add(appFile);
      assert.deepEqual(umociTree(out, '2'), await renderTree(store, id));
    });

    it('R-SE-4 R-SE-5 --layered: one layer per image, lowest first, the whitelist as whiteouts (umoci agrees with render)', {
      skip: !hasUmoci && 'umoci is not installed (apt-get install umoci)',
    }, async () => {
      await ready;
      const out = fresh('layered.oci');
      const r = await exportOciImage(appFile, { output: out, store, layered: true });
      assert.deepEqual(
        r.layers.map((l) => l.image?.name),
        ['example.com/base', 'example.com/top'],
      );
      assert.equal(r.layers[0]!.image!.id, baseId);
      const names = layerNames(out, r.layers[1]!.digest);
      assert.deepEqual(names.filter((n) => n.includes('.wh.')).sort(), ['.wh.var', 'etc/.wh.removed', 'usr/lib/.wh.unused']);
      assert.ok(names.includes('usr'), 'a lower directory kept only for what is below it is written as a plain directory');
      const { id } = await store.add(appFile);
      assert.deepEqual(umociTree(out, '2'), await renderTree(store, id));
    });

    it('A-PW-2 a climbing whitelist entry (/../etc/os-release) is read as the absolute path it is (docs/compatibility.md; Go matches nothing)', async () => {
      await ready;
      const top = writeAci(fresh('climb.aci'), { name: 'example.com/climb', dependencies: [{ imageName: 'example.com/base', imageID: baseId }], pathWhitelist: ['/../etc/os-release'] }, []);
      const out = fresh('climb.oci');
      const r = await exportOciImage(top, { output: out, store, layered: true });
      const names = layerNames(out, r.layers[1]!.digest);
      assert.ok(!names.includes('etc/.wh.os-release'), names.join(' '));
      assert.ok(names.includes('etc/.wh.removed'), names.join(' '));
    });

    it('the base layer of a layered export is the same blob whatever depends on it', async () => {
      await ready;
      const a = await exportOciImage(appFile, { output: fresh('l1.oci'), store, layered: true });
      const b = await exportOciImage(base, { output: fresh('l2.oci'), store, layered: true });
      assert.equal(a.layers[0]!.digest, b.layers[0]!.digest);
    });

    it('a missing dependency is refused before anything is written', async () => {
      await ready;
      const parent = fresh('nothing');
      mkdirSync(parent);
      await assert.rejects(
        exportOciImage(appFile, { output: join(parent, 'out.oci'), store: new DirStore(fresh('empty-store')) }),
        (e: unknown) => isAppcError(e) && e.code === 'RENDER_DEPENDENCY_NOT_FOUND',
      );
      assert.deepEqual(readdirSync(parent), []);
    });

    it('a dependency reached twice with different whitelists cannot be layered exactly: EXPORT_LAYERED_INEXACT', async () => {
      await ready;
      const s = new DirStore(fresh('diamond-store'));
      const d = await s.add(
        writeAci(fresh('d.aci'), { name: 'example.com/d' }, [
          { file: 'x', content: 'x' },
          { file: 'y', content: 'y' },
        ]),
      );
      const dep = { imageName: 'example.com/d', imageID: d.id };
      const b = await s.add(writeAci(fresh('b.aci'), { name: 'example.com/b', dependencies: [dep] }, []));
      const c = await s.add(writeAci(fresh('c.aci'), { name: 'example.com/c', dependencies: [dep], pathWhitelist: ['/y'] }, []));
      const top = writeAci(
        fresh('a.aci'),
        {
          name: 'example.com/a',
          dependencies: [
            { imageName: 'example.com/b', imageID: b.id },
            { imageName: 'example.com/c', imageID: c.id },
          ],
        },
        [],
      );
      const parent = fresh('inexact');
      mkdirSync(parent);
      await assert.rejects(
        exportOciImage(top, { output: join(parent, 'out'), store: s, layered: true }),
        (e: unknown) => isAppcError(e) && e.code === 'EXPORT_LAYERED_INEXACT' && /rootfs\/x|\/x/.test(e.message),
      );
      assert.deepEqual(readdirSync(parent), []);
      // Squashed, the same image exports.
      await exportOciImage(top, { output: join(parent, 'ok'), store: s });
    });

    it('an interrupted export (abort after the first layer) leaves nothing behind', async () => {
      await ready;
      const parent = fresh('abort');
      mkdirSync(parent);
      const controller = new AbortController();
      await assert.rejects(
        exportOciImage(appFile, { output: join(parent, 'out.tar'), format: 'oci-archive', store, layered: true, signal: controller.signal, onProgress: () => controller.abort(new Error('stop')) }),
        /stop/,
      );
      assert.deepEqual(readdirSync(parent), []);
    });
  });

  it('an invalid ACI is refused before anything is written: EXPORT_INVALID_IMAGE', async () => {
    const parent = fresh('invalid');
    mkdirSync(parent);
    const bad = join(parent, 'bad.aci');
    writeAci(bad, { name: 'Not A Name' }, []);
    await assert.rejects(exportOciImage(bad, { output: join(parent, 'out') }), (e: unknown) => isAppcError(e) && e.code === 'EXPORT_INVALID_IMAGE');
    assert.deepEqual(readdirSync(parent), ['bad.aci']);
  });

  it('an existing output is refused unless overwrite; overwrite replaces only a layout, an empty directory or a file', async () => {
    const out = fresh('exists.oci');
    await exportOciImage(single, { output: out });
    await assert.rejects(exportOciImage(single, { output: out }), (e: unknown) => isAppcError(e) && e.code === 'ACI_OUTPUT_EXISTS');
    await exportOciImage(single, { output: out, overwrite: true });
    const foreign = fresh('foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'precious'), 'x');
    await assert.rejects(exportOciImage(single, { output: foreign, overwrite: true }), (e: unknown) => isAppcError(e) && e.code === 'EXPORT_OUTPUT_NOT_LAYOUT');
    assert.ok(existsSync(join(foreign, 'precious')));
    const file = fresh('file.tar');
    writeFileSync(file, 'old');
    await exportOciImage(single, { output: file, format: 'docker-archive', overwrite: true });
    assert.notEqual(readFileSync(file, 'latin1'), 'old');
  });

  it('bad options: an unknown format or a tag Docker cannot take is EXPORT_BAD_OPTION', async () => {
    await assert.rejects(exportOciImage(single, { output: fresh('x'), format: 'zip' as never }), (e: unknown) => isAppcError(e) && e.code === 'EXPORT_BAD_OPTION');
    await assert.rejects(exportOciImage(single, { output: fresh('x'), tag: 'Upper/Case:1' }), (e: unknown) => isAppcError(e) && e.code === 'EXPORT_BAD_OPTION');
    await assert.rejects(exportOciImage(single, { output: fresh('x'), tag: 'ok/name:bad+tag' }), (e: unknown) => isAppcError(e) && e.code === 'EXPORT_BAD_OPTION');
    const r = await exportOciImage(single, { output: fresh('tagged'), tag: 'registry.example.com:5000/team/app:v1' });
    assert.equal(r.reference, 'registry.example.com:5000/team/app:v1');
  });

  it('--reproducible: equal trees with different times give equal digests; the same input always gives the same bytes', async () => {
    const a = writeAci(
      fresh('t1.aci'),
      APP,
      MEMBERS.map((m) => ({ ...m, mtime: 1 })),
    );
    const b = writeAci(
      fresh('t2.aci'),
      APP,
      MEMBERS.map((m) => ({ ...m, mtime: 999_999 })),
    );
    const ra = await exportOciImage(a, { output: fresh('r1'), reproducible: true });
    const rb = await exportOciImage(b, { output: fresh('r2'), reproducible: true });
    assert.deepEqual(ra.layers, rb.layers);
    const plain1 = await exportOciImage(a, { output: fresh('p1') });
    const plain2 = await exportOciImage(a, { output: fresh('p2') });
    assert.equal(plain1.manifestDigest, plain2.manifestDigest);
    assert.notDeepEqual(plain1.layers, (await exportOciImage(b, { output: fresh('p3') })).layers);
  });

  it('an entry type an OCI layer cannot carry is EXPORT_UNSUPPORTED_ENTRY', async () => {
    const file = fresh('unknown-type.aci');
    writeAci(file, { name: 'example.com/sparse' }, [{ file: 's', content: 'abc' }]);
    // Turn the file entry into one of an unknown type ('Z': validate only warns, ACI_UNUSUAL_TYPE), fixing the checksum.
    const bytes = readFileSync(file);
    const at = bytes.indexOf('rootfs/s\0');
    bytes[at + 156] = 'Z'.charCodeAt(0);
    bytes.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += bytes[at + i]!;
    bytes.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'latin1');
    writeFileSync(file, bytes);
    await assert.rejects(exportOciImage(file, { output: fresh('unknown-type.oci') }), (e: unknown) => {
      assert.ok(isAppcError(e));
      assert.equal(e.code, 'EXPORT_UNSUPPORTED_ENTRY', e.message);
      return true;
    });
  });
});

export type { ExportReport };
