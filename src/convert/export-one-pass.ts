/**
 * The export of an ACI file that stands alone (no dependencies, no whitelist, no owner look-up) in one read:
 * the archive is validated entry by entry, as extract does it (aci/image-check.ts: the policy and checks of
 * validateAci, which the hostile-archive table pins), while its rootfs goes into the layer, and its image ID is
 * the sha512 of the very bytes read. The two-pass export (validate the whole file, then read it again for the
 * layer) stays the reference: whenever this pass cannot be sure of giving its result, it gives up (undefined)
 * and the caller runs that one, which then reports everything in its own order and words. It gives up on any
 * problem of the archive (EXPORT_INVALID_IMAGE lists validateAci's issues, which this pass does not collect),
 * any failure at all (the two-pass export would have validated first), and a manifest it may not take (an
 * image with dependencies, which needs render). Nothing it wrote is left behind.
 *
 * The manifest may come after the rootfs (builders in Go's order write it last). Rootfs entries met before it
 * are written only when `writeAhead` says the manifest will surely be accepted (a guess from the archive's end,
 * aci/tail-manifest.ts); otherwise the pass gives up at the first one, so an image with dependencies costs one
 * entry's reading more than before, not a layer.
 */
import { readAciEntriesDropping } from '../aci/entries.js';
import { ImageCheck } from '../aci/image-check.js';
import { concatBytes, copyBytes } from '../internal/bytes.js';
import type { StoredImage } from '../render/store.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import type { WrittenLayer } from './export-layer.js';
import { LayerWriter } from './export-layer.js';
import type { EntryStyle } from './export-write.js';
import { wholeRootfsEntry, writePlannedEntry } from './export-write.js';

/** Options of {@link writeAloneLayer}. */
export interface OnePassOptions {
  /** The staging directory the layer is written into. */
  readonly dir: string;
  /** Size of the file (for the image record). */
  readonly size: number;
  readonly style: EntryStyle;
  /** True when the export goes on with this manifest (an image alone, whose reference can be written). */
  readonly accept: (manifest: ImageManifest) => boolean;
  /** Write rootfs entries that come before the manifest (when a guess says it will be accepted). */
  readonly writeAhead: boolean;
  /** Hears each uncompressed chunk's size handed on to the layer. */
  readonly onBytes?: (n: number) => void;
  readonly signal?: AbortSignal;
}

/** What the one pass read and wrote: the image (validated) and its layer. */
export interface OnePass {
  readonly image: StoredImage;
  readonly layer: WrittenLayer;
}

/** The name of the image in messages of errors that are never shown (the pass gives up on every error). */
const UNNAMED = 'the image';

/**
 * Reads `file` once, validating it and writing its rootfs as one layer in `options.dir`. Returns undefined when
 * the two-pass export must decide (see the module comment); then no layer file is left.
 * @throws the signal's reason when aborted (nothing left behind either).
 */
export async function writeAloneLayer(file: string, options: OnePassOptions): Promise<OnePass | undefined> {
  const check = new ImageCheck();
  let imageId: string | undefined;
  let manifest: ImageManifest | undefined;
  let writer: LayerWriter | undefined;
  const signal = options.signal;
  try {
    writer = await LayerWriter.create(options.dir, options.onBytes);
    const entries = readAciEntriesDropping(file, { onIssue: (i) => check.note(i), onImageId: (id) => void (imageId = id), ...(signal ? { signal } : {}) });
    for await (const entry of entries) {
      const role = check.entry(entry.header);
      if (check.blocking !== undefined) return undefined;
      if (role === 'manifest') {
        const parts: Uint8Array[] = [];
        for await (const chunk of entry.body) parts.push(copyBytes(chunk));
        const result = check.manifestRead(concatBytes(parts), entry.header.offset);
        if (!result.ok || check.blocking !== undefined || !options.accept(result.value)) return undefined;
        manifest = result.value;
        continue;
      }
      const planned = wholeRootfsEntry(entry);
      if (planned === undefined) continue;
      if (manifest === undefined && !options.writeAhead) return undefined;
      await writePlannedEntry(writer, entry, planned, manifest?.name ?? UNNAMED, options.style);
    }
    check.finish();
    if (check.blocking !== undefined || manifest === undefined || imageId === undefined) return undefined;
    const layer = await writer.finish();
    return { image: { id: imageId, manifest, size: options.size }, layer };
  } catch {
    if (signal?.aborted) throw signal.reason;
    return undefined;
  } finally {
    await writer?.discard();
  }
}
