/**
 * Applying layers to a file tree that holds metadata only (OCI image-spec layer.md#applying-changesets):
 * whiteouts delete from the lower layers, later entries replace earlier ones, a directory over a directory
 * merges. The tree records, for every regular file, which layer entry holds its body, so the bodies can be
 * streamed in a second pass: memory grows with the number of entries, never with their size.
 */
import type { TarHeader } from '../aci/tar/header.js';
import { cleanPath } from '../aci/tar/path.js';
import { convertError } from './codes.js';
import { classifyWhiteout } from './whiteouts.js';

/** Kinds of nodes in the tree. */
export type NodeKind = 'file' | 'directory' | 'symlink' | 'character-device' | 'block-device' | 'fifo';

/** Where a regular file's body is: entry `ordinal` of layer `layer`, named `name` there, `size` bytes. */
export interface Content {
  readonly layer: number;
  readonly ordinal: number;
  readonly name: string;
  readonly size: number;
}

/** The metadata a node keeps from its tar header. */
export interface NodeMeta {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly mtime: number;
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
  readonly xattrs?: Readonly<Record<string, string>>;
}

/** One path of the tree. */
export interface FsNode {
  kind: NodeKind;
  meta: NodeMeta;
  /** For files: the body. Hard links share the same object. */
  content?: Content;
  children?: Map<string, FsNode>;
  /** A directory no layer has an entry for (created for a child); written with default metadata. */
  implicit: boolean;
}

/** A directory made for a child whose parent no layer defined: 0755, root, time 0 (as Docker does). */
export const IMPLICIT_DIR_META: NodeMeta = { mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', mtime: 0, linkname: '', devmajor: 0, devminor: 0 };

function newDir(meta: NodeMeta, implicit: boolean): FsNode {
  return { kind: 'directory', meta, children: new Map(), implicit };
}

/** One entry of a layer, as pass 1 records it (no body). */
export interface LayerEntry {
  readonly ordinal: number;
  /** The cleaned path (no `./`, no trailing `/`). */
  readonly path: string;
  readonly header: TarHeader;
}

function metaOf(h: TarHeader): NodeMeta {
  return {
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    uname: h.uname,
    gname: h.gname,
    mtime: Math.max(0, Math.floor(h.mtime)),
    linkname: h.type === 'symlink' ? h.linkname : '',
    devmajor: h.devmajor,
    devminor: h.devminor,
    ...(h.xattrs && Object.keys(h.xattrs).length > 0 ? { xattrs: h.xattrs } : {}),
  };
}

/** The node kind of a tar entry type, `link` for hard links, `skip` for entries that carry nothing, undefined when unsupported. */
export function kindOfEntry(type: TarHeader['type']): NodeKind | 'link' | 'skip' | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
    case 'gnu-dumpdir':
      return 'directory';
    case 'symlink':
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return type;
    case 'link':
      return 'link';
    case 'pax-global-header':
    case 'gnu-volume-header':
      return 'skip';
    default:
      return undefined;
  }
}

/**
 * Cleans a layer entry name and checks it: no absolute path, no `..` component. Returns `''` for the root
 * itself (`./`).
 * @throws AppcError CONVERT_PATH_ABSOLUTE or CONVERT_PATH_TRAVERSAL.
 */
export function cleanLayerPath(name: string, where: string): string {
  if (name.startsWith('/')) throw convertError('CONVERT_PATH_ABSOLUTE', `${where}: entry ${JSON.stringify(name)} has an absolute path`, { entry: name });
  if (/(^|\/)\.\.(\/|$)/.test(name)) throw convertError('CONVERT_PATH_TRAVERSAL', `${where}: entry ${JSON.stringify(name)} has a ".." component`, { entry: name });
  if (name.includes('\0')) throw convertError('CONVERT_PATH_TRAVERSAL', `${where}: entry name contains a NUL byte`, { entry: name });
  const c = cleanPath(name);
  return c === '.' ? '' : c;
}

/** Options of a tree. */
export interface FsTreeOptions {
  /** Most nodes (default 1,000,000). */
  readonly maxEntries?: number;
}

/** The merged file tree of the layers applied so far. */
export class FsTree {
  readonly root: FsNode = newDir(IMPLICIT_DIR_META, true);
  /** Nodes in the tree, roughly (removals are not subtracted; the limit guards against floods). */
  private added = 0;
  private readonly maxEntries: number;

  constructor(options: FsTreeOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1_000_000;
  }

