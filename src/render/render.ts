/**
 * Rendering an image with its dependencies into one rootfs (spec/ace.md "Filesystem Setup"; checklist R-OUT-1..3):
 * `renderImage` decides what goes where without writing; `writeRendered` writes it, never outside the target,
 * and all or nothing.
 */
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { TarHeader } from '../aci/tar/header.js';
import { cleanPath } from '../aci/tar/path.js';
import { readAciEntries } from '../aci/entries.js';
import { scanArchive, scanError } from '../aci/scan.js';
import type { AciLimits, AciProgress } from '../aci/scan.js';
import { EntryWriter, unsafeEntry, type OwnerMode } from '../aci/entry-writer.js';
import { buildIntoEmptyDirectory } from '../aci/staged-dir.js';
import { EntryPolicy, issueError } from '../aci/layout-rules.js';
import type { ImageStore, StoredImage } from './store.js';
import { findByNameAndLabels, resolveDependencies } from './resolve.js';
import type { ResolvedImage, ResolveOptions } from './resolve.js';
import { Selector, upperWhitelists, whitelistOf } from './select.js';
import { RENDER_CODES } from './codes.js';

/** What to render: an image ID (or unambiguous prefix), or a name with labels. */
export type ImageRef = string | { readonly name: string; readonly labels?: Readonly<Record<string, string>> };

/** One entry of the rendered rootfs and the image it comes from. */
export interface RenderedEntry {
  /** Index of the image in `images`. */
  readonly image: number;
  /** The cleaned archive path (`rootfs/etc/hosts`; `rootfs` is the root directory itself). */
  readonly path: string;
  readonly header: TarHeader;
  /**
   * For a hard link whose target is not rendered from the same image (an upper image overrides it, or a
   * whitelist leaves it out): the target's archive path. The link is written as a copy of that entry of its
   * own image, so it keeps the content its image gave it.
   */
  readonly copyOf?: string;
}

/** The rendered rootfs, described without writing anything. */
export interface RenderedImage {
  /** Images in the reference's order: the rendered image first, each dependency after its parent. */
  readonly images: readonly ResolvedImage[];
  /** The selected entries, upper images first, each image's in archive order; no path appears twice. */
  readonly entries: readonly RenderedEntry[];
  /** Size and label mismatches of dependencies, relative whitelist entries, path conflicts. */
  readonly warnings: readonly Issue[];
}

/** Options of renderImage. */
export interface RenderOptions extends ResolveOptions, AciLimits {
  /** Check that every image's bytes hash to its image ID (R-SE-9). Default true. */
  readonly verifyImageIds?: boolean;
  /** Turn warnings into a failure: the first one is thrown as an AppcError with its code. */
  readonly strict?: boolean;
  /**
   * Called as the images' archives are read, with bytes counted over all of them so far (`compressedBytes` read
   * from the store's files, `bytes` uncompressed): the numbers only grow, and once every archive was read to its
   * end `compressedBytes` is the sum of their sizes.
   */
  readonly onProgress?: (progress: AciProgress) => void;
}

/** Finds the image a reference names (RENDER_IMAGE_NOT_FOUND when none, STORE_AMBIGUOUS_ID for a short prefix of several). */
export async function findImage(store: ImageStore, ref: ImageRef): Promise<StoredImage> {
  const image = typeof ref === 'string' ? await store.get(ref) : await findByNameAndLabels(store, ref.name, ref.labels ?? {});
  if (image === undefined) {
    const what =
      typeof ref === 'string'
        ? ref
        : ref.name +
          Object.entries(ref.labels ?? {})
            .map(([k, v]) => `,${k}=${v}`)
            .join('');
    throw new AppcError('RENDER_IMAGE_NOT_FOUND', `no image ${what} in the store`);
  }
  return image;
}

function pushOnce(warnings: Issue[], issue: Issue): void {
  if (!warnings.some((w) => w.code === issue.code && w.message === issue.message)) warnings.push(issue);
}

/**
 * Resolves the dependencies of an image and selects, image by image, the entries of the rendered rootfs
 * (R-SE-1..9). Each archive is read once: its headers are matched and its bytes hashed at the same time.
 * Throws AppcError for a missing image or dependency, a cycle, a damaged archive, an entry the archive rules
 * refuse (ACI_DUPLICATE_ENTRY, ACI_PATH_TRAVERSAL, ACI_ABSOLUTE_PATH, ACI_EXTRA_TOPLEVEL, ACI_HARDLINK_DANGLING,
 * ACI_HARDLINK_OUTSIDE, ...), or an image whose bytes do not hash to its ID (RENDER_HASH_MISMATCH).
 * @example
 * const r = await renderImage(store, { name: 'example.com/app', labels: { version: '1.0.0' } });
 * for (const e of r.entries) console.log(e.path, r.images[e.image].image.manifest.name);
 */
