/** Finding the image to convert in an input: walking OCI indexes (multi-platform too) or Docker's manifest.json. */
import { join, basename } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { Descriptor, ImageInput, Platform } from './input.js';
import { checkDigest, toDescriptor } from './input.js';
import { readFile } from 'node:fs/promises';

/** OCI and Docker media types this converter understands. */
export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const LAYER_TYPES: Readonly<Record<string, 'tar' | 'gzip' | 'zstd'>> = {
  'application/vnd.oci.image.layer.v1.tar': 'tar',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

/** One layer to apply: a file in the input and the digest its bytes must have. */
export interface LayerRef {
  readonly path: string;
  /** Digest of the bytes as stored (OCI), or of the uncompressed tar (Docker legacy diff ID). */
  readonly digest: string;
  readonly what: string;
}

/** The image chosen for conversion. */
export interface SelectedImage {
  readonly config: Record<string, unknown>;
  readonly layers: readonly LayerRef[];
  /** Tags or references that name the image (`docker.io/library/busybox:1.36`, `busybox:latest`, ...). */
  readonly refs: readonly string[];
  readonly platform: Platform | undefined;
}

/** Which platform to pick from a multi-platform index (OCI/Go names: linux, arm64, v8). */
export interface PlatformWanted {
  readonly os?: string;
  readonly arch?: string;
  readonly variant?: string;
}

interface Candidate {
  readonly descriptor: Descriptor;
  readonly platform: Platform | undefined;
  readonly refs: readonly string[];
}

const describePlatform = (p: Platform | undefined): string => (p === undefined ? 'unknown platform' : `${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}`);

function refsOf(d: Descriptor, inherited: readonly string[]): string[] {
  const a = d.annotations ?? {};
  const refs = [a['io.containerd.image.name'], a['org.opencontainers.image.ref.name']].filter((x): x is string => typeof x === 'string' && x !== '');
  return [...refs, ...inherited];
}

async function collect(input: ImageInput, list: unknown, what: string, inherited: readonly string[], out: Candidate[], depth: number): Promise<void> {
  if (!Array.isArray(list)) throw new AppcError('CONVERT_BAD_JSON', `${what} has no "manifests" list`);
  if (depth > 4) throw new AppcError('CONVERT_BAD_JSON', `${what}: indexes nested too deeply`);
  for (const [i, raw] of list.entries()) {
    const d = toDescriptor(raw, `${what} manifests[${i}]`);
    const refs = refsOf(d, inherited);
    if (d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerList) {
      const nested = (await input.readJsonBlob(d, 'index')) as Record<string, unknown>;
      await collect(input, nested['manifests'], `index ${d.digest}`, refs, out, depth + 1);
    } else if (d.mediaType === MEDIA.ociManifest || d.mediaType === MEDIA.dockerManifest) {
      // Build attestations are stored as manifests for the platform "unknown/unknown": not images.
      if (d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
      out.push({ descriptor: d, platform: d.platform, refs });
    } else {
      throw new AppcError('CONVERT_UNSUPPORTED_MEDIA_TYPE', `${what} manifests[${i}] has media type ${JSON.stringify(d.mediaType)}, which is not an image index or manifest`);
    }
  }
}

function matches(p: Platform | undefined, want: Required<Pick<PlatformWanted, 'os' | 'arch'>> & PlatformWanted): boolean {
  if (p === undefined) return true;
  return p.os === want.os && p.architecture === want.arch && (want.variant === undefined || p.variant === undefined || p.variant === want.variant);
}

async function fromOciLayout(input: ImageInput, want: Required<Pick<PlatformWanted, 'os' | 'arch'>> & PlatformWanted, explicit: boolean): Promise<SelectedImage> {
  const index = (await input.readJsonFile('index.json', 'the image index')) as Record<string, unknown>;
  const candidates: Candidate[] = [];
  await collect(input, index?.['manifests'], 'index.json', [], candidates, 0);
  if (candidates.length === 0) throw new AppcError('CONVERT_AMBIGUOUS_IMAGE', 'index.json lists no image');
  let chosen = candidates.length === 1 && !explicit ? candidates : candidates.filter((c) => matches(c.platform, want));
  if (chosen.length === 0) {
    const choices = [...new Set(candidates.map((c) => describePlatform(c.platform)))].join(', ');
    throw new AppcError('CONVERT_NO_MATCHING_PLATFORM', `no image for ${want.os}/${want.arch}${want.variant ? '/' + want.variant : ''}; the input has: ${choices} (use --os, --arch, --variant)`);
  }
  const digests = new Set(chosen.map((c) => c.descriptor.digest));
  if (digests.size > 1) {
    // Prefer an exact variant match before giving up.
    const exact = chosen.filter((c) => c.platform?.variant === want.variant);
    if (new Set(exact.map((c) => c.descriptor.digest)).size === 1) chosen = exact;
    else throw new AppcError('CONVERT_AMBIGUOUS_IMAGE', `the input holds ${digests.size} images for this platform: ${chosen.map((c) => c.refs[0] ?? c.descriptor.digest).join(', ')}`);
  }
  const candidate = chosen[0]!;
  const manifest = (await input.readJsonBlob(candidate.descriptor, 'image manifest')) as Record<string, unknown>;
  const config = toDescriptor(manifest?.['config'], `image manifest ${candidate.descriptor.digest} config`);
  const layersRaw = manifest['layers'];
  if (!Array.isArray(layersRaw)) throw new AppcError('CONVERT_BAD_JSON', `image manifest ${candidate.descriptor.digest} has no "layers" list`);
  const layers = layersRaw.map((raw, i) => {
    const d = toDescriptor(raw, `layer ${i}`);
    const kind = LAYER_TYPES[d.mediaType];
    if (kind === undefined) throw new AppcError('CONVERT_UNSUPPORTED_MEDIA_TYPE', `layer ${i} (${d.digest}) has media type ${JSON.stringify(d.mediaType)}, which is not a layer type this tool reads`);
    if (kind === 'zstd') throw new AppcError('CONVERT_UNSUPPORTED_MEDIA_TYPE', `layer ${i} (${d.digest}) is zstd-compressed, which Node.js 20 cannot decompress; re-export the image with gzip layers`);
    return { path: input.blobPath(d.digest), digest: d.digest, what: `layer ${i}` };
  });
  const configJson = (await input.readJsonBlob(config, 'image config')) as Record<string, unknown>;
  if (typeof configJson !== 'object' || configJson === null) throw new AppcError('CONVERT_BAD_JSON', 'the image config is not an object');
  const platform = candidate.platform ?? platformOf(configJson);
  return { config: configJson, layers, refs: candidate.refs, platform };
}

function platformOf(config: Record<string, unknown>): Platform | undefined {
  const os = config['os'];
  const architecture = config['architecture'];
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return { os, architecture, ...(typeof config['variant'] === 'string' ? { variant: config['variant'] } : {}) };
}

async function fromDockerManifest(input: ImageInput): Promise<SelectedImage> {
  const list = await input.readJsonFile('manifest.json', 'docker manifest.json');
  if (!Array.isArray(list) || list.length === 0) throw new AppcError('CONVERT_BAD_JSON', 'manifest.json is not a non-empty list of images');
  if (list.length > 1) throw new AppcError('CONVERT_AMBIGUOUS_IMAGE', `manifest.json lists ${list.length} images; save one image per archive`);
  const entry = list[0] as Record<string, unknown>;
  const configPath = entry['Config'];
  const layerPaths = entry['Layers'];
  if (typeof configPath !== 'string' || !Array.isArray(layerPaths) || layerPaths.some((l) => typeof l !== 'string')) {
    throw new AppcError('CONVERT_BAD_JSON', 'manifest.json: an image needs "Config" and "Layers"');
  }
  const configBytes = await readFile(join(input.dir, configPath)).catch((e: unknown) => {
    throw (e as { code?: unknown }).code === 'ENOENT' ? new AppcError('CONVERT_MISSING_BLOB', `the image config ${configPath} is missing`) : e;
  });
  // The config's file name is its sha256 (legacy `<hex>.json`, or `blobs/sha256/<hex>` in Docker 25+).
  const hex = /^([0-9a-f]{64})(\.json)?$/.exec(basename(configPath))?.[1];
  if (hex !== undefined) checkDigest(configBytes, `sha256:${hex}`, 'image config');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new AppcError('CONVERT_BAD_JSON', `the image config ${configPath} is not valid JSON: ${(e as Error).message}`);
  }
  const diffIds = ((config['rootfs'] as Record<string, unknown> | undefined)?.['diff_ids'] ?? []) as unknown[];
  if (!Array.isArray(diffIds) || diffIds.length !== layerPaths.length) {
    throw new AppcError('CONVERT_BAD_JSON', `the image config lists ${Array.isArray(diffIds) ? diffIds.length : 0} diff IDs for ${layerPaths.length} layers`);
  }
  const layers = (layerPaths as string[]).map((p, i) => ({ path: join(input.dir, p), digest: String(diffIds[i]), what: `layer ${i} (${p})` }));
  const tags = Array.isArray(entry['RepoTags']) ? (entry['RepoTags'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  return { config, layers, refs: tags, platform: platformOf(config) };
}

/**
 * Finds the image in an input. OCI layouts (and Docker 25+ archives, which are OCI layouts too) are read through
 * index.json; older `docker save` archives through manifest.json. `explicit` means the user chose a platform.
 */
export async function selectImage(input: ImageInput, want: Required<Pick<PlatformWanted, 'os' | 'arch'>> & PlatformWanted, explicit: boolean): Promise<SelectedImage & { readonly legacy: boolean }> {
  const has = async (rel: string): Promise<boolean> => readFile(join(input.dir, rel)).then(() => true, () => false);
  if (await has('index.json')) return { ...(await fromOciLayout(input, want, explicit)), legacy: false };
  if (await has('manifest.json')) return { ...(await fromDockerManifest(input)), legacy: true };
  throw new AppcError('CONVERT_UNKNOWN_INPUT', `${input.dir} has neither index.json (OCI image layout) nor manifest.json (docker save)`);
}
