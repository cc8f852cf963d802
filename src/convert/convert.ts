/**
 * Converting a Docker or OCI image to ACIs (spec/aci.md; OCI image-spec): choose the image, verify every
 * blob, apply the layers with whiteouts, map the config to an image manifest, and write one squashed ACI or
 * one ACI per layer chained by dependencies. Nothing is written unless every step succeeds.
 */
import { checkOutput, type SyncOption } from '../aci/archive-output.js';
import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { ACI_LIMITS } from '../aci/scan.js';
import type { TarEntryInput } from '../aci/tar/write-tar.js';
import type { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { validateImageManifest } from '../schema/image-manifest.js';
import { stringifyManifest } from '../schema/manifest.js';
import { isACIdentifier, sanitizeACIdentifier } from '../schema/types/ac-identifier.js';
import { isHttpURL } from '../schema/types/url.js';
import { OCI_ANNOTATIONS } from './export-mapping.js';
import { parseDate } from '../schema/types/date.js';
import { SPEC_VERSION } from '../schema/types/semver.js';
import { AciWriter } from './aci-writer.js';
import type { OrderedItem } from './ordered-tree.js';
import { OrderedTreeWriter } from './ordered-tree.js';
import type { ImageSource } from './blob-store.js';
import { openImageSource } from './blob-store.js';
import { CONVERT_CODES, convertError } from './codes.js';
import { configToManifest, DOCKER_ANNOTATIONS } from './config-to-manifest.js';
import { digestFromPath, dockerCandidates, loadDockerImage, readDockerManifest, readRepositories } from './docker-archive.js';
import { imageNameFromRepository, parseImageReference } from './image-ref.js';
import type { LayerRef } from './layer-reader.js';
import { describeLayer, readLayer } from './layer-reader.js';
import type { CandidateList, ImageCandidate, LayoutLimits, ResolvedImage } from './oci-layout.js';
import { isOciLayout, LAYOUT_LIMITS, listOciCandidates, loadOciImage, parsePlatform } from './oci-layout.js';
import type { Platform } from './platform.js';
import { hostPlatform } from './platform.js';
import { selectImage } from './select-image.js';
import type { Content, FsNode, LayerEntry } from './squash.js';
import { applyLayer, cleanLayerPath, FsTree, walkTree } from './squash.js';

/** Options of {@link convertOciImage}. */
export interface ConvertOptions extends SyncOption {
  /** Where to write the ACI (must end in `.aci`). In layered mode the layers go next to it as `NAME-layerN.aci`. */
  readonly output: string;
  /** Platform to pick from a multi-platform index (OCI or appc spelling); defaults to this machine's. */
  readonly os?: string;
  readonly arch?: string;
  readonly variant?: string;
  /** Which image of an input holding several (a reference or a bare tag). */
  readonly image?: string;
  /** The ACI name (an ACIdentifier); default: the image's repository, sanitized. */
  readonly name?: string;
  /** The `version` label; default: the image's tag. */
  readonly version?: string;
  /** One ACI per layer, chained by dependencies, instead of one squashed ACI. */
  readonly layered?: boolean;
  /** Default gzip. */
  readonly compression?: 'gzip' | 'none';
  /** Replace existing output files (default: fail with ACI_OUTPUT_EXISTS). */
  readonly overwrite?: boolean;
  /** Most entries in the image (default 1,000,000). */
  readonly maxEntries?: number;
  /** Largest JSON document read (default 4 MiB). */
  readonly maxJsonBytes?: number;
  /** Largest manifest written (default 1 MiB, the validator's limit); matters for layered path whitelists. */
  readonly maxManifestBytes?: number;
  /** The machine's platform (tests); default from Node's process.platform and process.arch. */
  readonly host?: Platform;
  readonly signal?: AbortSignal;
  /**
   * Called as the output is written, with the uncompressed bytes written so far over every ACI of the
   * conversion (as buildAci reports them): the number only grows and ends at the sum of the images' `bytes`.
   */
  readonly onProgress?: (bytes: number) => void;
}

/** One ACI written. */
export interface ConvertedAci {
  readonly path: string;
  /** `sha512-<hex>` of the uncompressed tar. */
  readonly imageId: string;
  readonly manifest: ImageManifest;
  /** Tar entries, manifest included. */
  readonly entryCount: number;
  /** Uncompressed bytes. */
  readonly bytes: number;
  /** In layered mode: the layer index (0 = bottom). */
  readonly layer?: number;
}

/** What {@link convertOciImage} did. */
export interface ConvertReport {
  /** The ACIs written, bottom first; the last one carries the app (the only one unless layered). */
  readonly images: readonly ConvertedAci[];
  /** The top ACI's path, image ID and manifest. */
  readonly output: string;
  readonly imageId: string;
  readonly manifest: ImageManifest;
  /** The input's kind. */
  readonly format: 'oci-layout' | 'docker-archive';
  /** The image's platform, as the config (or index) gives it. */
  readonly platform?: Platform;
  /** `sha256:` of the image config (Docker's image ID). */
  readonly configDigest: string;
  /** `sha256:` of the image manifest (OCI layouts). */
  readonly manifestDigest?: string;
  /** The image's references found in the input. */
  readonly references: readonly string[];
  /** What could not be carried over (CONVERT_*_SKIPPED, ...) and manifest warnings. */
  readonly warnings: readonly Issue[];
}

const MAX_ACCOUNT_FILE = 1 << 20;

function optionError(message: string): AppcError {
  return convertError('CONVERT_BAD_OPTION', message);
}

/** The files a layered conversion writes: `out` for the top, `stem-layerN.aci` below it. */
export function layerOutputPath(output: string, index: number): string {
  return `${output.slice(0, -'.aci'.length)}-layer${index}.aci`;
}

function checkOptions(options: ConvertOptions): void {
  if (typeof options.output !== 'string' || !options.output.endsWith('.aci') || basename(options.output) === '.aci') {
    throw optionError(`the output file name must end in .aci (given ${JSON.stringify(options.output)})`);
  }
  const compression = options.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') throw optionError(`compression must be "gzip" or "none" (given ${JSON.stringify(compression)})`);
  if (options.name !== undefined && !isACIdentifier(options.name)) {
    const hint = sanitizeACIdentifier(options.name);
    throw optionError(`--name ${JSON.stringify(options.name)} is not an ACIdentifier (lower-case a-z, 0-9 and - . _ ~ /)${hint ? `; try ${JSON.stringify(hint)}` : ''}`);
  }
  if (options.version !== undefined && options.version === '') throw optionError('--version must not be empty');
}

/** The candidates of an input, whatever its form. */
async function listCandidates(source: ImageSource, limits: LayoutLimits): Promise<CandidateList & { dockerNames: Map<string, string[]> }> {
  const dockerNames = new Map<string, string[]>();
  const entries = await readDockerManifest(source, limits);
  if (await isOciLayout(source)) {
    // Docker 25+ writes both forms: read the OCI one (it has digests), and take names from manifest.json.
    for (const e of entries ?? []) {
      const d = digestFromPath(e.config);
      if (d && e.repoTags.length > 0) dockerNames.set(d.text, [...e.repoTags]);
    }
    return { ...(await listOciCandidates(source, limits)), dockerNames };
  }
  if (entries !== undefined) return { candidates: dockerCandidates(entries, await readRepositories(source, limits)), skipped: [], dockerNames };
  throw convertError('CONVERT_INPUT_UNKNOWN', 'the input is neither an OCI image layout (no oci-layout file) nor a docker save archive (no manifest.json)', { file: source.path });
}

function platformOfConfig(image: ResolvedImage, file: string): Platform | undefined {
  try {
    return parsePlatform(
      { os: image.config['os'], architecture: image.config['architecture'], ...(typeof image.config['variant'] === 'string' ? { variant: image.config['variant'] } : {}) },
      'config',
      file,
    );
  } catch {
    return undefined;
  }
}

/** Pass 1 state: the merged tree, per-layer trees (layered), whitelists, /etc/passwd. */
interface Analysis {
  readonly tree: FsTree;
  readonly own: readonly FsTree[];
  /** Per layer: the complete path list after it, when a whiteout removed something at or below it. */
  readonly whitelists: readonly (string[] | undefined)[];
  readonly passwd?: string;
  readonly diffIds: readonly string[];
}

/** Every path of the tree, for a pathWhitelist; stops with CONVERT_LIMIT_EXCEEDED once it could not fit a manifest. */
function listPaths(tree: FsTree, maxBytes: number, layer: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (const { path } of walkTree(tree)) {
    out.push('/' + path);
    // Each item costs at least its text plus quotes and a comma in the manifest JSON.
    bytes += path.length + 4;
    if (bytes > maxBytes) {
      throw convertError(
        'CONVERT_LIMIT_EXCEEDED',
        `layer ${layer}: its pathWhitelist (every path of the image, needed because a layer deletes files) would not fit in maxManifestBytes (${maxBytes}); convert without --layered`,
      );
    }
  }
  return out;
}

/**
 * Layered mode: a directory this layer only implies (its children are here, its own entry is not) and that
 * no lower layer defines either is created by an OCI runtime as 0755 root; the layer ACI writes it so, or
 * rendering the chain would take a whited-out lower directory's mode, or have no directory at all. A parent a
 * lower layer does define keeps that layer's entry (OCI leaves it untouched), so nothing is written for it.
 */
function keepCreatedParents(own: FsTree, merged: FsTree): void {
  for (const { path, node } of walkTree(own)) {
    if (node.kind !== 'directory' || !node.implicit) continue;
    const m = merged.lookup(path);
    if (m?.kind === 'directory' && m.implicit) node.implicit = false;
  }
}

async function analyze(source: ImageSource, layers: readonly LayerRef[], options: ConvertOptions, maxManifestBytes: number): Promise<Analysis> {
  const tree = new FsTree(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries });
  const own: FsTree[] = [];
  const whitelists: (string[] | undefined)[] = [];
  const diffIds: string[] = [];
  const accountFiles = new Map<string, Uint8Array>();
  let deletedSoFar = false;
  for (const layer of layers) {
    const where = describeLayer(layer);
    const entries: LayerEntry[] = [];
    let parts: Uint8Array[] | undefined;
    diffIds.push(
      await readLayer(
        source,
        layer,
        {
          wantBody(h) {
            return (h.name === 'etc/passwd' || h.name === './etc/passwd' || h.name === '/etc/passwd') && h.type === 'file' && h.size <= MAX_ACCOUNT_FILE;
          },
          entry(h, ordinal) {
            entries.push({ ordinal, path: cleanLayerPath(h.name, where), header: h });
            if ((h.name === 'etc/passwd' || h.name === './etc/passwd') && h.type === 'file' && h.size <= MAX_ACCOUNT_FILE) parts = [];
          },
          data(chunk) {
            parts?.push(chunk.slice());
          },
          entryEnd(_h, ordinal) {
            if (parts) accountFiles.set(`${layer.index}:${ordinal}`, Buffer.concat(parts));
            parts = undefined;
          },
        },
        { ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }), ...(options.signal ? { signal: options.signal } : {}) },
      ),
    );
    const mine = options.layered ? new FsTree(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }) : undefined;
    const report = applyLayer(tree, entries, layer.index, where, mine);
    if (mine) {
      keepCreatedParents(mine, tree);
      own.push(mine);
    }
    deletedSoFar ||= report.deleted;
    whitelists.push(options.layered && deletedSoFar ? listPaths(tree, maxManifestBytes, layer.index) : undefined);
  }
  const passwdNode = tree.lookup('etc/passwd');
  const passwdBytes = passwdNode?.content ? accountFiles.get(`${passwdNode.content.layer}:${passwdNode.content.ordinal}`) : undefined;
  return { tree, own, whitelists, diffIds, ...(passwdBytes ? { passwd: new TextDecoder().decode(passwdBytes) } : {}) };
}

