#!/usr/bin/env node
// Builds fixtures/convert/: small OCI image layouts (directories and tars) and docker save archives (legacy and
// Docker 25+ OCI form), with layers made by GNU tar and gzip -n, plus hostile inputs, and expected.json (what
// each hostile input must fail with). Plain JS, independent of the library under test (its own tar writer is
// used only for entries GNU tar refuses to write). Run: node test/tools/make-oci-fixtures.mjs
// Needs GNU tar, gzip and zstd. Output is deterministic.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'fixtures', 'convert');
const work = mkdtempSync(join(tmpdir(), 'oci-fixtures-'));
const TAR_FLAGS = ['--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '--format=gnu', '--blocking-factor=1'];
const expected = {};

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const OCI_LAYER_GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

// Start clean, keeping what this script does not make.
mkdirSync(out, { recursive: true });
const KEEP = new Set(['README.md', 'config-cases.json', 'golden']); // hand-written, or written by the tests
for (const f of readdirSync(out)) if (!KEEP.has(f)) rmSync(join(out, f), { recursive: true, force: true });

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { maxBuffer: 1 << 26, ...opts });
const gzip = (b) => sh('gzip', ['-n', '-9', '-c'], { input: b });
const zstd = (b) => sh('zstd', ['-q', '-c', '-19'], { input: b });

let seq = 0;
/**
 * Makes a directory tree from a spec and tars it with GNU tar. Spec values: a string (file content), or
 * { content, mode }, { dir: true, mode }, { symlink: target }, { hardlink: other path }. `members` lists what
 * to archive, in order, without recursion (default: everything, recursively, sorted).
 */
function layer(spec, members) {
  const dir = join(work, `layer-${seq++}`);
  mkdirSync(dir);
  const links = [];
  for (const [path, v] of Object.entries(spec)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    if (typeof v === 'string') writeFileSync(full, v);
    else if (v.dir) mkdirSync(full, { recursive: true });
    else if (v.symlink !== undefined) symlinkSync(v.symlink, full);
    else if (v.hardlink !== undefined) links.push([join(dir, v.hardlink), full]);
    else writeFileSync(full, v.content ?? '');
    if (v.mode !== undefined) chmodSync(full, v.mode);
  }
  for (const [from, to] of links) linkSync(from, to);
  // Every mode fixed (umask differs between machines): 0755 directories, 0644 files, unless the spec says.
  const explicit = new Set(
    Object.entries(spec)
      .filter(([, v]) => typeof v === 'object' && v.mode !== undefined)
      .map(([k]) => join(dir, k)),
  );
  const fix = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        if (!explicit.has(p)) chmodSync(p, 0o755);
        fix(p);
      } else if (st.isFile() && !explicit.has(p) && st.nlink === 1) chmodSync(p, 0o644);
    }
  };
  fix(dir);
  const args = members ? ['--no-recursion', ...members] : readdirSync(dir).sort();
  return sh('tar', [...TAR_FLAGS, '-C', dir, '-cf', '-', ...args]);
}

/** A tar made block by block, for entries GNU tar will not write (hard links that climb out). */
function rawTar(entries) {
  const blocks = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const body = Buffer.from(e.content ?? '');
    h.write(e.name, 0, 100);
    h.write((e.mode ?? 0o644).toString(8).padStart(7, '0'), 100);
    h.write('0000000', 108);
    h.write('0000000', 116);
    h.write((e.type === '0' ? body.length : 0).toString(8).padStart(11, '0'), 124);
    h.write((1700000000).toString(8).padStart(11, '0'), 136);
    h.write('        ', 148);
    h.write(e.type, 156);
    h.write(e.linkname ?? '', 157, 100);
    h.write('ustar\x0000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h);
    if (e.type === '0' && body.length) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** An OCI image layout being written. */
class Layout {
  constructor(dir, version = '1.0.0') {
    this.dir = dir;
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: version }));
  }
  blob(bytes) {
    const b = Buffer.from(bytes);
    const hex = sha256(b);
    writeFileSync(join(this.dir, 'blobs', 'sha256', hex), b);
    return { digest: `sha256:${hex}`, size: b.length, hex };
  }
  json(obj) {
    return this.blob(JSON.stringify(obj));
  }
  /** Writes layers, config and manifest; returns the manifest descriptor. */
  image({ layers, config, mediaType = OCI_MANIFEST, configType = OCI_CONFIG, edit }) {
    const layerDescs = layers.map((l) => {
      const stored = l.compress === 'gzip' ? gzip(l.tar) : l.compress === 'zstd' ? zstd(l.tar) : l.tar;
      const d = this.blob(stored);
      return {
        mediaType: l.mediaType ?? (l.compress === 'gzip' ? OCI_LAYER_GZ : l.compress === 'zstd' ? OCI_LAYER_ZSTD : OCI_LAYER),
        digest: d.digest,
        size: d.size,
        diffId: `sha256:${sha256(l.tar)}`,
      };
    });
    const cfg = { ...config, rootfs: { type: 'layers', diff_ids: layerDescs.map((l) => l.diffId) } };
    if (edit?.config) edit.config(cfg);
    const c = this.json(cfg);
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: configType, digest: c.digest, size: c.size },
      layers: layerDescs.map(({ mediaType: mt, digest, size }) => ({ mediaType: mt, digest, size })),
    };
    if (edit?.manifest) edit.manifest(manifest);
    const m = this.json(manifest);
    return { mediaType, digest: m.digest, size: m.size, config: c, layers: layerDescs };
  }
  index(manifests, extra = {}) {
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, ...extra }));
  }
}