export async function renderImage(store: ImageStore, ref: ImageRef, options: RenderOptions = {}): Promise<RenderedImage> {
  const root = await findImage(store, ref);
  const { images, warnings } = await resolveDependencies(store, root, options);
  const whitelistWarnings: Issue[] = [];
  const whitelists = images.map((i) => whitelistOf(i, whitelistWarnings));
  for (const w of whitelistWarnings) pushOnce(warnings, w);
  const entries: RenderedEntry[] = [];
  let current = 0;
  const selector = new Selector((c) => {
    const name = images[current]!.image.manifest.name;
    pushOnce(warnings, {
      code: 'RENDER_PATH_CONFLICT',
      severity: RENDER_CODES.RENDER_PATH_CONFLICT.severity,
      path: '',
      entry: c.path,
      message: `${name}: ${c.type} ${c.path} is left out: an upper image has entries below it, so it must stay a directory`,
      params: { image: name, type: c.type },
    });
  });
  const verify = options.verifyImageIds !== false;
  const total = progressTotal(options.onProgress);
  const { onProgress: _p, ...scanOptions } = options;
  for (let index = 0; index < images.length; index++) {
    current = index;
    const { image } = images[index]!;
    const own = whitelists[index];
    const uppers = upperWhitelists(images, whitelists, index);
    const source = await store.source(image.id);
    // What this image contributes, to tell a hard link to a sibling entry from one whose target comes from elsewhere.
    const mine = new Map<string, TarHeader['type']>();
    // The archive's per-entry integrity rules (duplicates, absolute or climbing names, names outside rootfs, hard
    // links that dangle or leave the image): Go renders such an image anyway, silently taking one of two
    // duplicates; here the render stops with the archive's code. End-of-archive checks (an explicit rootfs entry)
    // are not applied: Go's own renderer tests use archives without one.
    let refused: Issue | undefined;
    const label = `image ${image.manifest.name} (${image.id.slice(0, 19)})`;
    const noteArchiveIssue = (i: Issue): void => {
      if (i.severity === 'error') refused ??= i;
      else pushOnce(warnings, { ...i, message: `${label}: ${i.message}` });
    };
    const policy = new EntryPolicy(noteArchiveIssue);
    const scan = await scanArchive(
      source,
      total ? { ...scanOptions, onProgress: total.onProgress } : scanOptions,
      (control) => ({
        onEntry(h) {
          policy.add({ name: h.name, type: h.type, linkname: h.linkname, offset: h.offset });
          if (refused !== undefined) {
            control.stop();
            return false;
          }
          const p = cleanPath(h.name);
          if (!selector.select(p, h.type, own, uppers)) return false;
          let copyOf: string | undefined;
          if (h.type === 'link') {
            const target = cleanPath(h.linkname);
            const kind = mine.get(target);
            if ((kind === undefined || kind === 'directory') && target.startsWith('rootfs/')) copyOf = target;
          }
          entries.push(copyOf === undefined ? { image: index, path: p, header: h } : { image: index, path: p, header: h, copyOf });
          mine.set(p, h.type);
          return false;
        },
      }),
      { hash: verify },
    );
    total?.next();
    const failed = scanError(scan, typeof source === 'string' ? source : undefined);
    if (failed) throw failed;
    for (const i of scan.issues) noteArchiveIssue(i);
    if (refused !== undefined) {
      throw issueError({ ...refused, message: `${label}: ${refused.message}` }, typeof source === 'string' ? source : undefined);
    }
    if (verify && scan.imageId !== image.id) {
      throw new AppcError('RENDER_HASH_MISMATCH', `image ${image.manifest.name} hashes to ${scan.imageId ?? '(unreadable)'}, not ${image.id}`, typeof source === 'string' ? { file: source } : {});
    }
  }
  if (options.strict && warnings.length > 0) {
    const first = warnings[0]!;
    throw new AppcError(first.code, `${first.message} (strict)`);
  }
  return { images, entries, warnings };
}

/**
 * Sums the per-archive progress of several archives read one after the other into one growing count:
 * `onProgress` is given to each archive's reader, `next()` is called when an archive is done.
 */
function progressTotal(report: ((progress: AciProgress) => void) | undefined): { onProgress: (p: AciProgress) => void; next(): void } | undefined {
  if (report === undefined) return undefined;
  let before: AciProgress = { compressedBytes: 0, bytes: 0 };
  let last: AciProgress = { compressedBytes: 0, bytes: 0 };
  return {
    onProgress(p) {
      last = p;
      report({ compressedBytes: before.compressedBytes + p.compressedBytes, bytes: before.bytes + p.bytes });
    },
    next() {
      before = { compressedBytes: before.compressedBytes + last.compressedBytes, bytes: before.bytes + last.bytes };
      last = { compressedBytes: 0, bytes: 0 };
    },
  };
}

