/**
 * Rendering an image with its dependencies into one rootfs (spec/ace.md "Filesystem Setup"; checklist R-OUT-1..3):
 * `renderImage` decides what goes where without writing; `writeRendered` writes it, never outside the target.
 */
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { TarHeader } from '../aci/tar/header.js';
import { readAciEntries } from '../aci/entries.js';
import { extractAci } from '../aci/extract.js';
import type { ImageStore, StoredImage } from './store.js';
import { newestByVersion, resolveDependencies } from './resolve.js';
import type { ResolvedImage, ResolveOptions } from './resolve.js';
import { Selector, upperWhitelist, whitelistOf } from './select.js';

/** What to render: an image ID (or unambiguous prefix), or a name with labels. */
export type ImageRef = string | { readonly name: string; readonly labels?: Readonly<Record<string, string>> };

/** One entry of the rendered rootfs and the image it comes from. */
export interface RenderedEntry {
  /** Index of the image in `images`. */
  readonly image: number;
  /** The cleaned archive path (`rootfs/etc/hosts`). */
  readonly path: string;
  readonly header: TarHeader;
}

/** The rendered rootfs, described without writing anything. */
export interface RenderedImage {
  /** Images in the reference's order: the rendered image first, each dependency after its parent. */
  readonly images: readonly ResolvedImage[];
  /** The selected entries, upper images first; no path appears twice. */
  readonly entries: readonly RenderedEntry[];
  /** Size mismatches, dependency label mismatches, relative whitelist entries. */
  readonly warnings: readonly Issue[];
}

/** Options of renderImage. */
export interface RenderOptions extends ResolveOptions {
  /** Check that every image's bytes hash to its image ID (R-SE-9). Default true. */
  readonly verifyImageIds?: boolean;
}

/** Finds the image a reference names. */
export async function findImage(store: ImageStore, ref: ImageRef): Promise<StoredImage> {
  const image = typeof ref === 'string' ? await store.get(ref) : newestByVersion(await store.find(ref.name, ref.labels ?? {}));
  if (image === undefined) {
    const what = typeof ref === 'string' ? ref : ref.name + Object.entries(ref.labels ?? {}).map(([k, v]) => `,${k}=${v}`).join('');
    throw new AppcError('RENDER_IMAGE_NOT_FOUND', `no image ${what} in the store`);
  }
  return image;
}

/**
 * Resolves the dependencies of an image and selects, image by image, the entries of the rendered rootfs.
 * Throws AppcError for a missing image or dependency, a cycle, or an image whose bytes do not hash to its ID.
 * @example
 * const r = await renderImage(store, { name: 'example.com/app', labels: { version: '1.0.0' } });
 * for (const e of r.entries) console.log(e.path, r.images[e.image].image.manifest.name);
 */
export async function renderImage(store: ImageStore, ref: ImageRef, options: RenderOptions = {}): Promise<RenderedImage> {
  const root = await findImage(store, ref);
  const { images, warnings } = await resolveDependencies(store, root, options);
  const whitelists = images.map((i) => whitelistOf(i, warnings));
  const selector = new Selector();
  const entries: RenderedEntry[] = [];
  for (let index = 0; index < images.length; index++) {
    const { image } = images[index]!;
    const own = whitelists[index];
    const upper = upperWhitelist(images, whitelists, index);
    // One pass lists the entries and hashes the uncompressed tar.
    let actual: string | undefined;
    const verify = options.verifyImageIds !== false;
    for await (const entry of readAciEntries(await store.source(image.id), verify ? { onImageId: (id) => (actual = id) } : {})) {
      if (entry.header.type === 'pax-global-header') continue;
      if (selector.select(entry.path, entry.header.type, own, upper)) entries.push({ image: index, path: entry.path, header: entry.header });
    }
    if (verify && actual !== image.id) throw new AppcError('RENDER_HASH_MISMATCH', `image ${image.manifest.name} hashes to ${actual ?? '(unknown)'}, not ${image.id}`);
  }
  return { images, entries, warnings };
}

/** What writeRendered did. */
export interface WriteRenderedReport {
  readonly written: number;
  readonly skipped: readonly Issue[];
}

/**
 * Writes a rendered rootfs into `dir` (its contents become the rootfs). Lower images are written first so the
 * upper images' directory modes and times are the ones that stay (R-OUT-1); the extractor refuses anything that
 * would land outside `dir`.
 */
export async function writeRendered(store: ImageStore, rendered: RenderedImage, dir: string): Promise<WriteRenderedReport> {
  const byImage = rendered.images.map(() => new Set<string>());
  for (const e of rendered.entries) byImage[e.image]!.add(e.path);
  let written = 0;
  const skipped: Issue[] = [];
  for (let index = rendered.images.length - 1; index >= 0; index--) {
    const wanted = byImage[index]!;
    if (wanted.size === 0) continue;
    const report = await extractAci(await store.source(rendered.images[index]!.image.id), dir, { rootfsOnly: true, filter: (e) => wanted.has(e.path) });
    written += report.written;
    skipped.push(...report.skipped);
  }
  return { written, skipped };
}