  /** The node at a cleaned path, or undefined; never looks through symlinks. */
  lookup(path: string): FsNode | undefined {
    if (path === '') return this.root;
    let node: FsNode | undefined = this.root;
    for (const part of path.split('/')) {
      if (node?.kind !== 'directory') return undefined;
      node = node.children!.get(part);
    }
    return node;
  }

  /** Removes a path and everything under it; returns true when there was something to remove. */
  remove(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const parent = this.lookup(slash === -1 ? '' : path.slice(0, slash));
    if (parent?.kind !== 'directory') return false;
    return parent.children!.delete(slash === -1 ? path : path.slice(slash + 1));
  }

  /** Empties a directory (opaque whiteout); returns true when it had children. */
  clear(path: string): boolean {
    const node = this.lookup(path);
    if (node?.kind !== 'directory' || node.children!.size === 0) return false;
    node.children!.clear();
    return true;
  }

  /**
   * The parent directory of `path`, creating missing directories as implicit ones.
   * @throws AppcError CONVERT_PATH_THROUGH_SYMLINK when an ancestor is not a directory.
   */
  private parentOf(path: string, where: string): FsNode {
    const parts = path.split('/');
    let node = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      let next = node.children!.get(part);
      if (next === undefined) {
        next = newDir(IMPLICIT_DIR_META, true);
        this.count();
        node.children!.set(part, next);
      } else if (next.kind !== 'directory') {
        const at = parts.slice(0, i + 1).join('/');
        const what = next.kind === 'symlink' ? `a symlink to ${JSON.stringify(next.meta.linkname)}` : `a ${next.kind === 'file' ? 'regular file' : next.kind}`;
        throw convertError(
          'CONVERT_PATH_THROUGH_SYMLINK',
          `${where}: entry ${JSON.stringify(path)} lies under ${JSON.stringify(at)}, which is ${what} at that point; extracting it would write through it`,
          { entry: path },
        );
      }
      node = next;
    }
    return node;
  }

  private count(): void {
    if (++this.added > this.maxEntries) {
      throw convertError('CONVERT_LIMIT_EXCEEDED', `the image has more than maxEntries (${this.maxEntries}) entries`);
    }
  }

  /**
   * Adds one entry: a directory over a directory takes the new metadata and keeps the children; anything
   * else replaces what was there (a file over a directory drops the directory's subtree).
   * @param linkTarget for hard links: the node the link points to (already resolved by the caller).
   */
  put(entry: LayerEntry, layer: number, kind: NodeKind | 'link', where: string, linkTarget?: FsNode): void {
    if (entry.path === '') return;
    const parent = this.parentOf(entry.path, where);
    const slash = entry.path.lastIndexOf('/');
    const base = slash === -1 ? entry.path : entry.path.slice(slash + 1);
    const existing = parent.children!.get(base);
    const h = entry.header;
    if (kind === 'directory') {
      if (existing?.kind === 'directory') {
        existing.meta = metaOf(h);
        existing.implicit = false;
        return;
      }
      this.count();
      parent.children!.set(base, newDir(metaOf(h), false));
      return;
    }
    let node: FsNode;
    if (kind === 'link') {
      const t = linkTarget!;
      // A hard link is the same inode: same metadata and, for a file, the same body.
      node = t.content ? { kind: t.kind, meta: t.meta, content: t.content, implicit: false } : { kind: t.kind, meta: t.meta, implicit: false };
    } else if (kind === 'file') {
      node = { kind, meta: metaOf(h), content: { layer, ordinal: entry.ordinal, name: h.name, size: h.size }, implicit: false };
    } else {
      node = { kind, meta: metaOf(h), implicit: false };
    }
    if (existing === undefined) this.count();
    parent.children!.set(base, node);
  }

  /**
   * Resolves a hard link target for `put`.
   * @throws AppcError CONVERT_HARDLINK_ESCAPE, CONVERT_HARDLINK_DANGLING, CONVERT_HARDLINK_TO_DIRECTORY.
   */
  resolveLink(entry: LayerEntry, where: string): FsNode {
    const target = linkTargetPath(entry, where);
    const node = this.lookup(target);
    if (node === undefined) {
      throw convertError(
        'CONVERT_HARDLINK_DANGLING',
        `${where}: hard link ${JSON.stringify(entry.path)} points to ${JSON.stringify(target)}, which does not exist at that point (never added, or removed by a whiteout)`,
        { entry: entry.path },
      );
    }
    if (node.kind === 'directory')
      throw convertError('CONVERT_HARDLINK_TO_DIRECTORY', `${where}: hard link ${JSON.stringify(entry.path)} points to the directory ${JSON.stringify(target)}`, { entry: entry.path });
    return node;
  }
}

