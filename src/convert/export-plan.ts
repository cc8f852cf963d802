/**
 * What each OCI layer of an export holds (OCI image-spec layer.md). Squashed: the entries `renderImage`
 * selected, from every image. Layered: one layer per image of the dependency list, lowest first, each with its
 * own rootfs entries (its own pathWhitelist applied, R-SE-4) and whiteouts for the lower paths its whitelist
 * removes (R-SE-5). The layered plan is checked by applying it the way OCI runtimes do and comparing with the
 * rendered tree: a difference is EXPORT_LAYERED_INEXACT, before anything is written.
 */
import type { TarHeader } from '../aci/tar/header.js';
import { cleanPath } from '../aci/tar/path.js';
import type { RenderedImage } from '../render/render.js';
import type { Whitelist } from '../render/select.js';
import { convertError } from './codes.js';

/** What to write for one archive entry of an image. */
export interface PlannedEntry {
  /** Path in the layer (no `rootfs/`, no leading `/`). */
  readonly path: string;
  /** Write a hard link to this layer path instead of the entry itself. */
  readonly linkTo?: string;
}

/** An extra entry of a layer, written before the image's own: a whiteout or a directory a child needs. */
export interface PreludeEntry {
  readonly kind: 'whiteout' | 'directory';
  readonly path: string;
}

/** The part of a layer that comes from one image's archive. */
export interface LayerPart {
  /** Index of the image in the rendered list. */
  readonly image: number;
  readonly prelude: readonly PreludeEntry[];
  /** By the entry's offset in the archive. */
  readonly entries: ReadonlyMap<number, PlannedEntry>;
  /**
   * Hard link targets the layer does not hold (a whitelist or an upper image left them out): when the entry at
   * this archive path goes by, its content is written at the given layer path (the first of its links).
   */
  readonly copies: ReadonlyMap<string, string>;
  /**
   * Write every rootfs entry of the archive (an image alone, without dependencies or whitelist, whose archive
   * was validated: there is nothing to select, so the selection pass is skipped).
   */
  readonly all?: boolean;
}

/** One layer: parts in order (one per image when layered; all images, lowest first, when squashed). */
export type LayerPlan = readonly LayerPart[];

/** Archive path (`rootfs/a/b`) to layer path (`a/b`). */
export function layerPath(archivePath: string): string {
  return archivePath.slice('rootfs/'.length);
}

/**
 * The squashed layer: every selected entry, images lowest first so that a lower image's directories come
 * before an upper image's files in them, each image's in archive order (a hard link after its target).
 */
export function planSquashed(rendered: RenderedImage): LayerPlan {
  const parts: LayerPart[] = [];
  for (let index = rendered.images.length - 1; index >= 0; index--) {
    const entries = new Map<number, PlannedEntry>();
    const copies = new Map<string, string>();
    for (const e of rendered.entries) {
      if (e.image !== index || e.path === 'rootfs') continue;
      const path = layerPath(e.path);
      if (e.copyOf !== undefined) {
        // The first link takes a copy of the target's content when the target goes by; the others link to it.
        const first = copies.get(e.copyOf);
        if (first === undefined) copies.set(e.copyOf, path);
        else entries.set(e.header.offset, { path, linkTo: first });
        continue;
      }
      entries.set(e.header.offset, e.header.type === 'link' ? { path, linkTo: layerPath(cleanPath(e.header.linkname)) } : { path });
    }
    if (entries.size > 0 || copies.size > 0) parts.push({ image: index, prelude: [], entries, copies });
  }
  return parts;
}

/** One entry of an image, as the layered planner needs it. */
export interface ImageEntry {
  readonly path: string;
  readonly header: TarHeader;
}

interface SimNode {
  dir: boolean;
  /** `imageId@offset` of the entry, or `implied` for a directory made for a child. */
  src: string;
  children?: Map<string, SimNode>;
}

function newDir(src: string): SimNode {
  return { dir: true, src, children: new Map() };
}

/**
 * The layered plan: layer k (bottom first) is image `n-1-k` of the rendered list. Checked against the
 * rendered tree by applying the layers as an OCI runtime does.
 * @param entriesOf every entry of an image of the list, in archive order.
 * @param whitelists each image's own whitelist (as `whitelistOf` gives it).
 * @throws AppcError EXPORT_LAYERED_INEXACT when the layers would not give the rendered tree.
 */
