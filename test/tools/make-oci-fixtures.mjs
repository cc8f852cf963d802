#!/usr/bin/env node
// Builds the OCI image layouts and `docker save` archives under fixtures/convert/ with GNU tar and gzip
// (run: node test/tools/make-oci-fixtures.mjs). Small, deterministic (fixed mtimes, sorted names, gzip -n).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'fixtures', 'convert');
const work = mkdtempSync(join(tmpdir(), 'oci-fixtures-'));
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const TAR = ['--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'];

/** Makes a layer tar from a tree description: { 'path': 'content' | null (dir) | { symlink } }. */
function layerTar(name, tree, extraArgs = [], members = ['.']) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [p, v] of Object.entries(tree)) {
    const abs = join(dir, p);
    if (v === null) mkdirSync(abs, { recursive: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      if (typeof v === 'object' && 'hardlink' in v) linkSync(join(dir, v.hardlink), abs);
      else if (typeof v === 'object' && 'sparse' in v) execFileSync('truncate', ['-s', String(v.sparse), abs]);
      else if (typeof v === 'object') symlinkSync(v.symlink, abs);
      else writeFileSync(abs, v);
    }
  }
  const file = join(work, `${name}.tar`);
  const base = extraArgs.includes('--format=gnu') ? TAR.filter((a) => !a.startsWith('--format') && !a.startsWith('--pax-option')) : TAR;
  execFileSync('tar', ['-cf', file, ...base, ...extraArgs, '-C', dir, ...members]);
  return readFileSync(file);
}

const gzip = (b) => execFileSync('gzip', ['-n', '-9', '-c'], { input: b });

/** Writes an OCI layout: blobs, index.json, oci-layout. Returns the manifest digest. */
function ociLayout(dir, { layers, config, refName, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip', tamper }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (bytes) => {
    const d = sha256(bytes);
    writeFileSync(join(dir, 'blobs', 'sha256', d), bytes);
    return { digest: `sha256:${d}`, size: bytes.length };
  };
  const diffIds = layers.map((l) => `sha256:${sha256(l)}`);
  const layerDescs = layers.map((l) => ({ mediaType, ...put(mediaType.endsWith('gzip') ? gzip(l) : l) }));
  const cfg = Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(cfg) }, layers: layerDescs }));
  const m = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': refName } }] }));
  if (tamper) tamper(dir, layerDescs);
  return { manifest: m, put };
}

const config = {
  created: '2024-01-02T03:04:05.123456789Z',
  architecture: 'amd64',
  os: 'linux',
  config: {
    User: '1000:100',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'GREETING=hello world'],
    Entrypoint: ['/bin/app'],
    Cmd: ['--serve', '--port=8080'],
    WorkingDir: '/srv',
    ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
    Volumes: { '/data': {}, '/var/log/app': {} },
    Labels: { 'org.opencontainers.image.title': 'Example App', Maintainer: 'Ops <ops@example.com>' },
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const base = layerTar('base', { 'bin/app': '#!/bin/sh\necho app\n', 'etc/hosts': '127.0.0.1 localhost\n', 'etc/remove-me': 'gone soon\n', 'opaque/old1': 'old\n', 'opaque/sub/old2': 'old\n', 'srv/': null, 'lib/real': 'lib\n', 'lib/alias': { symlink: 'real' } });
const top = layerTar('top', { 'etc/hosts': '127.0.0.1 localhost app\n', 'etc/.wh.remove-me': '', 'opaque/.wh..wh..opq': '', 'opaque/new': 'new\n', 'srv/index.html': '<h1>hi</h1>\n' });

// 1. A two-layer OCI layout with whiteouts, as a directory and as a tar.
ociLayout(join(out, 'oci-app'), { layers: [base, top], config, refName: 'example.com/app:1.2.3' });
execFileSync('tar', ['-cf', join(out, 'oci-app.tar'), ...TAR, '-C', join(out, 'oci-app'), '.']);

// 2. A multi-platform index (amd64 and arm64/v8) with only a tag as ref name.
{
  const dir = join(out, 'multi-arch');
  const { put } = ociLayout(dir, { layers: [base], config, refName: 'x' });
  const one = (arch, variant, marker) => {
    const l = layerTar(`ma-${arch}`, { 'arch.txt': marker });
    const cfg = put(Buffer.from(JSON.stringify({ ...config, architecture: arch, ...(variant ? { variant } : {}), rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(l)}`] } })));
    const m = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzip(l)) }] })));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, platform: { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) } };
  };
  const nested = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [one('amd64', undefined, 'amd64\n'), one('arm64', 'v8', 'arm64\n'), { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(Buffer.from('{"schemaVersion":2,"layers":[]}')), platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }] })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...nested, annotations: { 'io.containerd.image.name': 'registry.example.com:5000/team/multi:2.0', 'org.opencontainers.image.ref.name': '2.0' } }] }));
}

// 3. A legacy `docker save` archive: manifest.json, <config hex>.json, <id>/layer.tar, repositories.
{
  const dir = join(work, 'docker-legacy');
  mkdirSync(dir, { recursive: true });
  const cfg = Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(base)}`, `sha256:${sha256(top)}`] } }));
  const cfgName = `${sha256(cfg)}.json`;
  writeFileSync(join(dir, cfgName), cfg);
  const layerPaths = [base, top].map((l, i) => {
    const id = sha256(Buffer.from(`layer${i}`));
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'layer.tar'), l);
    writeFileSync(join(dir, id, 'VERSION'), '1.0');
    return `${id}/layer.tar`;
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: cfgName, RepoTags: ['busybox-like:1.36'], Layers: layerPaths }]));
  writeFileSync(join(dir, 'repositories'), JSON.stringify({ 'busybox-like': { '1.36': layerPaths[1].split('/')[0] } }));
  execFileSync('tar', ['-cf', join(out, 'docker-legacy.tar'), ...TAR, '-C', dir, '.']);
}

