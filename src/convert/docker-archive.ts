/**
 * Reading `docker save` archives: the legacy form (`manifest.json` = [{Config, RepoTags, Layers}] with paths
 * inside the archive, plus `repositories`) and the names that Docker 25+ adds to its OCI-form archives.
 */
import { convertError } from './codes.js';
import type { ImageSource, InputFile } from './blob-store.js';
import { parseJsonBytes, readSmallFile } from './blob-store.js';
import type { Digest } from './digest.js';
import { parseDigest, sha256Of, verifyBytes } from './digest.js';
import type { LayerRef } from './layer-reader.js';
import type { DockerArchiveEntry, ImageCandidate, LayoutLimits, ResolvedImage } from './oci-layout.js';
import { asObject, diffIdsOf } from './oci-layout.js';

/** The digest a docker save path carries in its name: `<64 hex>.json` or `blobs/sha256/<64 hex>`. */
export function digestFromPath(path: string): Digest | undefined {
  const m = /^(?:blobs\/(sha256|sha512)\/([0-9a-f]+)|([0-9a-f]{64})\.json)$/.exec(path);
  if (m === null) return undefined;
  try {
    return m[3] ? parseDigest(`sha256:${m[3]}`, path) : parseDigest(`${m[1]}:${m[2]}`, path);
  } catch {
    return undefined;
  }
}

function stringList(value: unknown, where: string, file: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw convertError('CONVERT_BAD_JSON', `${where} must be a list of strings`, { file });
  return value as string[];
}

/** Reads `manifest.json`; undefined when the archive has none. */
export async function readDockerManifest(source: ImageSource, limits: LayoutLimits): Promise<DockerArchiveEntry[] | undefined> {
  const bytes = await readSmallFile(source, 'manifest.json', limits.maxJsonBytes);
  if (bytes === undefined) return undefined;
  const value = parseJsonBytes(bytes, 'manifest.json', source.path);
  if (!Array.isArray(value)) throw convertError('CONVERT_BAD_JSON', 'manifest.json must be a list of images', { file: source.path, entry: 'manifest.json' });
  return value.map((item, i) => {
    const o = asObject(item, `manifest.json[${i}]`, source.path);
    const config = o['Config'];
    if (typeof config !== 'string' || config === '') throw convertError('CONVERT_BAD_JSON', `manifest.json[${i}].Config is missing`, { file: source.path, entry: 'manifest.json' });
    return { config, repoTags: stringList(o['RepoTags'], `manifest.json[${i}].RepoTags`, source.path), layers: stringList(o['Layers'], `manifest.json[${i}].Layers`, source.path) };
  });
}

/**
 * Reads `repositories` ({"name": {"tag": "<id>"}}), the names of legacy archives whose manifest.json has no
 * RepoTags; returns full references by the image id they point to.
 */
export async function readRepositories(source: ImageSource, limits: LayoutLimits): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const bytes = await readSmallFile(source, 'repositories', limits.maxJsonBytes);
  if (bytes === undefined) return out;
  let value: unknown;
  try {
    value = parseJsonBytes(bytes, 'repositories', source.path);
  } catch {
    return out; // Names are a convenience: a broken repositories file is not worth failing for.
  }
  if (typeof value !== 'object' || value === null) return out;
  for (const [repo, tags] of Object.entries(value)) {
    if (typeof tags !== 'object' || tags === null) continue;
    for (const [tag, id] of Object.entries(tags as Record<string, unknown>)) {
      if (typeof id !== 'string') continue;
      const list = out.get(id) ?? [];
      list.push(`${repo}:${tag}`);
      out.set(id, list);
    }
  }
  return out;
}

/** The candidates of a legacy docker save archive, one per manifest.json entry. */
export function dockerCandidates(entries: readonly DockerArchiveEntry[], repositories: ReadonlyMap<string, string[]>): ImageCandidate[] {
  return entries.map((e) => {
    const digest = digestFromPath(e.config);
    const names = e.repoTags.length > 0 ? e.repoTags : (digest && repositories.get(digest.hex)) || [];
    return {
      // Legacy archives have no image manifest blob: the descriptor stands for the config file.
      manifest: { mediaType: 'docker-save', digest: digest ?? { algorithm: 'sha256', hex: '', text: e.config }, size: -1, annotations: {} },
      names,
      tags: [],
      docker: e,
    };
  });
}

async function statMember(source: ImageSource, path: string, what: string): Promise<InputFile> {
  const file = await source.stat(path);
  if (file === undefined) throw convertError('CONVERT_BLOB_MISSING', `${what} ${JSON.stringify(path)} named by manifest.json is not in the archive`, { file: source.path, entry: path });
  return file;
}

/**
 * Reads one image of a legacy docker save archive. The config is verified when its file name is its digest
 * (always, for Docker's own archives); layers are verified against the config's diff_ids while read.
 */
export async function loadDockerImage(source: ImageSource, candidate: ImageCandidate, limits: LayoutLimits): Promise<ResolvedImage> {
  const entry = candidate.docker!;
  await statMember(source, entry.config, 'config');
  const bytes = (await readSmallFile(source, entry.config, limits.maxJsonBytes))!;
  const expected = digestFromPath(entry.config);
  if (expected) verifyBytes(bytes, expected, `config ${entry.config}`);
  const config = asObject(parseJsonBytes(bytes, `config ${entry.config}`, source.path), `config ${entry.config}`, source.path);
  const diffIds = diffIdsOf(config, entry.layers.length, source.path);
  const layers: LayerRef[] = [];
  for (let i = 0; i < entry.layers.length; i++) {
    const path = entry.layers[i]!;
    const file = await statMember(source, path, `layer ${i}`);
    const digest = digestFromPath(path);
    layers.push({ index: i, file, ...(digest ? { digest } : {}), diffId: diffIds[i]! });
  }
  return { format: 'docker-archive', config, configDigest: sha256Of(bytes), layers, names: candidate.names, tags: [] };
}
