/**
 * Applying image layers with whiteouts (OCI image spec "Whiteouts"): `.wh.NAME` deletes NAME from lower layers,
 * `.wh..wh..opq` hides everything lower in its directory. Pass 1 reads only headers and decides, path by path,
 * which layer's entry survives; pass 2 streams the surviving bodies into the ACI. Memory grows with the number of
 * paths, never with file sizes.
 */
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { readAciEntries } from '../aci/entries.js';
import type { AciEntry } from '../aci/entries.js';
import type { TarHeader } from '../aci/tar/header.js';
import { cleanPath, climbsOut, hasDotDot } from '../aci/tar/path.js';
import { encodeTarHeader, padding } from '../aci/tar/write-tar.js';
import type { TarEntryInput, WritableEntryType } from '../aci/tar/write-tar.js';
import type { TarOutput } from '../aci/archive-output.js';
import type { ImageInput } from './input.js';
import type { LayerRef } from './select-image.js';
import { CONVERT_CODES } from './codes.js';

/** Which layer's entry a path comes from, and which occurrence in that layer (a layer may repeat a path). */
interface Survivor {
  readonly layer: number;
  readonly occurrence: number;
  readonly type: TarHeader['type'];
  readonly linkname: string;
  /** For directories: the header, so a parent can be written before its own layer comes up. */
  readonly dir?: Pick<TarHeader, 'mode' | 'uid' | 'gid' | 'uname' | 'gname' | 'mtime'>;
}

const WRITABLE: ReadonlySet<string> = new Set(['file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo']);
const OPAQUE = '.wh..wh..opq';

/** Reads a layer's entries, checking the layer's digest as its bytes go by. */
export function layerEntries(input: ImageInput, layer: LayerRef): AsyncGenerator<AciEntry> {
  return readAciEntries(input.blobStream(layer.path, layer.digest, layer.what));
}

function unsafe(layer: LayerRef, name: string, why: string): AppcError {
  return new AppcError('CONVERT_UNSAFE_PATH', `${layer.what}: refused ${JSON.stringify(name)}: ${why}`, { entry: name });
}

/** The filesystem state after some layers: path (relative, cleaned) to the entry that survives. */
export class LayerState {
  readonly #paths = new Map<string, Survivor>();
  readonly warnings: Issue[] = [];

  /** Paths in the state, sorted (for whitelists in layered mode). */
  paths(): string[] {
    return [...this.#paths.keys()].sort();
  }

  survivor(path: string): Survivor | undefined {
    return this.#paths.get(path);
  }

  #removeTree(path: string, belowLayer: number): void {
    for (const p of [...this.#paths.keys()]) {
      if ((p === path || p.startsWith(path + '/')) && this.#paths.get(p)!.layer < belowLayer) this.#paths.delete(p);
    }
  }

  #checkParents(layer: LayerRef, name: string, path: string): void {
    for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      const parent = this.#paths.get(path.slice(0, i));
      // Writing below a symlink or file would land wherever that symlink points: refuse it.
      if (parent !== undefined && parent.type !== 'directory') throw unsafe(layer, name, `${path.slice(0, i)} is a ${parent.type}, not a directory`);
    }
  }

