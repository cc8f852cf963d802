/**
 * Reading OCI image layouts (OCI image-spec image-layout.md): `oci-layout`, `index.json`, and the indexes,
 * manifests and configs under `blobs/`, each checked against its descriptor's size and digest.
 */
import { isAppcError } from '../issues/appc-error.js';
import { convertError } from './codes.js';
import type { ImageSource, InputFile } from './blob-store.js';
import { blobPath, parseJsonBytes, readSmallFile } from './blob-store.js';
import type { Digest } from './digest.js';
import { parseDigest, verifyBytes } from './digest.js';
import type { LayerRef } from './layer-reader.js';
import { CONFIG_TYPES, INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES, SCHEMA1_TYPES, ZSTD_LAYER_TYPES } from './media-types.js';
import type { Platform } from './platform.js';

/** An OCI content descriptor (descriptor.md). */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Limits of reading a layout. */
export interface LayoutLimits {
  /** Largest JSON document (index, manifest, config), in bytes. */
  readonly maxJsonBytes: number;
  /** Deepest nesting of indexes. */
  readonly maxIndexDepth: number;
}

/** Default limits. */
export const LAYOUT_LIMITS: LayoutLimits = { maxJsonBytes: 4 << 20, maxIndexDepth: 4 };

/** Annotation holding the image's reference (OCI annotations.md). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** Annotation containerd and Docker 25+ write with the full image name. */
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

/** A JSON object, or a CONVERT_BAD_JSON error naming `where`. */
export function asObject(value: unknown, where: string, file: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw convertError('CONVERT_BAD_JSON', `${where} must be a JSON object`, { file });
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, where: string, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const obj = asObject(value, where, file);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw convertError('CONVERT_BAD_JSON', `${where}.${k} must be a string`, { file });
    out[k] = v;
  }
  return out;
}