// 4. Hostile and broken inputs, each a small OCI layout directory.
const bad = (name, opts) => ociLayout(join(out, 'bad', name), { config, refName: `example.com/${name}:1`, ...opts });
bad('digest-mismatch', { layers: [base], tamper: (dir, descs) => { const p = join(dir, 'blobs', 'sha256', descs[0].digest.slice(7)); const b = readFileSync(p); b[b.length - 1] ^= 1; writeFileSync(p, b); } });
bad('missing-blob', { layers: [base], tamper: (dir, descs) => rmSync(join(dir, 'blobs', 'sha256', descs[0].digest.slice(7))) });
bad('dotdot-path', { layers: [layerTar('dotdot', { 'x/evil': 'x\n' }, ['--transform=s,^\\./x,../x,'])] });
bad('absolute-path', { layers: [layerTar('abs', { 'etc/evil': 'x\n' }, ['-P', '--transform=s,^\\./etc,/etc,'])] });
bad('escaping-whiteout', { layers: [base, layerTar('escwh', { 'etc/.wh.x': '' }, ['--transform=s,\\.wh\\.x,.wh...,'])] });
// The second layer writes etc/passwd without an etc directory entry, so it would land in the symlink's target.
bad('symlink-trick', { layers: [layerTar('sl1', { etc: { symlink: '/tmp' } }), layerTar('sl2', { 'etc/passwd': 'root::0:0::/:/bin/sh\n' }, [], ['etc/passwd'])] });
bad('unknown-media-type', { layers: [base], mediaType: 'application/vnd.example.layer.v1.tar+lz4' });
bad('zstd-layer', { layers: [base], mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' });

bad('hardlink-deleted', { layers: [layerTar('hl1', { 'bin/tool': 'tool\n', 'bin/alias': { hardlink: 'bin/tool' } }), layerTar('hl2', { 'bin/.wh.alias': '' })] });
bad('bad-json', { layers: [base], tamper: (dir) => writeFileSync(join(dir, 'index.json'), '{"manifests": [') });
bad('invalid-env', { layers: [base], config: { ...config, config: { ...config.config, Env: ['1BAD=x'] } } });
{
  // Two images for the same (unspecified) platform: nothing says which one to convert.
  const dir = join(out, 'bad', 'two-images');
  const { put } = bad('two-images', { layers: [base] });
  const l = layerTar('second', { 'second.txt': '2\n' });
  const cfg = put(Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(l)}`] } })));
  const m = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzip(l)) }] })));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': 'example.com/other:1' } });
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}
// (GNU tar stores the first name in sorted order, bin/alias, as the file and bin/tool as a link to it.)
// A GNU sparse file: converted without it, with a warning.
ociLayout(join(out, 'sparse'), { layers: [layerTar('sparse', { 'data/hole': { sparse: 1048576 }, 'data/note': 'ok\n' }, ['--sparse', '--format=gnu'])], config, refName: 'example.com/sparse:1' });

chmodSync(out, 0o755);
rmSync(work, { recursive: true, force: true });
console.log(`wrote fixtures under ${out}`);
