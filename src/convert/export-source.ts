/**
 * The image an export starts from: an ACI file (validated first, its dependencies looked up in a store) or an
 * image of a store by ID or name and labels, as `render` takes it (spec/aci.md "Dependency Matching").
 */
import { stat } from 'node:fs/promises';
import type { AciSource } from '../aci/source.js';
import { validateAci } from '../aci/validate-aci.js';
import { AppcError } from '../issues/appc-error.js';
import type { ImageRef } from '../render/render.js';
import type { ImageStore, StoredImage } from '../render/store.js';
import { labelsMatch } from '../render/store.js';
import { convertError } from './codes.js';

/** What to export: an ACI file, or an image of a store. */
export type ExportSource = string | { readonly store: ImageStore; readonly image: ImageRef };

/** A store that holds one ACI file on top of another store (where its dependencies are found). */
class FileOverlayStore implements ImageStore {
  constructor(
    private readonly file: string,
    private readonly image: StoredImage,
    private readonly below: ImageStore | undefined,
  ) {}

  async get(id: string): Promise<StoredImage | undefined> {
    if (id === this.image.id || (id.length >= 15 && this.image.id.startsWith(id))) return this.image;
    return missingIsEmpty(() => this.below?.get(id));
  }

  async find(name: string, labels: Readonly<Record<string, string>>): Promise<readonly StoredImage[]> {
    const below = (await missingIsEmpty(() => this.below?.find(name, labels))) ?? [];
    return this.image.manifest.name === name && labelsMatch(this.image.manifest, labels) ? [this.image, ...below.filter((i) => i.id !== this.image.id)] : below;
  }

  async source(id: string): Promise<AciSource> {
    if (id === this.image.id) return this.file;
    if (this.below === undefined) throw new AppcError('RENDER_IMAGE_NOT_FOUND', `no image ${id} (no store given)`);
    return this.below.source(id);
  }
}

/** A store directory that does not exist yet holds nothing: an ACI without dependencies needs none. */
async function missingIsEmpty<T>(f: () => Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The store and reference to render. */
export interface OpenedExportSource {
  readonly store: ImageStore;
  readonly ref: ImageRef;
  /** A name for messages. */
  readonly label: string;
  /** The ACI file's image, validated (file sources only). */
  readonly image?: StoredImage;
}

/**
 * Opens what to export. An ACI file is validated completely first (EXPORT_INVALID_IMAGE lists its errors);
 * its dependencies come from `store`.
 */
export async function openExportSource(source: ExportSource, store: ImageStore | undefined, signal?: AbortSignal): Promise<OpenedExportSource> {
  if (typeof source !== 'string') return { store: source.store, ref: source.image, label: typeof source.image === 'string' ? source.image : source.image.name };
  const st = await stat(source);
  if (!st.isFile()) throw convertError('EXPORT_INVALID_IMAGE', `${source} is not a file`, { file: source });
  const report = await validateAci(source, signal ? { signal } : {});
  if (!report.ok || report.imageId === undefined || report.manifest === undefined || !report.manifest.ok) {
    const errors = report.issues.filter((i) => i.severity === 'error');
    const list = errors
      .slice(0, 5)
      .map((i) => `${i.entry ? i.entry + ': ' : ''}${i.message} [${i.code}]`)
      .join('; ');
    throw convertError('EXPORT_INVALID_IMAGE', `${source} is not a valid ACI: ${list || 'no manifest'}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`, { file: source });
  }
  const image: StoredImage = { id: report.imageId, manifest: report.manifest.value, size: st.size };
  return { store: new FileOverlayStore(source, image, store), ref: image.id, label: source, image };
}