function entryFor(path: string, node: FsNode): TarEntryInput {
  const m = node.meta;
  return {
    name: `rootfs/${path}`,
    type: node.kind,
    mode: m.mode,
    uid: m.uid,
    gid: m.gid,
    uname: m.uname,
    gname: m.gname,
    mtime: m.mtime,
    ...(node.kind === 'file' ? { size: node.content!.size } : {}),
    ...(node.kind === 'symlink' ? { linkname: m.linkname } : {}),
    ...(node.kind === 'character-device' || node.kind === 'block-device' ? { devmajor: m.devmajor, devminor: m.devminor } : {}),
    ...(m.xattrs ? { xattrs: m.xattrs } : {}),
  };
}

/**
 * Writes a tree's entries depth first, each directory followed by everything below it (the order GNU tar
 * extracts cleanly: a 0555 directory's mode and every directory's mtime are set once its contents are in), a
 * hard link after the first path of its body. Bodies are streamed from the layers, parked in a spool file
 * when their turn has not come yet (ordered-tree.ts).
 */
async function writeTree(writer: AciWriter, tree: FsTree, source: ImageSource, layers: readonly LayerRef[], mtime: number, writeImplicit: boolean, options: ConvertOptions): Promise<void> {
  const items: OrderedItem[] = [{ entry: { name: 'rootfs', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime } }];
  const plan = new Map<number, Map<number, { index: number; node: FsNode }>>();
  const primaries = new Map<Content, string>();
  for (const { path, node } of walkTree(tree)) {
    if (node.kind === 'file') {
      const c = node.content!;
      const primary = primaries.get(c);
      if (primary !== undefined) {
        items.push({ entry: { ...entryFor(path, node), type: 'link', size: 0, linkname: `rootfs/${primary}` } });
        continue;
      }
      primaries.set(c, path);
      if (c.size > 0) {
        let perLayer = plan.get(c.layer);
        if (perLayer === undefined) plan.set(c.layer, (perLayer = new Map()));
        perLayer.set(c.ordinal, { index: items.length, node });
        items.push({ entry: entryFor(path, node), body: { layer: c.layer, ordinal: c.ordinal, size: c.size } });
      } else items.push({ entry: entryFor(path, node) });
      continue;
    }
    if (node.implicit && !writeImplicit) continue;
    items.push({ entry: entryFor(path, node) });
  }
  const ordered = new OrderedTreeWriter(writer, items);
  try {
    for (const index of [...plan.keys()].sort((a, b) => a - b)) {
      const wanted = plan.get(index)!;
      const layer = layers[index]!;
      let written = 0;
      const changed = (what: string): AppcError => convertError('CONVERT_INPUT_CHANGED', `${describeLayer(layer)}: ${what} since the first pass (the input was modified while converting)`);
      await readLayer(
        source,
        layer,
        {
          wantBody: (_h, n) => wanted.has(n),
          async entry(h, n) {
            const w = wanted.get(n);
            if (w === undefined) return;
            if (h.name !== w.node.content!.name || h.size !== w.node.content!.size) throw changed(`entry ${n} is now ${JSON.stringify(h.name)} (${h.size} bytes)`);
            await ordered.begin(w.index);
          },
          async data(chunk, _h, n) {
            if (wanted.has(n)) await ordered.data(chunk);
          },
          async entryEnd(_h, n) {
            const w = wanted.get(n);
            if (w === undefined) return;
            await ordered.end(w.node.content!.size);
            written++;
          },
        },
        { ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }), ...(options.signal ? { signal: options.signal } : {}) },
      );
      if (written !== wanted.size) throw changed(`${wanted.size - written} files are gone`);
    }
    await ordered.finish();
  } finally {
    await ordered.close();
  }
}

