/**
 * Exporting an ACI and its dependencies as an OCI image (OCI image-spec v1: layout, manifest, config, layers)
 * or a `docker load` archive. The image is rendered as `actool render` renders it (spec/ace.md "Filesystem
 * Setup"); the manifest is mapped to an image config (export-mapping.ts); layers are gzip tars with sha256
 * digests and diff IDs. Nothing appears at the output unless everything succeeded.
 */
import type { SyncOption } from '../aci/archive-output.js';
import { stat } from 'node:fs/promises';
import { readAciEntries } from '../aci/entries.js';
import { peekManifestAtEnd } from '../aci/tail-manifest.js';
import { cleanPath } from '../aci/tar/path.js';
import { AppcError, isAppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { renderImage } from '../render/render.js';
import type { RenderedImage } from '../render/render.js';
import { whitelistOf } from '../render/select.js';
import type { ImageStore, StoredImage } from '../render/store.js';
import { shortImageId } from '../schema/types/image-id.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { CONVERT_CODES, convertError } from './codes.js';
import type { WrittenLayer } from './export-layer.js';
import { LayerWriter } from './export-layer.js';
import type { OciConfigMapping } from './export-mapping.js';
import { manifestToConfig, OCI_ANNOTATIONS } from './export-mapping.js';
import type { OnePass } from './export-one-pass.js';
import { writeAloneLayer } from './export-one-pass.js';
import type { ExportFormat } from './export-oci.js';
import { checkExportOutput, ExportStaging } from './export-oci.js';
import type { ImageEntry, LayerPlan } from './export-plan.js';
import { planLayered, planSquashed } from './export-plan.js';
import type { ExportSource } from './export-source.js';
import { openExportSource } from './export-source.js';
import type { EntryStyle } from './export-write.js';
import { writeLayerPart } from './export-write.js';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import type { Platform } from './platform.js';

export type { ExportFormat } from './export-oci.js';
export type { ExportSource } from './export-source.js';

/** The media type of the layers written. */
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Options of {@link exportOciImage}. */
export interface ExportOptions extends SyncOption {
  /** The OCI layout directory or archive file to write. */
  readonly output: string;
  /** `oci` (a layout directory, default), `oci-archive` (a tar of one) or `docker-archive` (for `docker load`). */
  readonly format?: ExportFormat;
  /** One layer per image of the dependency list instead of one squashed layer. */
  readonly layered?: boolean;
  /** `NAME[:TAG]` (Docker reference syntax); default: the ACI name and its version label (or `latest`). */
  readonly tag?: string;
  /** Every mtime in the layers becomes `epoch` and owner names are dropped, so equal trees give equal digests. */
  readonly reproducible?: boolean;
  /** The time of a reproducible export, in seconds (default 0; the CLI passes SOURCE_DATE_EPOCH). */
  readonly epoch?: number;
  /** Replace an existing output (a layout directory, an empty directory, or a file). */
  readonly overwrite?: boolean;
  /** Where the dependencies of an ACI file are found. */
  readonly store?: ImageStore;
  /** The platform written when the image has no os/arch labels (default linux/amd64). */
  readonly defaultPlatform?: Platform;
  /** Called with the uncompressed bytes written so far. */
  readonly onProgress?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

/** One layer written. */
export interface ExportedLayer {
  readonly mediaType: string;
  /** `sha256:` of the compressed blob. */
  readonly digest: string;
  /** `sha256:` of the uncompressed tar. */
  readonly diffId: string;
  readonly size: number;
  /** In layered mode: the ACI the layer comes from. */
  readonly image?: { readonly name: string; readonly id: string };
}

/** What {@link exportOciImage} wrote. */
export interface ExportReport {
  readonly output: string;
  readonly format: ExportFormat;
  /** `NAME:TAG` as written into the index (and `RepoTags`). */
  readonly reference: string;
  /** `sha256:` of the image manifest. */
  readonly manifestDigest: string;
  /** `sha256:` of the image config (Docker's image ID). */
  readonly configDigest: string;
  readonly layers: readonly ExportedLayer[];
  /** The image ID of the exported ACI. */
  readonly imageId: string;
  readonly platform: Platform;
  /** Uncompressed tar bytes written. */
  readonly bytes: number;
  /** What could not be mapped (EXPORT_FIELD_UNMAPPED, ...) and render's warnings. */
  readonly warnings: readonly Issue[];
}

const FORMATS: readonly ExportFormat[] = ['oci', 'oci-archive', 'docker-archive'];
// Docker's reference grammar (distribution/reference): path components and an optional registry port.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME_PATTERN = new RegExp(`^${COMPONENT}(?::[0-9]+)?(?:/${COMPONENT})*$`);
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function badOption(message: string): Error {
  return convertError('EXPORT_BAD_OPTION', message);
}

/** The `NAME:TAG` to write: `--tag`, else the ACI name and version label. */
function chooseReference(tagOption: string | undefined, name: string, version: string | undefined, warnings: Issue[]): string {
  let repo = name;
  let tag: string | undefined;
  if (tagOption !== undefined) {
    const colon = tagOption.lastIndexOf(':');
    const hasTag = colon > tagOption.lastIndexOf('/');
    repo = hasTag ? tagOption.slice(0, colon) : tagOption;
    tag = hasTag ? tagOption.slice(colon + 1) : undefined;
    if (!NAME_PATTERN.test(repo)) throw badOption(`--tag ${JSON.stringify(tagOption)}: ${JSON.stringify(repo)} is not an image name (lower-case letters, digits and separators, as Docker takes it)`);
    if (tag !== undefined && !TAG_PATTERN.test(tag)) throw badOption(`--tag ${JSON.stringify(tagOption)}: ${JSON.stringify(tag)} is not a tag ([A-Za-z0-9_][A-Za-z0-9_.-]*, at most 128 characters)`);
  } else if (!NAME_PATTERN.test(repo)) {
    throw badOption(`the image name ${JSON.stringify(name)} is not a Docker image name; give one with --tag=NAME:TAG`);
  }
  if (tag === undefined && version !== undefined) {
    tag = version
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .replace(/^[.-]/, '_')
      .slice(0, 128);
    if (tag !== version) {
      warnings.push({
        code: 'EXPORT_TAG_CHANGED',
        severity: CONVERT_CODES.EXPORT_TAG_CHANGED.severity,
        path: '/labels',
        message: `the version ${JSON.stringify(version)} is not a Docker tag; the tag ${JSON.stringify(tag)} was written (the version is kept in ${OCI_ANNOTATIONS.version})`,
      });
    }
  }
  return `${repo}:${tag ?? 'latest'}`;
}

/** Every entry of each image of the list (headers only), read once per distinct image. */
async function readAllEntries(store: ImageStore, rendered: RenderedImage, signal?: AbortSignal): Promise<(index: number) => readonly ImageEntry[]> {
  const byId = new Map<string, ImageEntry[]>();
  for (const { image } of rendered.images) {
    if (byId.has(image.id)) continue;
    const list: ImageEntry[] = [];
    for await (const e of readAciEntries(await store.source(image.id), signal ? { signal } : {})) list.push({ path: e.path, header: e.header });
    byId.set(image.id, list);
  }
  return (index) => byId.get(rendered.images[index]!.image.id)!;
}

/** The uid or gid of the file a path-form user or group names, from the rendered tree. */
function ownerLookup(rendered: RenderedImage): (path: string, which: 'uid' | 'gid') => number | undefined {
  let byPath: Map<string, { uid: number; gid: number }> | undefined;
  return (path, which) => {
    byPath ??= new Map(rendered.entries.map((e) => [e.path, { uid: e.header.uid, gid: e.header.gid }]));
    return byPath.get(cleanPath('rootfs/' + cleanPath('/' + path).slice(1)))?.[which];
  };
}

/** True for an image without dependencies or whitelist whose user and group need no look-up in its tree. */
function isAlone(manifest: ImageManifest): boolean {
  const app = manifest.app;
  return (manifest.dependencies ?? []).length === 0 && (manifest.pathWhitelist ?? []).length === 0 && !(app?.user.startsWith('/') ?? false) && !(app?.group.startsWith('/') ?? false);
}

/**
 * Exports an ACI (a file, with its dependencies from `options.store`, or an image of a store) as an OCI image
 * layout, an OCI layout tar, or a `docker load` archive. The image and its dependencies are resolved and
 * rendered first, so an invalid ACI or a missing dependency fails before anything is written; the layers are
 * then streamed from the archives (memory stays flat) into a staging directory next to the output that is
 * moved into place at the end. An ACI file that stands alone is validated while its layer is written, in one
 * read (export-one-pass.ts), with the same result and the same verdicts.
 * @throws AppcError EXPORT_* and RENDER_* codes, ACI_OUTPUT_EXISTS, archive codes of a damaged ACI, or a Node I/O error.
 * @example
 * const r = await exportOciImage('app.aci', { output: 'app.oci', format: 'oci-archive', store: new DirStore('store') });
 * console.log(r.manifestDigest, r.warnings.map((w) => w.message));
 */
export async function exportOciImage(source: ExportSource, options: ExportOptions): Promise<ExportReport> {
  const format = await checkExport(options);
  if (typeof source === 'string') {
    const report = await exportInOnePass(source, options, format);
    if (report !== undefined) return report;
  }
  return exportInTwoPasses(source, options, format);
}

/**
 * {@link exportOciImage} always reading an ACI file twice (validation, then the layers): the reference the
 * one-pass export is tested against. Not part of the package's API.
 */
export async function exportOciImageInTwoPasses(source: ExportSource, options: ExportOptions): Promise<ExportReport> {
  return exportInTwoPasses(source, options, await checkExport(options));
}

/** The checks of the options and the output made before anything is read; returns the format. */
async function checkExport(options: ExportOptions): Promise<ExportFormat> {
  const format = options.format ?? 'oci';
  if (!FORMATS.includes(format)) throw badOption(`format must be one of ${FORMATS.join(', ')} (given ${JSON.stringify(format)})`);
  if (typeof options.output !== 'string' || options.output === '') throw badOption('the output path is missing');
  if (options.epoch !== undefined && (!Number.isInteger(options.epoch) || options.epoch < 0)) throw badOption(`epoch must be a non-negative whole number of seconds (given ${options.epoch})`);
  await checkExportOutput(options.output, format, options.overwrite === true);
  return format;
}

/** The progress callback of one attempt: running totals of the uncompressed bytes written. */
function progressOf(options: ExportOptions): ((n: number) => void) | undefined {
  let progress = 0;
  return options.onProgress ? (n: number): void => options.onProgress!((progress += n)) : undefined;
}

/** The image config mapping and the reference of the top image (both need only its manifest and ID). */
function describeImage(top: StoredImage, options: ExportOptions, rendered: RenderedImage | undefined, warnings: Issue[]): { mapping: OciConfigMapping; reference: string } {
  const mapping = manifestToConfig(top.manifest, {
    imageId: top.id,
    ...(options.defaultPlatform ? { defaultPlatform: options.defaultPlatform } : {}),
    ...(rendered ? { ownerOf: ownerLookup(rendered) } : {}),
  });
  warnings.push(...mapping.warnings);
  return { mapping, reference: chooseReference(options.tag, top.manifest.name, mapping.version, warnings) };
}

/** True when the export of an image alone may go on with this manifest (its reference can be written). */
function acceptsAlone(manifest: ImageManifest, options: ExportOptions): boolean {
  if (!isAlone(manifest)) return false;
  try {
    describeImage({ id: '', manifest, size: 0 }, options, undefined, []);
    return true;
  } catch {
    return false;
  }
}

/**
 * The export of an ACI file alone in one read (export-one-pass.ts); undefined when the two-pass export must run
 * (then nothing of this attempt is left).
 */
async function exportInOnePass(file: string, options: ExportOptions, format: ExportFormat): Promise<ExportReport | undefined> {
  const st = await stat(file).catch(() => undefined);
  if (st === undefined || !st.isFile()) return undefined;
  const accept = (manifest: ImageManifest): boolean => acceptsAlone(manifest, options);
  const guess = peekManifestAtEnd(file);
  if (guess !== undefined && !accept(guess)) return undefined;
  let staging: ExportStaging;
  try {
    staging = await ExportStaging.create(options.output);
  } catch {
    return undefined;
  }
  let pass: OnePass | undefined;
  try {
    const onBytes = progressOf(options);
    pass = await writeAloneLayer(file, {
      dir: staging.dir,
      size: st.size,
      style: entryStyle(options),
      accept,
      writeAhead: guess !== undefined,
      ...(onBytes ? { onBytes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    await staging.remove();
    throw e;
  }
  if (pass === undefined) {
    await staging.remove();
    return undefined;
  }
  const { image, layer } = pass;
  try {
    const warnings: Issue[] = [];
    const { mapping, reference } = describeImage(image, options, undefined, warnings);
    await staging.addFile(layer.file, layer.digest);
    const layers = [options.layered ? { ...layer, image: { name: image.manifest.name, id: image.id } } : layer];
    return await writeImage(staging, { options, format, top: image, mapping, reference, warnings, layers, bytes: layer.tarBytes });
  } catch (e) {
    await staging.remove();
    throw namingOutput(e, options.output);
  }
}

function entryStyle(options: ExportOptions): EntryStyle {
  return options.reproducible ? { epoch: options.epoch ?? 0 } : {};
}

/** The export that validates an ACI file first, renders the image and its dependencies, then writes the layers. */
async function exportInTwoPasses(source: ExportSource, options: ExportOptions, format: ExportFormat): Promise<ExportReport> {
  const opened = await openExportSource(source, options.store, options.signal);
  const alone = opened.image !== undefined && isAlone(opened.image.manifest) ? opened.image : undefined;
  // An image alone was validated entry by entry: its rootfs is the whole archive, no selection pass needed.
  const rendered: RenderedImage = alone
    ? { images: [{ image: alone, level: 0, parent: -1, chain: [alone.manifest.name] }], entries: [], warnings: [] }
    : await renderImage(opened.store, opened.ref, options.signal ? { signal: options.signal } : {});
  const top = rendered.images[0]!.image;
  const warnings: Issue[] = [...rendered.warnings];
  const { mapping, reference } = describeImage(top, options, rendered, warnings);

  let plans: LayerPlan[];
  if (alone) plans = [[{ image: 0, prelude: [], entries: new Map(), copies: new Map(), all: true }]];
  else if (options.layered) {
    const whitelists = rendered.images.map((i) => whitelistOf(i, []));
    plans = planLayered(rendered, await readAllEntries(opened.store, rendered, options.signal), whitelists);
  } else plans = [planSquashed(rendered)];

  const style = entryStyle(options);
  const staging = await ExportStaging.create(options.output);
  let writer: LayerWriter | undefined;
  try {
    const layers: LayerWritten[] = [];
    let bytes = 0;
    const onBytes = progressOf(options);
    for (const plan of plans) {
      writer = await LayerWriter.create(staging.dir, onBytes);
      for (const part of plan) await writeLayerPart(writer, opened.store, rendered, part, style, options.signal);
      const written = await writer.finish();
      writer = undefined;
      await staging.addFile(written.file, written.digest);
      bytes += written.tarBytes;
      const from = options.layered ? rendered.images[plan[0]!.image]!.image : undefined;
      layers.push(from ? { ...written, image: { name: from.manifest.name, id: from.id } } : written);
    }
    return await writeImage(staging, { options, format, top, mapping, reference, warnings, layers, bytes });
  } catch (e) {
    await writer?.discard();
    await staging.remove();
    throw namingOutput(e, options.output);
  }
}

/** A layer in the staging directory, with the image it comes from in layered mode. */
type LayerWritten = WrittenLayer & { readonly image?: { readonly name: string; readonly id: string } };

/** What {@link writeImage} writes around the layers. */
interface ImageParts {
  readonly options: ExportOptions;
  readonly format: ExportFormat;
  readonly top: StoredImage;
  readonly mapping: OciConfigMapping;
  readonly reference: string;
  readonly warnings: Issue[];
  readonly layers: readonly LayerWritten[];
  readonly bytes: number;
}

/** Writes the config, the manifest and the index next to the staged layers, puts the export in place and reports it. */
async function writeImage(staging: ExportStaging, parts: ImageParts): Promise<ExportReport> {
  const { options, format, top, mapping, reference, warnings, layers, bytes } = parts;
  const created = typeof mapping.config['created'] === 'string' ? (mapping.config['created'] as string) : undefined;
  const config = {
    ...mapping.config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({
      ...(created !== undefined ? { created } : {}),
      created_by: l.image ? `appc export: ${l.image.name} ${shortImageId(l.image.id)}` : `appc export: ${top.manifest.name} ${shortImageId(top.id)} (squashed)`,
    })),
  };
  const configBlob = await staging.addJson(config);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l) => ({
      mediaType: OCI_LAYER_GZIP,
      digest: l.digest,
      size: l.size,
      ...(l.image ? { annotations: { [OCI_ANNOTATIONS.aciName]: l.image.name, [OCI_ANNOTATIONS.aciImageId]: l.image.id } } : {}),
    })),
    annotations: mapping.annotations,
  };
  const manifestBlob = await staging.addJson(manifest);
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  const platform = mapping.platform;
  await staging.addTopLevel('oci-layout', { imageLayoutVersion: '1.0.0' });
  await staging.addTopLevel('index.json', {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: manifestBlob.digest,
        size: manifestBlob.size,
        platform: { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}) },
        annotations: { [OCI_ANNOTATIONS.containerdName]: reference, [OCI_ANNOTATIONS.refName]: tag },
      },
    ],
  });
  const topLevel = ['oci-layout', 'index.json'];
  if (format === 'docker-archive') {
    await staging.addTopLevel('manifest.json', [{ Config: `blobs/sha256/${configBlob.digest.slice(7)}`, RepoTags: [reference], Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]);
    topLevel.push('manifest.json');
  }
  await staging.commit(format, options.overwrite === true, topLevel, options.sync === true);
  return {
    output: options.output,
    format,
    reference,
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, diffId: l.diffId, size: l.size, ...(l.image ? { image: l.image } : {}) })),
    imageId: top.id,
    platform,
    bytes,
    warnings,
  };
}

/** A failed write of a layer names the output, not the layer's file in the staging directory (which is gone). */
function namingOutput(e: unknown, output: string): unknown {
  if (!isAppcError(e) || e.code !== 'ACI_WRITE_FAILED' || e.file === output) return e;
  return new AppcError(e.code, e.message, { file: output, cause: e });
}
