/** Writes small OCI image layouts into a directory for tests (layers from makeTar or raw bytes). */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TarSpec } from './make-tar.js';
import { makeTar } from './make-tar.js';

/** One layer: tar members (or raw tar bytes), optionally gzip-compressed. */
export interface TestLayer {
  readonly members?: readonly TarSpec[];
  readonly tar?: Uint8Array;
  readonly gzip?: boolean;
  /** Compresses the tar some other way (the diff_id stays the tar's digest). */
  readonly encode?: (tar: Uint8Array) => Uint8Array;
  readonly mediaType?: string;
}

/** What to write. */
export interface TestImage {
  readonly layers: readonly TestLayer[];
  readonly config?: Record<string, unknown>;
  readonly ref?: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Writes an OCI layout with one image at `dir`; returns the manifest digest. */
export function writeOciLayout(dir: string, image: TestImage): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const blob = (bytes: Uint8Array): { digest: string; size: number } => {
    const hex = sha256(bytes);
    writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const layers = image.layers.map((l) => {
    const tar = l.tar ?? makeTar(l.members ?? []);
    const stored = l.encode ? l.encode(tar) : l.gzip ? gzipSync(tar) : tar;
    return { ...blob(stored), mediaType: l.mediaType ?? (l.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar'), diffId: `sha256:${sha256(tar)}` };
  });
  const config = { architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, ...image.config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const c = blob(new TextEncoder().encode(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...c },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  const m = blob(new TextEncoder().encode(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': image.ref ?? 'example.com/test:1' } }],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return m.digest;
}