/** Validates a manifest made by the converter and checks its size; internal, exported for tests. */
export function checkManifest(value: unknown, what: string, maxBytes: number): { manifest: ImageManifest; json: string; warnings: readonly Issue[] } {
  const r = validateImageManifest(value);
  if (!r.ok) {
    const list = r.issues
      .filter((i) => i.severity === 'error')
      .slice(0, 5)
      .map((i) => `${i.path || '/'}: ${i.message} [${i.code}]`)
      .join('; ');
    throw convertError('CONVERT_MANIFEST_INVALID', `the ${what} manifest made from the image is not valid: ${list}`);
  }
  const json = stringifyManifest(r.value);
  const size = new TextEncoder().encode(json).length;
  if (size > maxBytes) {
    throw convertError(
      'CONVERT_LIMIT_EXCEEDED',
      `the ${what} manifest is ${size} bytes, more than maxManifestBytes (${maxBytes})${(r.value.pathWhitelist?.length ?? 0) > 0 ? '; its pathWhitelist lists every file of the image: convert without --layered' : ''}`,
    );
  }
  return { manifest: r.value, json, warnings: r.warnings };
}

function nameAndVersion(image: ResolvedImage, options: ConvertOptions, input: string, warnings: Issue[]): { name: string; version?: string; reference?: string } {
  const reference = image.names[0];
  const ref = reference === undefined ? undefined : parseImageReference(reference);
  let name = options.name;
  if (name === undefined && ref !== undefined) name = imageNameFromRepository(ref.repository);
  if (name === undefined) {
    const stem = basename(input).replace(/\.(tar|oci|docker)$/i, '');
    name = imageNameFromRepository(stem) ?? 'image';
    warnings.push({
      code: 'CONVERT_NAME_FALLBACK',
      severity: CONVERT_CODES.CONVERT_NAME_FALLBACK.severity,
      path: '',
      message: `the image carries no repository name; it was named ${JSON.stringify(name)} after the input (pass --name to choose one)`,
      params: { name },
    });
  }
  const version = options.version ?? ref?.tag ?? image.tags[0] ?? (ref !== undefined && ref.digest === undefined ? 'latest' : undefined);
  return { name, ...(version !== undefined ? { version } : {}), ...(reference !== undefined ? { reference } : {}) };
}