/**
 * The cleaned target path of a hard link entry; a leading `/` means the layer root, as Docker reads it.
 * @throws AppcError CONVERT_HARDLINK_ESCAPE when the target has `..` or is empty.
 */
export function linkTargetPath(entry: LayerEntry, where: string): string {
  const raw = entry.header.linkname;
  if (raw === '' || /(^|\/)\.\.(\/|$)/.test(raw) || raw.includes('\0')) {
    throw convertError('CONVERT_HARDLINK_ESCAPE', `${where}: hard link ${JSON.stringify(entry.path)} points to ${JSON.stringify(raw)}, which ${raw === '' ? 'is empty' : 'climbs with ".."'}`, {
      entry: entry.path,
    });
  }
  const c = cleanPath(raw.replace(/^\/+/, ''));
  if (c === '.') throw convertError('CONVERT_HARDLINK_ESCAPE', `${where}: hard link ${JSON.stringify(entry.path)} points to the layer root`, { entry: entry.path });
  return c;
}

/** What applying one layer did. */
export interface ApplyReport {
  /** True when a whiteout or opaque marker removed something from a lower layer. */
  readonly deleted: boolean;
}

/**
 * Applies one layer's entries (all of them, in tar order) to the merged tree: first its whiteouts and opaque
 * markers against the lower layers, then its entries in order. When `own` is given (layered mode) the
 * entries also go into that layer's own tree, whose hard links may only point inside the layer.
 */
export function applyLayer(tree: FsTree, entries: readonly LayerEntry[], layer: number, where: string, own?: FsTree): ApplyReport {
  let deleted = false;
  // Whiteouts hide lower content only (layer.md): apply them all before this layer's own entries.
  for (const e of entries) {
    const w = classifyWhiteout(e.path);
    if (w === undefined) continue;
    if (w.kind === 'escape')
      throw convertError('CONVERT_WHITEOUT_ESCAPE', `${where}: whiteout ${JSON.stringify(e.path)} names ${JSON.stringify(w.target)}, which would delete its own directory or reach above it`, {
        entry: e.path,
      });
    if (w.kind === 'opaque') deleted = tree.clear(w.dir) || deleted;
    else if (w.kind === 'whiteout') deleted = tree.remove(w.target) || deleted;
  }
  for (const e of entries) {
    if (e.path === '' || classifyWhiteout(e.path) !== undefined) continue;
    const kind = kindOfEntry(e.header.type);
    if (kind === 'skip') continue;
    if (kind === undefined) throw convertError('CONVERT_BAD_LAYER', `${where}: entry ${JSON.stringify(e.path)} is a ${e.header.type} entry, which cannot be carried into an ACI`, { entry: e.path });
    if (kind === 'link') {
      const target = tree.resolveLink(e, where);
      tree.put(e, layer, 'link', where, target);
      if (own) {
        const mine = own.lookup(linkTargetPath(e, where));
        if (mine === undefined || mine.implicit) {
          throw convertError(
            'CONVERT_HARDLINK_ACROSS_LAYERS',
            `${where}: hard link ${JSON.stringify(e.path)} points to ${JSON.stringify(e.header.linkname)} in a lower layer; one layer ACI cannot hold it (convert without --layered)`,
            { entry: e.path },
          );
        }
        own.put(e, layer, 'link', where, mine);
      }
      continue;
    }
    tree.put(e, layer, kind, where);
    own?.put(e, layer, kind, where);
  }
  return { deleted };
}

/** One path of a tree, in output order. */
export interface TreeItem {
  /** Relative path, no leading `/`. */
  readonly path: string;
  readonly node: FsNode;
}

/** Every path of the tree (root excluded) depth first, children in name order: parents before children. */
export function* walkTree(tree: FsTree): Generator<TreeItem> {
  const stack: TreeItem[] = [];
  const push = (prefix: string, node: FsNode): void => {
    const names = [...node.children!.keys()].sort();
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      stack.push({ path: prefix === '' ? name : `${prefix}/${name}`, node: node.children!.get(name)! });
    }
  };
  push('', tree.root);
  while (stack.length > 0) {
    const item = stack.pop()!;
    yield item;
    if (item.node.kind === 'directory') push(item.path, item.node);
  }
}