/** Tars a directory's contents (for layouts shipped as tars). */
function tarOf(dir, names) {
  return sh('tar', [...TAR_FLAGS, '-C', dir, '-cf', '-', ...(names ?? readdirSync(dir).sort())]);
}

const desc = (m, annotations, platform) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) });
const config = (over = {}) => ({
  created: '2024-01-02T03:04:05.123456789Z',
  author: 'Fixture Maker <fixtures@example.com>',
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'] },
  history: [{ created: '2024-01-02T03:04:05Z', created_by: 'make-oci-fixtures' }],
  ...over,
});

// ---- oci-basic: two gzip layers, whiteout, opaque directory, hard link, symlink, full config -------------
const basicLayer1 = layer({
  'bin/app': { content: '#!/bin/sh\necho hello from app\n', mode: 0o755 },
  'bin/app-link': { hardlink: 'bin/app' },
  'bin/sh': { symlink: 'app' },
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n',
  'etc/group': 'root:x:0:\napp:x:1001:\n',
  'etc/hosts': '127.0.0.1 localhost\n',
  'etc/motd': 'welcome\n',
  'usr/share/doc/readme': 'version 1\n',
  'var/cache/old-1': 'stale\n',
  'var/cache/sub/old-2': 'stale\n',
  'home/app': { dir: true, mode: 0o750 },
});
const basicLayer2 = layer({
  'etc/.wh.hosts': '',
  'var/cache/.wh..wh..opq': '',
  'var/cache/fresh': 'new cache\n',
  'usr/share/doc/readme': 'version 2\n',
  'usr/share/doc/.wh.gone': '',
  data: { dir: true, mode: 0o700 },
  'opt/tool': { content: 'tool\n', mode: 0o755 },
});
const basicConfig = config({
  config: {
    User: 'app',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', '1BAD=skipped', 'LANG=en_US.UTF-8'],
    Entrypoint: ['/bin/app'],
    Cmd: ['--serve', '--port=80'],
    WorkingDir: '/data',
    ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000-8010/tcp': {} },
    Volumes: { '/data': {}, '/var/log': {} },
    Labels: { 'org.opencontainers.image.title': 'basic', 'com.Example.Key': 'mixed case', created: 'not a date' },
    StopSignal: 'SIGTERM',
  },
});
function basicLayout(dir) {
  const l = new Layout(dir);
  const m = l.image({
    layers: [
      { tar: basicLayer1, compress: 'gzip' },
      { tar: basicLayer2, compress: 'gzip' },
    ],
    config: basicConfig,
  });
  l.index([desc(m, { 'org.opencontainers.image.ref.name': 'example.com/basic:1.0' })]);
  return m;
}
basicLayout(join(out, 'oci-basic'));
writeFileSync(join(out, 'oci-basic.tar'), tarOf(join(out, 'oci-basic')));