// OCI manifest annotations that carry appc annotations (what exportOciImage writes), and keys never copied:
// the ones the config or the reference already give, and the exporter's provenance.
const FROM_OCI_ANNOTATIONS: Readonly<Record<string, string>> = { [OCI_ANNOTATIONS.url]: 'homepage', [OCI_ANNOTATIONS.documentation]: 'documentation' };

/**
 * The image manifest's annotations as ACI annotations: `org.opencontainers.image.url` and `.documentation`
 * become homepage and documentation (when they are http(s) URLs), other keys that are ACIdentifiers outside
 * the `org.opencontainers.` and `io.appc.` namespaces are copied, so ACI -> OCI -> ACI keeps them.
 */
function annotationsFromManifest(annotations: Readonly<Record<string, string>>): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    const mapped = FROM_OCI_ANNOTATIONS[key];
    if (mapped !== undefined) {
      if (isHttpURL(value)) out.push({ name: mapped, value });
      continue;
    }
    if (key.startsWith('org.opencontainers.') || key.startsWith('io.appc.') || key.startsWith('appc.io/') || !isACIdentifier(key)) continue;
    if (['created', 'authors', 'homepage', 'documentation'].includes(key)) continue;
    out.push({ name: key, value });
  }
  return out;
}

function errorList(issues: readonly Issue[]): string {
  const errors = issues.filter((i) => i.severity === 'error');
  return (
    errors
      .slice(0, 5)
      .map((i) => `${i.path || '/'}: ${i.message}`)
      .join('; ') + (errors.length > 5 ? `; and ${errors.length - 5} more` : '')
  );
}