/** Reads an OCI platform object. */
export function parsePlatform(value: unknown, where: string, file: string): Platform | undefined {
  if (value === undefined || value === null) return undefined;
  const p = asObject(value, where, file);
  const os = p['os'];
  const architecture = p['architecture'];
  const variant = p['variant'];
  if (typeof os !== 'string' || typeof architecture !== 'string') throw convertError('CONVERT_BAD_JSON', `${where} needs string "os" and "architecture"`, { file });
  if (variant !== undefined && typeof variant !== 'string') throw convertError('CONVERT_BAD_JSON', `${where}.variant must be a string`, { file });
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** Reads a descriptor: mediaType, digest and size are required. */
export function parseDescriptor(value: unknown, where: string, file: string): Descriptor {
  const d = asObject(value, where, file);
  const mediaType = d['mediaType'];
  if (typeof mediaType !== 'string') throw convertError('CONVERT_BAD_JSON', `${where}.mediaType is missing or not a string`, { file });
  const digest = parseDigest(d['digest'], `${where}.digest`);
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw convertError('CONVERT_BAD_JSON', `${where}.size must be a non-negative integer`, { file });
  const platform = parsePlatform(d['platform'], `${where}.platform`, file);
  return { mediaType, digest, size, ...(platform ? { platform } : {}), annotations: stringMap(d['annotations'], `${where}.annotations`, file) };
}

/**
 * Finds a blob and checks its size against the descriptor.
 * @throws AppcError CONVERT_BLOB_MISSING, CONVERT_SIZE_MISMATCH.
 */
export async function statBlob(source: ImageSource, digest: Digest, size: number | undefined, what: string): Promise<InputFile> {
  const name = blobPath(digest);
  const file = await source.stat(name);
  if (file === undefined) throw convertError('CONVERT_BLOB_MISSING', `${what} ${digest.text} is missing: there is no ${name} in the input`, { file: source.path, entry: name });
  if (size !== undefined && file.size !== size) {
    throw convertError('CONVERT_SIZE_MISMATCH', `${what} ${digest.text} is ${file.size} bytes, but its descriptor says ${size}`, { file: source.path, entry: name });
  }
  return file;
}

/**
 * Reads a JSON blob whole, verifying size and digest.
 * @throws AppcError CONVERT_BLOB_MISSING, CONVERT_SIZE_MISMATCH, CONVERT_DIGEST_MISMATCH, CONVERT_LIMIT_EXCEEDED, CONVERT_BAD_JSON.
 */
export async function readJsonBlob(source: ImageSource, digest: Digest, size: number | undefined, what: string, limits: LayoutLimits): Promise<{ value: unknown; bytes: Uint8Array }> {
  await statBlob(source, digest, size, what);
  const bytes = (await readSmallFile(source, blobPath(digest), limits.maxJsonBytes))!;
  verifyBytes(bytes, digest, `${what} ${blobPath(digest)}`);
  return { value: parseJsonBytes(bytes, `${what} ${digest.text}`, source.path), bytes };
}

/** One image manifest an input offers, with what is known of it before reading it. */
export interface ImageCandidate {
  /** The manifest's descriptor. */
  readonly manifest: Descriptor;
  /** From the index entry, when it says. */
  readonly platform?: Platform;
  /** Full references naming the image (`docker.io/library/busybox:1.36`). */
  readonly names: readonly string[];
  /** Bare tags naming it (an OCI ref.name such as `latest`). */
  readonly tags: readonly string[];
  /** For docker save archives: the manifest.json entry (config and layer paths). */
  readonly docker?: DockerArchiveEntry;
}

/** One entry of a docker save `manifest.json`. */
export interface DockerArchiveEntry {
  readonly config: string;
  readonly repoTags: readonly string[];
  readonly layers: readonly string[];
}

/** What a layout offers: the candidates, and the entries left out (artifacts, attestations) for messages. */
export interface CandidateList {
  readonly candidates: readonly ImageCandidate[];
  readonly skipped: readonly string[];
}

/** True when the input has an `oci-layout` file. */
export async function isOciLayout(source: ImageSource): Promise<boolean> {
  return (await source.stat('oci-layout')) !== undefined;
}

function namesOf(annotations: Readonly<Record<string, string>>): { names: string[]; tags: string[] } {
  const names: string[] = [];
  const tags: string[] = [];
  const full = annotations[CONTAINERD_NAME_ANNOTATION];
  if (full) names.push(full);
  const ref = annotations[REF_NAME_ANNOTATION];
  // A ref.name may be a whole reference or only a tag; a tag has neither "/" nor ":".
  if (ref) (/[/:@]/.test(ref) ? names : tags).push(ref);
  return { names, tags };
}

/**
 * Reads `oci-layout` and `index.json` and lists every image manifest reachable from the index (nested
 * indexes followed, each verified), with the names and platforms their entries carry.
 */
export async function listOciCandidates(source: ImageSource, limits: LayoutLimits): Promise<CandidateList> {
  const layoutBytes = await readSmallFile(source, 'oci-layout', 64 * 1024);
  if (layoutBytes === undefined) throw convertError('CONVERT_INPUT_UNKNOWN', 'the input has no oci-layout file, so it is not an OCI image layout', { file: source.path });
  const layout = asObject(parseJsonBytes(layoutBytes, 'oci-layout', source.path), 'oci-layout', source.path);
  const version = layout['imageLayoutVersion'];
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
    throw convertError('CONVERT_BAD_LAYOUT_VERSION', `oci-layout declares imageLayoutVersion ${JSON.stringify(version)}; version 1.x is supported`, { file: source.path, entry: 'oci-layout' });
  }
  const indexBytes = await readSmallFile(source, 'index.json', limits.maxJsonBytes);
  if (indexBytes === undefined) throw convertError('CONVERT_BLOB_MISSING', 'the OCI layout has no index.json', { file: source.path, entry: 'index.json' });
  const candidates: ImageCandidate[] = [];
  const skipped: string[] = [];
  const visit = async (index: unknown, where: string, depth: number, inherited: { names: string[]; tags: string[] }): Promise<void> => {
    const obj = asObject(index, where, source.path);
    const manifests = obj['manifests'];
    if (!Array.isArray(manifests)) throw convertError('CONVERT_BAD_JSON', `${where} has no "manifests" list`, { file: source.path });
    for (let i = 0; i < manifests.length; i++) {
      const d = parseDescriptor(manifests[i], `${where}.manifests[${i}]`, source.path);
      const own = namesOf(d.annotations);
      const naming = { names: [...inherited.names, ...own.names], tags: [...inherited.tags, ...own.tags] };
      if (INDEX_TYPES.has(d.mediaType)) {
        if (depth >= limits.maxIndexDepth) throw convertError('CONVERT_LIMIT_EXCEEDED', `${where}: indexes nest more than maxIndexDepth (${limits.maxIndexDepth}) deep`, { file: source.path });
        const { value } = await readJsonBlob(source, d.digest, d.size, 'index', limits);
        await visit(value, `index ${d.digest.text}`, depth + 1, naming);
      } else if (MANIFEST_TYPES.has(d.mediaType)) {
        // Build attestations (BuildKit) are manifests for the platform unknown/unknown: not images.
        if (d.annotations['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown') {
          skipped.push(`${d.digest.text} (attestation)`);
          continue;
        }
        candidates.push({ manifest: d, ...(d.platform ? { platform: d.platform } : {}), ...naming });
      } else {
        skipped.push(`${d.digest.text} (${SCHEMA1_TYPES.has(d.mediaType) ? 'Docker schema 1 manifest, which has no config' : `media type ${d.mediaType}`})`);
      }
    }
  };
  await visit(parseJsonBytes(indexBytes, 'index.json', source.path), 'index.json', 0, { names: [], tags: [] });
  return { candidates, skipped };
}

/** An image read from the input: config, layers and what names it. */
export interface ResolvedImage {
  readonly format: 'oci-layout' | 'docker-archive';
  /** Digest of the image manifest (OCI layouts only). */
  readonly manifestDigest?: string;
  /** The config document, parsed. */
  readonly config: Record<string, unknown>;
  /** `sha256:` of the config bytes: the image ID Docker shows. */
  readonly configDigest: string;
  readonly layers: readonly LayerRef[];
  readonly names: readonly string[];
  readonly tags: readonly string[];
  /** The platform the index entry declared, if any. */
  readonly indexPlatform?: Platform;
  /** The image manifest's annotations (OCI layouts only). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Reads `rootfs.diff_ids` from a config and checks the count against the layers. */
export function diffIdsOf(config: Record<string, unknown>, layerCount: number, file: string): Digest[] {
  const rootfs = config['rootfs'];
  if (rootfs === undefined || rootfs === null) {
    if (layerCount === 0) return [];
    throw convertError('CONVERT_BAD_JSON', 'the image config has no rootfs.diff_ids', { file });
  }
  const ids = asObject(rootfs, 'config rootfs', file)['diff_ids'];
  const list = ids === null || ids === undefined ? [] : ids;
  if (!Array.isArray(list)) throw convertError('CONVERT_BAD_JSON', "the image config's rootfs.diff_ids must be a list", { file });
  if (list.length !== layerCount) {
    throw convertError('CONVERT_LAYER_COUNT_MISMATCH', `the image config lists ${list.length} diff_ids but the manifest lists ${layerCount} layers`, { file });
  }
  return list.map((v, i) => parseDigest(v, `config rootfs.diff_ids[${i}]`));
}

/**
 * Reads an image manifest and its config from an OCI layout, checking media types, sizes and digests;
 * the layer blobs are found and size-checked (their digests are checked while they are read).
 */
export async function loadOciImage(source: ImageSource, candidate: ImageCandidate, limits: LayoutLimits): Promise<ResolvedImage> {
  const md = candidate.manifest;
  const { value } = await readJsonBlob(source, md.digest, md.size, 'manifest', limits);
  const where = `manifest ${md.digest.text}`;
  const m = asObject(value, where, source.path);
  if (m['schemaVersion'] !== 2) throw convertError('CONVERT_BAD_JSON', `${where}: schemaVersion is ${JSON.stringify(m['schemaVersion'])}, expected 2`, { file: source.path });
  const ownType = m['mediaType'];
  if (ownType !== undefined && ownType !== md.mediaType && !(MANIFEST_TYPES.has(String(ownType)) && MANIFEST_TYPES.has(md.mediaType))) {
    throw convertError('CONVERT_UNKNOWN_MEDIA_TYPE', `${where}: the manifest says its media type is ${JSON.stringify(ownType)}, the index says ${md.mediaType}`, { file: source.path });
  }
  const configDesc = parseDescriptor(m['config'], `${where} config`, source.path);
  if (!CONFIG_TYPES.has(configDesc.mediaType)) {
    throw convertError(
      'CONVERT_UNKNOWN_MEDIA_TYPE',
      `${where}: config media type ${configDesc.mediaType} is not an image config (${[...CONFIG_TYPES].join(' or ')}); the manifest is an artifact, not a container image`,
      { file: source.path },
    );
  }
  const rawLayers = m['layers'] ?? [];
  if (!Array.isArray(rawLayers)) throw convertError('CONVERT_BAD_JSON', `${where}: "layers" must be a list`, { file: source.path });
  const layerDescs = rawLayers.map((l, i) => parseDescriptor(l, `${where} layers[${i}]`, source.path));
  layerDescs.forEach((d, i) => {
    if (ZSTD_LAYER_TYPES.has(d.mediaType)) {
      throw convertError(
        'CONVERT_ZSTD_UNSUPPORTED',
        `layer ${i} (${d.digest.text}): zstd layers not supported (Node 20 has no zstd decoder); recompress the image with gzip, for example with skopeo copy --dest-compress-format gzip`,
        { file: source.path },
      );
    }
    if (!LAYER_TYPES.has(d.mediaType))
      throw convertError('CONVERT_UNKNOWN_MEDIA_TYPE', `layer ${i} (${d.digest.text}) has media type ${d.mediaType}, which is not a layer type this converter reads`, { file: source.path });
  });
  const { value: configValue } = await readJsonBlob(source, configDesc.digest, configDesc.size, 'config', limits);
  const config = asObject(configValue, `config ${configDesc.digest.text}`, source.path);
  const diffIds = diffIdsOf(config, layerDescs.length, source.path);
  const layers: LayerRef[] = [];
  for (let i = 0; i < layerDescs.length; i++) {
    const d = layerDescs[i]!;
    let file: InputFile;
    try {
      file = await statBlob(source, d.digest, d.size, `layer ${i}`);
    } catch (e) {
      if (isAppcError(e) && e.code === 'CONVERT_BLOB_MISSING' && /foreign|nondistributable/.test(d.mediaType)) {
        throw convertError('CONVERT_BLOB_MISSING', `${e.message} (it is a foreign, non-distributable layer: its blob is not in the image; fetch it and add it to blobs/)`, { file: source.path });
      }
      throw e;
    }
    layers.push({ index: i, file, mediaType: d.mediaType, digest: d.digest, diffId: diffIds[i]! });
  }
  return {
    format: 'oci-layout',
    manifestDigest: md.digest.text,
    config,
    configDigest: configDesc.digest.text,
    layers,
    names: candidate.names,
    tags: candidate.tags,
    ...(candidate.platform ? { indexPlatform: candidate.platform } : {}),
    annotations: stringMap(m['annotations'], `${where} annotations`, source.path),
  };
}