/** Options of writeRendered. */
export interface WriteRenderedOptions {
  /** Owners of what is written (default `current`: set-id bits are then cleared); see OwnerMode. */
  readonly owners?: OwnerMode;
  /** Same as `owners: 'preserve'` (the former option). */
  readonly preserveOwners?: boolean;
  /**
   * Check again, while writing, that every archive hashes to its image ID (RENDER_HASH_MISMATCH, and nothing is
   * left behind): the archives are read a second time, and a store's file may have changed since renderImage.
   * Default true.
   */
  readonly verifyImageIds?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Called as the images' archives are read, with bytes counted over all of them so far (`compressedBytes` read
   * from the store's files, `bytes` uncompressed): the numbers only grow, and once every archive was read to its
   * end `compressedBytes` is the sum of their sizes.
   */
  readonly onProgress?: (progress: AciProgress) => void;
}

/** What writeRendered did. */
export interface WriteRenderedReport {
  /** Files, directories and links created. */
  readonly written: number;
  /** Entries that cannot be created here (devices, FIFOs, sparse files), as ACI_UNSUPPORTED_ENTRY warnings. */
  readonly skipped: readonly Issue[];
}

/** A rootfs archive path as a path below the target (`rootfs` is the target itself); undefined outside rootfs. */
function belowRoot(path: string): string | undefined {
  if (path === 'rootfs') return '.';
  return path.startsWith('rootfs/') ? path.slice('rootfs/'.length) : undefined;
}

/**
 * Writes a rendered rootfs into `dir`, which must be missing or an empty directory (else
 * RENDER_TARGET_NOT_EMPTY). The tree is built in a temporary directory next to `dir` and renamed into place at
 * the end, so a failure leaves nothing behind. Entries keep their modes and times (directories' are set last,
 * so a read-only directory of a lower image does not block the entries of an upper one); nothing is written
 * outside the tree (the extractor's rules, ACI_UNSAFE_ENTRY).
 */
export async function writeRendered(store: ImageStore, rendered: RenderedImage, dir: string, options: WriteRenderedOptions = {}): Promise<WriteRenderedReport> {
  return buildIntoEmptyDirectory(dir, 'RENDER_TARGET_NOT_EMPTY', async (staging) => {
    const writer = new EntryWriter(staging, { label: dir, owners: options.owners ?? (options.preserveOwners ? 'preserve' : 'current') });
    const total = progressTotal(options.onProgress);
    for (let index = 0; index < rendered.images.length; index++) {
      const mine = rendered.entries.filter((e) => e.image === index);
      if (mine.length === 0) continue;
      const byOffset = new Map(mine.map((e) => [e.header.offset, e]));
      // Hard links whose target is not rendered from this image: the first one gets a copy of the target's
      // content when the target's entry goes by, the others are linked to that copy.
      const copies = new Map<string, string[]>();
      for (const e of mine) if (e.copyOf !== undefined) copies.set(e.copyOf, [...(copies.get(e.copyOf) ?? []), e.path]);
      const copied = new Set<string>();
      const { image } = rendered.images[index]!;
      const source = await store.source(image.id);
      let imageId: string | undefined;
      const readOptions = {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.verifyImageIds !== false ? { onImageId: (id: string) => void (imageId = id) } : {}),
        ...(total ? { onProgress: total.onProgress } : {}),
      };
      for await (const entry of readAciEntries(source, readOptions)) {
        const wanted = byOffset.get(entry.header.offset);
        const links = copies.get(entry.path);
        if (wanted === undefined && links !== undefined && !copied.has(entry.path)) {
          const t = entry.header.type;
          if (t !== 'file' && t !== 'contiguous-file' && t !== 'symlink') throw unsafeEntry(entry, `${t} ${entry.path} cannot be the target of a hard link`);
          await writer.write(entry, belowRoot(links[0]!)!);
          copied.add(entry.path);
          continue;
        }
        if (wanted === undefined || wanted.path !== entry.path) continue;
        const rel = belowRoot(wanted.path);
        if (rel === undefined) continue;
        if (wanted.copyOf !== undefined) {
          if (!copied.has(wanted.copyOf)) throw unsafeEntry(entry, `hard link target ${JSON.stringify(entry.header.linkname)} does not come before it in its image`);
          const first = copies.get(wanted.copyOf)![0]!;
          if (first !== wanted.path) await writer.write(entry, rel, belowRoot(first));
          continue;
        }
        await writer.write(entry, rel, entry.header.type === 'link' ? belowRoot(cleanPath(entry.header.linkname)) : undefined);
      }
      total?.next();
      if (options.verifyImageIds !== false && imageId !== image.id) {
        throw new AppcError(
          'RENDER_HASH_MISMATCH',
          `image ${image.manifest.name} hashes to ${imageId ?? '(unreadable)'}, not ${image.id} (it changed after it was rendered); nothing was written`,
          typeof source === 'string' ? { file: source } : {},
        );
      }
    }
    await writer.finish();
    return { written: writer.written, skipped: writer.skipped };
  });
}