  /** Applies one layer's headers (pass 1). */
  async apply(input: ImageInput, layer: LayerRef, index: number): Promise<void> {
    const occurrences = new Map<string, number>();
    for await (const entry of layerEntries(input, layer)) {
      const h = entry.header;
      if (h.type === 'pax-global-header') continue;
      const name = h.name;
      if (name.startsWith('/')) throw unsafe(layer, name, 'absolute path');
      if (hasDotDot(name) || climbsOut(cleanPath(name))) throw unsafe(layer, name, 'the path climbs out with ".."');
      const path = cleanPath(name);
      if (path === '.') continue;
      const occurrence = (occurrences.get(path) ?? 0) + 1;
      occurrences.set(path, occurrence);
      const slash = path.lastIndexOf('/');
      const dir = slash < 0 ? '' : path.slice(0, slash);
      const base = path.slice(slash + 1);
      if (base === OPAQUE) {
        // Everything lower layers put in the directory goes; the directory itself stays.
        for (const p of [...this.#paths.keys()]) if ((dir === '' || p.startsWith(dir + '/')) && this.#paths.get(p)!.layer < index) this.#paths.delete(p);
        continue;
      }
      if (base.startsWith('.wh.')) {
        const target = (dir === '' ? '' : dir + '/') + base.slice(4);
        if (base.length === 4 || climbsOut(cleanPath(target)) || cleanPath(target) !== target) throw unsafe(layer, name, 'a whiteout that does not name an entry of its directory');
        this.#removeTree(target, index);
        continue;
      }
      if (!WRITABLE.has(h.type)) {
        this.warnings.push({ code: 'CONVERT_SKIPPED_ENTRY', severity: CONVERT_CODES.CONVERT_SKIPPED_ENTRY.severity, path: '', entry: name, message: `${layer.what}: ${JSON.stringify(name)} is a ${h.type} entry, which an ACI cannot hold; left out` });
        continue;
      }
      this.#checkParents(layer, name, path);
      if (h.type === 'link') {
        const target = cleanPath(h.linkname);
        if (h.linkname.startsWith('/') || climbsOut(target)) throw new AppcError('CONVERT_BAD_HARDLINK', `${layer.what}: hard link ${JSON.stringify(name)} points outside the image (${JSON.stringify(h.linkname)})`, { entry: name });
        const t = this.#paths.get(target);
        if (t === undefined || t.type === 'directory') throw new AppcError('CONVERT_BAD_HARDLINK', `${layer.what}: hard link ${JSON.stringify(name)} points at ${JSON.stringify(h.linkname)}, which ${t ? 'is a directory' : 'does not exist (or was deleted)'}`, { entry: name });
      }
      const previous = this.#paths.get(path);
      // A non-directory replacing a directory removes what was below it.
      if (previous !== undefined && previous.type === 'directory' && h.type !== 'directory') this.#removeTree(path, index + 1);
      const dirHeader = h.type === 'directory' ? { dir: { mode: h.mode, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, mtime: h.mtime } } : {};
      this.#paths.set(path, { layer: index, occurrence, type: h.type, linkname: h.type === 'link' ? cleanPath(h.linkname) : h.linkname, ...dirHeader });
    }
  }

  /** Checks that every surviving hard link still has its target (a later whiteout may have removed it). */
  checkLinks(): void {
    for (const [path, s] of this.#paths) {
      if (s.type !== 'link') continue;
      const t = this.#paths.get(s.linkname);
      if (t === undefined || t.type === 'directory') throw new AppcError('CONVERT_BAD_HARDLINK', `hard link ${JSON.stringify(path)} points at ${JSON.stringify(s.linkname)}, which a later layer deleted or replaced`, { entry: path });
    }
  }
}

/** Writes the surviving entries of the given layers under `rootfs/` (pass 2); returns the number of entries written. */
export async function writeLayers(input: ImageInput, layers: readonly LayerRef[], indexes: readonly number[], keep: (path: string, layer: number, occurrence: number) => boolean, tar: TarOutput, written: Set<string>, state?: LayerState): Promise<number> {
  let count = 0;
  const ensureParents = async (path: string): Promise<void> => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (written.has(dir)) continue;
      written.add(dir);
      // A parent that an upper layer redefines gets that layer's header now; one no layer has gets 0755 root.
      const h = state?.survivor(dir)?.dir ?? { mode: 0o755, uid: 0, gid: 0, uname: '', gname: '', mtime: 0 };
      await tar.put(encodeTarHeader({ name: `rootfs/${dir}`, type: 'directory', mode: h.mode, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, mtime: Math.floor(h.mtime) }));
      count++;
    }
  };
  for (const index of indexes) {
    const layer = layers[index]!;
    const occurrences = new Map<string, number>();
    for await (const entry of layerEntries(input, layer)) {
      const h = entry.header;
      if (h.type === 'pax-global-header') continue;
      const path = cleanPath(h.name);
      if (path === '.') continue;
      const occurrence = (occurrences.get(path) ?? 0) + 1;
      occurrences.set(path, occurrence);
      if (!keep(path, index, occurrence)) continue;
      // A directory written early as a parent of a lower layer's file is not written twice.
      if (h.type === 'directory' && written.has(path)) continue;
      await ensureParents(path);
      const header: TarEntryInput = {
        name: `rootfs/${path}`,
        type: h.type as WritableEntryType,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        uname: h.uname,
        gname: h.gname,
        mtime: Math.floor(h.mtime),
        ...(h.type === 'file' ? { size: h.size } : {}),
        ...(h.type === 'link' ? { linkname: `rootfs/${cleanPath(h.linkname)}` } : h.type === 'symlink' ? { linkname: h.linkname } : {}),
        ...(h.type === 'character-device' || h.type === 'block-device' ? { devmajor: h.devmajor, devminor: h.devminor } : {}),
        ...(h.xattrs ? { xattrs: h.xattrs } : {}),
      };
      await tar.put(encodeTarHeader(header));
      if (h.type === 'file' && h.size > 0) {
        for await (const chunk of entry.body) await tar.put(chunk);
        await tar.zeros(padding(h.size));
      }
      written.add(path);
      count++;
    }
  }
  return count;
}