export function planLayered(rendered: RenderedImage, entriesOf: (index: number) => readonly ImageEntry[], whitelists: readonly (Whitelist | undefined)[]): LayerPlan[] {
  const root = newDir('implied');
  const layers: LayerPlan[] = [];
  let topPrelude: PreludeEntry[] = [];
  for (let index = rendered.images.length - 1; index >= 0; index--) {
    const id = rendered.images[index]!.image.id;
    const own = whitelists[index];
    const all = entriesOf(index);
    const content = all.filter((e) => e.path.startsWith('rootfs/') && e.header.type !== 'pax-global-header' && (own === undefined || e.header.type === 'directory' || own.has(e.path)));
    const contentTypes = new Map(content.map((e) => [e.path, e.header.type]));
    const prelude: PreludeEntry[] = [];

    // Whiteouts: lower paths this image's whitelist removes, unless this layer replaces them anyway. A lower
    // directory outside the whitelist stays, as a plain directory, only when something below it stays.
    if (own !== undefined) {
      const prune = (node: SimNode, prefix: string, out: PreludeEntry[]): void => {
        for (const [name, child] of [...node.children!]) {
          const p = `${prefix}/${name}`;
          if (own.has(p)) {
            if (child.dir) prune(child, p, out);
            continue;
          }
          const mine = contentTypes.get(p);
          if (mine !== undefined) {
            if (mine === 'directory' && child.dir) prune(child, p, out);
            continue;
          }
          if (child.dir) {
            const inner: PreludeEntry[] = [];
            prune(child, p, inner);
            if (child.children!.size > 0) {
              // Kept for what is below it, but not itself selected: the rendered tree has a plain directory there.
              out.push({ kind: 'directory', path: layerPath(p) }, ...inner);
              child.src = 'implied';
              continue;
            }
          }
          out.push({ kind: 'whiteout', path: layerPath(p) });
          node.children!.delete(name);
        }
      };
      prune(root, 'rootfs', prelude);
    }

    // The entries, applied in archive order.
    const entries = new Map<number, PlannedEntry>();
    const copies = new Map<string, string>();
    for (const e of content) {
      const parts = e.path.split('/').slice(1);
      let node = root;
      for (let i = 0; i < parts.length - 1; i++) {
        let next = node.children!.get(parts[i]!);
        if (next === undefined) {
          next = newDir('implied');
          node.children!.set(parts[i]!, next);
        } else if (!next.dir) {
          // A lower file or symlink where this image needs a directory: replaced by one, as render does.
          const at = parts.slice(0, i + 1).join('/');
          prelude.push({ kind: 'directory', path: at });
          next = newDir('implied');
          node.children!.set(parts[i]!, next);
        }
        node = next;
      }
      const base = parts[parts.length - 1]!;
      const src = `${id}@${e.header.offset}`;
      const existing = node.children!.get(base);
      const isDir = e.header.type === 'directory' || e.header.type === 'gnu-dumpdir';
      if (isDir && existing?.dir) existing.src = src;
      else node.children!.set(base, isDir ? newDir(src) : { dir: false, src });
      const path = layerPath(e.path);
      if (e.header.type === 'link') {
        const target = cleanPath(e.header.linkname);
        if (contentTypes.has(target)) entries.set(e.header.offset, { path, linkTo: layerPath(target) });
        else {
          const first = copies.get(target);
          if (first === undefined) copies.set(target, path);
          else entries.set(e.header.offset, { path, linkTo: first });
        }
        continue;
      }
      entries.set(e.header.offset, { path });
    }
    layers.push([{ image: index, prelude, entries, copies }]);
    topPrelude = prelude;
  }
  // What the runtime would keep but render drops (a parent a lower whitelist kept only for a child that an
  // upper whitelist then removes) is whited out by the top layer. The top image has nothing at or below such a
  // path (render would keep it), so the whiteout removes lower content only, as OCI layers do. The top layer's
  // prelude may already hold entries at or below such a path (a plain directory kept for a child, a whiteout of
  // that child): they go, since a whiteout applies only to lower layers and would leave them in place.
  const extras = compareWithRendered(root, rendered);
  for (const p of extras) {
    const path = layerPath(p);
    for (let i = topPrelude.length - 1; i >= 0; i--) {
      const at = topPrelude[i]!.path;
      if (at === path || at.startsWith(`${path}/`)) topPrelude.splice(i, 1);
    }
    topPrelude.push({ kind: 'whiteout', path });
  }
  return layers;
}

/**
 * Compares the simulated tree with the rendered one. Returns the topmost paths the layers would keep where render
 * has nothing (to be whited out); throws EXPORT_LAYERED_INEXACT for any other difference.
 */
function compareWithRendered(root: SimNode, rendered: RenderedImage): string[] {
  const want = new Map<string, string>();
  for (const e of rendered.entries) {
    if (e.path === 'rootfs') continue;
    want.set(e.path, `${rendered.images[e.image]!.image.id}@${e.header.offset}`);
  }
  for (const p of [...want.keys()]) {
    for (let i = p.lastIndexOf('/'); i > 'rootfs'.length; i = p.lastIndexOf('/', i - 1)) {
      const parent = p.slice(0, i);
      if (!want.has(parent)) want.set(parent, 'implied');
    }
  }
  const describe = (src: string | undefined): string => {
    if (src === undefined) return 'nothing';
    if (src === 'implied') return 'a plain directory';
    const [id, offset] = src.split('@');
    const image = rendered.images.find((i) => i.image.id === id);
    return `the entry at offset ${offset} of ${image?.image.manifest.name ?? id}`;
  };
  const fail = (path: string, layered: string | undefined, expected: string | undefined): never => {
    throw convertError(
      'EXPORT_LAYERED_INEXACT',
      `one layer per image would put ${describe(layered)} at /${layerPath(path)}, where render puts ${describe(expected)} (a dependency reached by two paths with different whitelists); export without --layered`,
      { entry: path },
    );
  };
  let seen = 0;
  const extras: string[] = [];
  const walk = (node: SimNode, prefix: string): void => {
    for (const [name, child] of node.children!) {
      const p = `${prefix}/${name}`;
      const expected = want.get(p);
      if (expected === undefined) {
        extras.push(p);
        continue;
      }
      if (expected !== child.src) fail(p, child.src, expected);
      seen++;
      if (child.dir) walk(child, p);
    }
  };
  walk(root, 'rootfs');
  if (seen !== want.size) {
    const missing = [...want.keys()].find((p) => {
      let node: SimNode | undefined = root;
      for (const part of p.split('/').slice(1)) node = node?.children?.get(part);
      return node === undefined;
    });
    if (missing !== undefined) fail(missing, undefined, want.get(missing));
  }
  return extras;
}