// ---- multiarch: an index of an index, five platforms and a build attestation; only a tag for a name -----
{
  const l = new Layout(join(out, 'multiarch'));
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
    { os: 'linux', architecture: 'arm', variant: 'v6' },
    { os: 'linux', architecture: 's390x' },
    { os: 'windows', architecture: 'amd64' },
  ];
  const entries = platforms.map((p) => {
    const name = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
    const m = l.image({ layers: [{ tar: layer({ 'etc/platform': name + '\n' }), compress: 'gzip' }], config: config({ ...p, config: { Cmd: ['/bin/true'] } }) });
    return desc(m, undefined, p);
  });
  const att = l.image({ layers: [{ tar: layer({ 'statement.json': '{}' }), mediaType: 'application/vnd.in-toto+json' }], config: config() });
  entries.push(desc(att, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': entries[0].digest }, { os: 'unknown', architecture: 'unknown' }));
  const nested = l.json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
  l.index([{ mediaType: OCI_INDEX, digest: nested.digest, size: nested.size, annotations: { 'org.opencontainers.image.ref.name': '2.0' } }]);
}

// ---- docker-legacy.tar: docker save before Docker 25 (manifest.json, repositories, <id>/layer.tar) -------
{
  const dir = join(work, 'docker-legacy');
  mkdirSync(dir);
  const l1 = layer({ 'bin/tool': { content: 'legacy tool\n', mode: 0o755 }, 'etc/config': 'a=1\n', 'etc/old': 'old\n' });
  const l2 = layer({ 'etc/.wh.old': '', 'etc/config': 'a=2\n' });
  const layers = [l1, l2, l1];
  const ids = [];
  let parent = '';
  const cfg = JSON.stringify(
    config({ config: { Entrypoint: ['/bin/tool'], User: '1000:1000', ExposedPorts: { 8080: {} } }, rootfs: { type: 'layers', diff_ids: layers.map((t) => `sha256:${sha256(t)}`) } }),
  );
  const cfgHex = sha256(cfg);
  layers.forEach((t, i) => {
    const id = sha256(`${parent} ${sha256(t)} ${i}`);
    ids.push(id);
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'VERSION'), '1.0');
    writeFileSync(join(dir, id, 'json'), JSON.stringify({ id, ...(parent ? { parent } : {}) }));
    // Docker links a layer it already wrote to the first copy.
    if (i === 2) symlinkSync(`../${ids[0]}/layer.tar`, join(dir, id, 'layer.tar'));
    else writeFileSync(join(dir, id, 'layer.tar'), t);
    parent = id;
  });
  writeFileSync(join(dir, `${cfgHex}.json`), cfg);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ['example.com/legacy:3.1'], Layers: ids.map((id) => `${id}/layer.tar`) }]));
  writeFileSync(join(dir, 'repositories'), JSON.stringify({ 'example.com/legacy': { 3.1: ids[2] } }));
  writeFileSync(join(out, 'docker-legacy.tar'), tarOf(dir));
  // The same archive with a second image in it: converting needs --image.
  const other = layer({ 'other.txt': 'other\n' });
  const ocfg = JSON.stringify(config({ rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(other)}`] } }));
  const ohex = sha256(ocfg);
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'layer.tar'), other);
  writeFileSync(join(dir, `${ohex}.json`), ocfg);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify([
      { Config: `${cfgHex}.json`, RepoTags: ['example.com/legacy:3.1'], Layers: ids.map((id) => `${id}/layer.tar`) },
      { Config: `${ohex}.json`, RepoTags: ['other:latest'], Layers: ['other/layer.tar'] },
    ]),
  );
  writeFileSync(join(out, 'docker-two-images.tar'), tarOf(dir));
}

// ---- docker-oci.tar: docker save of Docker 25+ (an OCI layout plus manifest.json), uncompressed layers ---
{
  const dir = join(work, 'docker-oci');
  const l = new Layout(dir);
  const l1 = layer({ 'app/main.sh': { content: '#!/bin/sh\necho docker oci\n', mode: 0o755 }, 'app/conf/a.conf': 'a\n', 'app/conf/b.conf': 'b\n' });
  const l2 = layer({ 'app/conf/.wh..wh..opq': '', 'app/conf/c.conf': 'c\n' });
  const m = l.image({ layers: [{ tar: l1 }, { tar: l2 }], config: config({ config: { Entrypoint: ['/app/main.sh'], WorkingDir: 'app', Volumes: { '/app/conf': {} } } }) });
  l.index([desc(m, { 'io.containerd.image.name': 'docker.io/library/dockeroci:latest', 'org.opencontainers.image.ref.name': 'latest' })]);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify([{ Config: `blobs/sha256/${m.config.hex}`, RepoTags: ['dockeroci:latest'], Layers: m.layers.map((x) => `blobs/sha256/${x.digest.slice(7)}`) }]),
  );
  writeFileSync(join(dir, 'repositories'), JSON.stringify({ dockeroci: { latest: m.config.hex } }));
  writeFileSync(join(out, 'docker-oci.tar'), tarOf(dir));
}

// ---- hostile inputs: each must fail with the code in expected.json, writing nothing ---------------------
const plain = () => layer({ 'hello.txt': 'hello\n' });
// The source for traversal and absolute names.
mkdirSync(join(work, 'evil-src'), { recursive: true });
writeFileSync(join(work, 'evil-src', 'evil'), 'evil\n');
function hostile(name, code, build) {
  const dir = join(out, 'hostile', name);
  const l = new Layout(dir, build.version);
  const m = build(l);
  if (m) l.index([desc(m, { 'org.opencontainers.image.ref.name': `example.com/${name}:1` })]);
  expected[name] = code;
}
hostile('digest-mismatch', 'CONVERT_DIGEST_MISMATCH', (l) => {
  const m = l.image({ layers: [{ tar: plain() }], config: config() });
  // Change one byte of the file body: still a readable tar, but not the blob the manifest names.
  const path = join(l.dir, 'blobs', 'sha256', m.layers[0].digest.slice(7));
  const b = readFileSync(path);
  b[512] = 'j'.charCodeAt(0);
  writeFileSync(path, b);
  return m;
});
hostile('diff-id-mismatch', 'CONVERT_DIFF_ID_MISMATCH', (l) =>
  l.image({ layers: [{ tar: plain(), compress: 'gzip' }], config: config(), edit: { config: (c) => (c.rootfs.diff_ids[0] = `sha256:${'0'.repeat(64)}`) } }),
);
hostile('missing-blob', 'CONVERT_BLOB_MISSING', (l) => {
  const m = l.image({ layers: [{ tar: plain(), compress: 'gzip' }], config: config() });
  unlinkSync(join(l.dir, 'blobs', 'sha256', m.layers[0].digest.slice(7)));
  return m;
});
hostile('size-mismatch', 'CONVERT_SIZE_MISMATCH', (l) => l.image({ layers: [{ tar: plain(), compress: 'gzip' }], config: config(), edit: { manifest: (m) => (m.layers[0].size += 1) } }));
hostile('path-traversal', 'CONVERT_PATH_TRAVERSAL', (l) => {
  const t = sh('tar', [...TAR_FLAGS, '-P', '--transform=s,^evil$,../evil,', '-C', join(work, 'evil-src'), '-cf', '-', 'evil'], { stdio: ['pipe', 'pipe', 'ignore'] });
  return l.image({ layers: [{ tar: t, compress: 'gzip' }], config: config() });
});
hostile('absolute-path', 'CONVERT_PATH_ABSOLUTE', (l) => {
  const t = sh('tar', [...TAR_FLAGS, '-P', '--transform=s,^evil$,/tmp/evil,', '-C', join(work, 'evil-src'), '-cf', '-', 'evil'], { stdio: ['pipe', 'pipe', 'ignore'] });
  return l.image({ layers: [{ tar: t, compress: 'gzip' }], config: config() });
});
hostile('whiteout-escape', 'CONVERT_WHITEOUT_ESCAPE', (l) => l.image({ layers: [{ tar: plain() }, { tar: layer({ '.wh...': '' }) }], config: config() }));
hostile('symlink-trick', 'CONVERT_PATH_THROUGH_SYMLINK', (l) =>
  // Layer 1 makes "escape" a symlink out of the root; layer 2 writes a file through it (no directory entry).
  l.image({ layers: [{ tar: layer({ escape: { symlink: '../../../../tmp' } }) }, { tar: layer({ 'escape/pwned': 'pwned\n' }, ['escape/pwned']) }], config: config() }),
);
hostile('symlink-trick-same-layer', 'CONVERT_PATH_THROUGH_SYMLINK', (l) => {
  const a = join(work, 'trick-a');
  const b = join(work, 'trick-b');
  mkdirSync(a);
  mkdirSync(join(b, 'etc'), { recursive: true });
  symlinkSync('/etc', join(a, 'etc'));
  writeFileSync(join(b, 'etc', 'cron'), 'pwned\n');
  const t = sh('tar', [...TAR_FLAGS, '--no-recursion', '-cf', '-', '-C', a, 'etc', '-C', b, 'etc/cron']);
  return l.image({ layers: [{ tar: t, compress: 'gzip' }], config: config() });
});
hostile('hardlink-escape', 'CONVERT_HARDLINK_ESCAPE', (l) =>
  l.image({
    layers: [
      {
        tar: rawTar([
          { name: 'a', type: '0', content: 'a\n' },
          { name: 'passwd', type: '1', linkname: '../../etc/passwd' },
        ]),
      },
    ],
    config: config(),
  }),
);
hostile('hardlink-dangling', 'CONVERT_HARDLINK_DANGLING', (l) =>
  // Layer 2 whites out "a" (in the lower layer) and links to it: the target is gone at that point.
  l.image({
    layers: [
      { tar: layer({ a: 'a\n' }) },
      {
        tar: rawTar([
          { name: '.wh.a', type: '0' },
          { name: 'b', type: '1', linkname: 'a' },
        ]),
      },
    ],
    config: config(),
  }),
);
hostile('unknown-media-type', 'CONVERT_UNKNOWN_MEDIA_TYPE', (l) => l.image({ layers: [{ tar: plain(), mediaType: 'application/vnd.example.unknown.layer' }], config: config() }));
hostile('artifact', 'CONVERT_UNKNOWN_MEDIA_TYPE', (l) => l.image({ layers: [{ tar: plain() }], config: config(), configType: 'application/vnd.oci.empty.v1+json' }));
hostile('zstd-layer', 'CONVERT_ZSTD_UNSUPPORTED', (l) => l.image({ layers: [{ tar: plain(), compress: 'zstd' }], config: config() }));
hostile('zstd-as-gzip', 'CONVERT_ZSTD_UNSUPPORTED', (l) => l.image({ layers: [{ tar: plain(), compress: 'zstd', mediaType: OCI_LAYER_GZ }], config: config() }));
hostile('corrupt-gzip', 'CONVERT_BAD_LAYER', (l) => {
  const gz = gzip(plain());
  const cut = gz.subarray(0, gz.length - 12);
  const d = l.blob(cut);
  const c = l.json({ ...config(), rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(plain())}`] } });
  return {
    mediaType: OCI_MANIFEST,
    ...l.json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: c.digest, size: c.size }, layers: [{ mediaType: OCI_LAYER_GZ, digest: d.digest, size: d.size }] }),
  };
});
hostile('layer-count-mismatch', 'CONVERT_LAYER_COUNT_MISMATCH', (l) =>
  l.image({ layers: [{ tar: plain() }], config: config(), edit: { config: (c) => c.rootfs.diff_ids.push(c.rootfs.diff_ids[0]) } }),
);
hostile('bad-digest', 'CONVERT_BAD_DIGEST', (l) => {
  l.index([{ mediaType: OCI_MANIFEST, digest: 'sha256:../../../../etc/passwd', size: 10 }]);
});
hostile('digest-algorithm', 'CONVERT_UNSUPPORTED_DIGEST', (l) => {
  l.index([{ mediaType: OCI_MANIFEST, digest: `md5:${'0'.repeat(32)}`, size: 10 }]);
});
const v2 = (l) => l.image({ layers: [{ tar: plain() }], config: config() });
v2.version = '2.0.0';
hostile('layout-version', 'CONVERT_BAD_LAYOUT_VERSION', v2);
hostile('blob-symlink', 'CONVERT_INPUT_SYMLINK', (l) => {
  const m = l.image({ layers: [{ tar: plain() }], config: config() });
  const path = join(l.dir, 'blobs', 'sha256', m.layers[0].digest.slice(7));
  unlinkSync(path);
  symlinkSync('/etc/hostname', path);
  return m;
});
hostile('config-not-json', 'CONVERT_BAD_JSON', (l) => {
  const d = l.blob(plain());
  const c = l.blob('{"architecture": "amd64", ');
  return {
    mediaType: OCI_MANIFEST,
    ...l.json({ schemaVersion: 2, config: { mediaType: OCI_CONFIG, digest: c.digest, size: c.size }, layers: [{ mediaType: OCI_LAYER, digest: d.digest, size: d.size }] }),
  };
});
writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
rmSync(work, { recursive: true, force: true });
console.log(`wrote ${Object.keys(expected).length} hostile inputs and the valid fixtures to ${out}`);