/**
 * Converts a Docker or OCI image to an ACI. `source` is an OCI image layout (a directory, or a tar of one)
 * or a `docker save` archive (legacy or OCI form). Every blob is checked against its digest while read;
 * layers are applied with whiteouts in two streaming passes (metadata, then bodies), so memory does not
 * grow with layer size. Output files appear only when everything succeeded.
 * @throws AppcError with a CONVERT_* code (see docs/convert.md), ACI_OUTPUT_EXISTS, or a Node I/O error.
 * @example
 * const report = await convertOciImage('busybox.tar', { output: 'busybox.aci' });
 * console.log(report.imageId, report.manifest.name);
 */
export async function convertOciImage(source: string, options: ConvertOptions): Promise<ConvertReport> {
  checkOptions(options);
  const limits: LayoutLimits = { maxJsonBytes: options.maxJsonBytes ?? LAYOUT_LIMITS.maxJsonBytes, maxIndexDepth: LAYOUT_LIMITS.maxIndexDepth };
  const maxManifestBytes = options.maxManifestBytes ?? ACI_LIMITS.maxManifestBytes;
  const input = await openImageSource(source, options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries + 1000 });
  const { candidates, skipped, dockerNames } = await listCandidates(input, limits);
  const loaded = new Map<ImageCandidate, ResolvedImage>();
  const load = async (c: ImageCandidate): Promise<ResolvedImage> => {
    let image = loaded.get(c);
    if (image === undefined) {
      image = c.docker ? await loadDockerImage(input, c, limits) : await loadOciImage(input, c, limits);
      loaded.set(c, image);
    }
    return image;
  };
  const request = {
    ...(options.os !== undefined ? { os: options.os } : {}),
    ...(options.arch !== undefined ? { architecture: options.arch } : {}),
    ...(options.variant !== undefined ? { variant: options.variant } : {}),
  };
  const selection = await selectImage(
    candidates,
    skipped,
    { ...(options.image !== undefined ? { image: options.image } : {}), platform: request, host: options.host ?? hostPlatform(), file: source },
    async (c) => platformOfConfig(await load(c), source),
  );
  let image = await load(selection.candidate);
  if (image.names.length === 0 && dockerNames.has(image.configDigest)) image = { ...image, names: dockerNames.get(image.configDigest)! };
  const platform = platformOfConfig(image, source) ?? image.indexPlatform;

  // The outputs: refuse early when they exist, before reading any layer.
  const outputs = options.layered ? [...image.layers.slice(0, -1).map((_, i) => layerOutputPath(options.output, i)), options.output] : [options.output];
  if (!options.overwrite) {
    for (const o of outputs) await checkOutput(o, false);
  }

  const warnings: Issue[] = [];
  const { name, version, reference } = nameAndVersion(image, options, source, warnings);
  // Check the config's shape before reading layers: a broken config fails fast.
  const provisional = configToManifest(image.config, { name, ...(version !== undefined ? { version } : {}) });
  if (!provisional.ok && provisional.issues.some((i) => i.code === 'CONVERT_BAD_JSON')) {
    throw convertError('CONVERT_BAD_JSON', `the image config is malformed: ${errorList(provisional.issues.filter((i) => i.code === 'CONVERT_BAD_JSON'))}`, { file: source });
  }

  const analysis = await analyze(input, image.layers, options, maxManifestBytes);
  const annotations = [
    ...annotationsFromManifest(image.annotations ?? {}),
    ...(reference !== undefined ? [{ name: DOCKER_ANNOTATIONS.originalName, value: reference }] : []),
    { name: DOCKER_ANNOTATIONS.imageId, value: image.configDigest },
    ...(image.manifestDigest !== undefined ? [{ name: DOCKER_ANNOTATIONS.manifestHash, value: image.manifestDigest }] : []),
  ];
  const mapped = configToManifest(image.config, {
    name,
    ...(version !== undefined ? { version } : {}),
    ...(platform ? { platform } : {}),
    annotations,
    accounts: analysis.passwd !== undefined ? { passwd: analysis.passwd } : {},
  });
  if (!mapped.ok) throw convertError('CONVERT_MANIFEST_INVALID', `the manifest made from the image config is not valid: ${errorList(mapped.issues)}`, { file: source });
  warnings.push(...mapped.warnings);
  const created = mapped.value.annotations?.find((a) => a.name === 'created')?.value;
  const mtime = Math.max(0, Math.floor((created !== undefined ? (parseDate(created)?.getTime() ?? 0) : 0) / 1000));
  const compression = options.compression ?? 'gzip';
  const writers: AciWriter[] = [];
  const images: ConvertedAci[] = [];
  // Bytes of the ACIs already finished, so the reported count keeps growing across the layered outputs.
  let writtenBefore = 0;
  const report = options.onProgress;
  const writerOptions = {
    compression,
    overwrite: options.overwrite === true,
    sync: options.sync === true,
    ...(report ? { onProgress: (bytes: number) => report(writtenBefore + bytes) } : {}),
  };
  const committed: string[] = [];
  try {
    if (!options.layered || image.layers.length <= 1) {
      // One ACI: the squashed tree, the app, and (layered with one layer) nothing to chain.
      const { manifest, json } = checkManifest(mapped.value, 'image', maxManifestBytes);
      const writer = await AciWriter.create(options.output, writerOptions);
      writers.push(writer);
      await writeTree(writer, analysis.tree, input, image.layers, mtime, true, options);
      const imageId = await writer.finish(json, mtime);
      images.push({ path: options.output, imageId, manifest, entryCount: writer.entryCount, bytes: writer.bytes, ...(options.layered && image.layers.length === 1 ? { layer: 0 } : {}) });
    } else {
      let previous: { name: string; imageId: string } | undefined;
      const labels = mapped.value.labels;
      for (const layer of image.layers) {
        const i = layer.index;
        const top = i === image.layers.length - 1;
        const layerName = top ? name : `${name}-layer${i}`;
        const layerAnnotations = [{ name: DOCKER_ANNOTATIONS.diffId, value: analysis.diffIds[i]! }, ...(layer.digest ? [{ name: DOCKER_ANNOTATIONS.layerDigest, value: layer.digest.text }] : [])];
        const base: Record<string, unknown> = top
          ? { ...mapped.value, annotations: [...(mapped.value.annotations ?? []), ...layerAnnotations] }
          : {
              acKind: 'ImageManifest',
              acVersion: SPEC_VERSION,
              name: layerName,
              ...(labels ? { labels } : {}),
              annotations: [...(created !== undefined ? [{ name: 'created', value: created }] : []), ...layerAnnotations],
            };
        if (previous) base['dependencies'] = [{ imageName: previous.name, imageID: previous.imageId }];
        const whitelist = analysis.whitelists[i];
        if (whitelist) base['pathWhitelist'] = whitelist;
        const { manifest, json } = checkManifest(base, top ? 'top layer' : `layer ${i}`, maxManifestBytes);
        const path = top ? options.output : layerOutputPath(options.output, i);
        const writer = await AciWriter.create(path, writerOptions);
        writers.push(writer);
        await writeTree(writer, analysis.own[i]!, input, image.layers, mtime, false, options);
        const imageId = await writer.finish(json, mtime);
        images.push({ path, imageId, manifest, entryCount: writer.entryCount, bytes: writer.bytes, layer: i });
        writtenBefore += writer.bytes;
        previous = { name: layerName, imageId };
      }
    }
    for (const w of writers) {
      await w.commit();
      committed.push(w.output);
    }
  } catch (e) {
    // All or nothing: files committed before a later commit failed are removed too.
    for (const w of writers) await w.discard();
    for (const path of committed) await unlink(path).catch(() => {});
    throw e;
  }
  const top = images[images.length - 1]!;
  return {
    images,
    output: top.path,
    imageId: top.imageId,
    manifest: top.manifest,
    format: image.format,
    ...(platform ? { platform } : {}),
    configDigest: image.configDigest,
    ...(image.manifestDigest !== undefined ? { manifestDigest: image.manifestDigest } : {}),
    references: image.names,
    warnings,
  };
}
