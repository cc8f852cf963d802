/** The image store interface the renderer reads from (checklist R-IF-1), and an in-memory store for tests and embedding. */
import type { AciEntry } from '../aci/entries.js';
import { readAciEntries } from '../aci/entries.js';
import type { AciSource } from '../aci/source.js';
import { computeImageId, readAciManifest } from '../aci/read-aci.js';
import type { AciReport } from '../aci/validate-aci.js';
import { validateAci } from '../aci/validate-aci.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { AppcError } from '../issues/appc-error.js';

/** An image known to a store. */
export interface StoredImage {
  /** `sha512-<128 hex>`: sha512 of the uncompressed tar. */
  readonly id: string;
  readonly manifest: ImageManifest;
  /** Size in bytes of the stored archive (what a dependency's `size` is compared with). */
  readonly size: number;
  /** When the image was added (ISO 8601); breaks ties between images of the same version, newest first. */
  readonly added?: string;
}

/** Where images come from: look-ups by ID and by name and labels, and the archive's entries. */
export interface ImageStore {
  /** The image with this ID (an unambiguous prefix of at least `sha512-` plus 8 hex digits is accepted). */
  get(id: string): Promise<StoredImage | undefined>;
  /** Every image with this name whose labels include all of `labels` (same values). */
  find(name: string, labels: Readonly<Record<string, string>>): Promise<readonly StoredImage[]>;
  /** The archive of an image, as a source for the archive readers (`readAciEntries`, `computeImageId`). */
  source(id: string): Promise<AciSource>;
}

/** True when every wanted label is present with the same value. */
export function labelsMatch(manifest: ImageManifest, wanted: Readonly<Record<string, string>>): boolean {
  const have = new Map<string, string>((manifest.labels ?? []).map((l) => [l.name, l.value]));
  return Object.entries(wanted).every(([k, v]) => have.get(k) === v);
}

/** Options of a {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * What `add` checks before keeping an archive: `archive` (the default) validates the whole archive as the
   * directory store does; `manifest` only reads the manifest and computes the ID, for images that are not
   * valid ACIs but that the renderer reads with its own rules (the Go renderer's test images have no
   * explicit `rootfs` entry). Reading an image for render always applies the archive core's entry policy.
   */
  readonly check?: 'archive' | 'manifest';
}

/** A store that keeps archives in memory (tests, or a runtime that fetched images itself). */
export class MemoryStore implements ImageStore {
  readonly #images = new Map<string, { image: StoredImage; bytes: Uint8Array }>();
  readonly #check: 'archive' | 'manifest';
  #last = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#check = options.check ?? 'archive';
  }

  /**
   * Adds an archive; returns its image. By default the whole archive is validated as the directory store does
   * (same archive core, same entry policy) and an invalid one is refused with STORE_INVALID_IMAGE; see
   * {@link MemoryStoreOptions.check}.
   */
  async add(bytes: Uint8Array): Promise<StoredImage> {
    const { id, manifest } = this.#check === 'archive' ? acceptedImage(await validateAci(bytes)) : await manifestOnly(bytes);
    // Strictly increasing times, so images added in one millisecond still keep their order.
    const added = new Date(Math.max(Date.now(), this.#last + 1));
    this.#last = added.getTime();
    const image: StoredImage = { id, manifest, size: bytes.length, added: added.toISOString() };
    this.#images.set(id, { image, bytes });
    return image;
  }

  async get(id: string): Promise<StoredImage | undefined> {
    return (
      this.#images.get(id)?.image ??
      matchPrefix(
        [...this.#images.values()].map((v) => v.image),
        id,
      )
    );
  }

  async find(name: string, labels: Readonly<Record<string, string>>): Promise<readonly StoredImage[]> {
    return [...this.#images.values()].map((v) => v.image).filter((i) => i.manifest.name === name && labelsMatch(i.manifest, labels));
  }

  async source(id: string): Promise<AciSource> {
    const found = this.#images.get(id);
    if (found === undefined) throw new AppcError('RENDER_IMAGE_NOT_FOUND', `no image ${id} in the store`);
    return found.bytes;
  }
}

/**
 * The ID and manifest of a validated archive that a store may keep; throws STORE_INVALID_IMAGE, naming the
 * file (when the archive is one) and the first three errors, when the report has errors (every store refuses
 * the same images).
 */
export function acceptedImage(report: AciReport, file?: string): { readonly id: string; readonly manifest: ImageManifest } {
  if (report.ok && report.imageId !== undefined && report.manifest?.ok) return { id: report.imageId, manifest: report.manifest.value };
  const errors = report.issues
    .filter((i) => i.severity === 'error')
    .slice(0, 3)
    .map((i) => `${i.entry ? i.entry + ': ' : ''}${i.message} [${i.code}]`);
  throw new AppcError('STORE_INVALID_IMAGE', `${file ?? 'the archive'} is not a valid ACI: ${errors.join('; ')}`, file === undefined ? {} : { file });
}

/** The ID and manifest of an archive whose manifest is valid, the rest unchecked (MemoryStoreOptions.check `manifest`). */
async function manifestOnly(bytes: Uint8Array): Promise<{ readonly id: string; readonly manifest: ImageManifest }> {
  const id = await computeImageId(bytes);
  const read = await readAciManifest(bytes);
  if (!read.manifest.ok) throw new AppcError('STORE_INVALID_IMAGE', `the image's manifest is invalid: ${read.manifest.issues.map((i) => i.message).join('; ')}`);
  return { id, manifest: read.manifest.value };
}

/** Resolves an ID prefix among images; throws when it is ambiguous. */
export function matchPrefix(images: readonly StoredImage[], prefix: string): StoredImage | undefined {
  if (!/^sha512-[0-9a-f]{8,}$/.test(prefix)) return undefined;
  const hits = images.filter((i) => i.id.startsWith(prefix));
  if (hits.length > 1) throw new AppcError('STORE_AMBIGUOUS_ID', `${prefix} matches ${hits.length} images; give more digits`);
  return hits[0];
}

/** Reads the entries of a stored image. */
export async function* storedEntries(store: ImageStore, id: string): AsyncGenerator<AciEntry> {
  yield* readAciEntries(await store.source(id));
}
