/**
 * A directory-backed image store: `blobs/<image ID>.aci` (the archive as given) and `index/<image ID>.json`
 * (manifest, name, labels, size). Writes go through a temporary file renamed into place under an exclusive
 * lock, so two processes adding at once keep the store consistent and a crash never leaves half an image.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { AciSource } from '../aci/source.js';
import { validateAci } from '../aci/validate-aci.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { validateImageManifest } from '../schema/image-manifest.js';
import type { ImageStore, StoredImage } from './store.js';
import { labelsMatch, matchPrefix } from './store.js';
import { withLock } from './lock.js';
import type { LockOptions } from './lock.js';
import { RENDER_CODES } from './codes.js';

const ID = /^sha512-[0-9a-f]{128}$/;

/** What a store listing found: the images, and problems with files in the directory. */
export interface StoreListing {
  readonly images: readonly StoredImage[];
  readonly issues: readonly Issue[];
}

/** What gc removed. */
export interface GcReport {
  readonly removed: readonly string[];
}

const warn = (code: 'STORE_CORRUPT_ENTRY' | 'STORE_FOREIGN_FILE', message: string, entry: string): Issue => ({ code, severity: RENDER_CODES[code].severity, path: '', message, entry });

/** An image store in a directory (created on first add). */
export class DirStore implements ImageStore {
  readonly dir: string;
  readonly #lock: LockOptions;

  constructor(dir: string, options: LockOptions = {}) {
    this.dir = dir;
    this.#lock = options;
  }

  #blob(id: string): string {
    return join(this.dir, 'blobs', `${id}.aci`);
  }

  #indexFile(id: string): string {
    return join(this.dir, 'index', `${id}.json`);
  }

  async #init(): Promise<void> {
    try {
      const st = await stat(this.dir);
      if (!st.isDirectory()) throw new AppcError('STORE_NOT_A_STORE', `${this.dir} is not a directory`, { file: this.dir });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const sub of ['blobs', 'index', 'tmp']) await mkdir(join(this.dir, sub), { recursive: true });
  }

  /** Writes `data` to `path` through a temporary file and a rename. */
  async #atomicWrite(path: string, data: string | ((tmp: string) => Promise<void>)): Promise<void> {
    const tmp = join(this.dir, 'tmp', `${randomBytes(8).toString('hex')}.part`);
    try {
      if (typeof data === 'string') await writeFile(tmp, data);
      else await data(tmp);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Adds an ACI file: validates it (an invalid image is refused with STORE_INVALID_IMAGE), computes its image ID,
   * and stores it. Adding the same image twice is a no-op. Returns the stored image.
   */
  async add(file: string): Promise<StoredImage> {
    const report = await validateAci(file);
    if (!report.ok || report.imageId === undefined || report.manifest === undefined || !report.manifest.ok) {
      const errors = report.issues.filter((i) => i.severity === 'error').slice(0, 3).map((i) => `${i.entry ? i.entry + ': ' : ''}${i.message}`);
      throw new AppcError('STORE_INVALID_IMAGE', `${file} is not a valid ACI: ${errors.join('; ')}`, { file });
    }
    const id = report.imageId;
    const { size } = await stat(file);
    const image: StoredImage = { id, manifest: report.manifest.value, size };
    await this.#init();
    await withLock(this.dir, async () => {
      // Blob first, index last: an index file always points at a complete blob.
      await this.#atomicWrite(this.#blob(id), (tmp) => copyFile(file, tmp));
      await this.#atomicWrite(this.#indexFile(id), JSON.stringify({ id, size, added: new Date().toISOString(), manifest: image.manifest }, null, 1) + '\n');
    }, this.#lock);
    return image;
  }

  /** Every image, with issues for unreadable index files and foreign files. */
  async list(): Promise<StoreListing> {
    const images: StoredImage[] = [];
    const issues: Issue[] = [];
    let names: string[];
    try {
      names = await readdir(join(this.dir, 'index'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { images, issues };
      throw e;
    }
    for (const name of names.sort()) {
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !ID.test(id)) {
        issues.push(warn('STORE_FOREIGN_FILE', `index/${name} was not written by the store; ignored`, `index/${name}`));
        continue;
      }
      const image = await this.#readIndex(id, issues);
      if (image !== undefined) images.push(image);
    }
    try {
      for (const name of await readdir(this.dir)) {
        if (!['blobs', 'index', 'tmp', '.lock'].includes(name)) issues.push(warn('STORE_FOREIGN_FILE', `${name} was not written by the store; ignored`, name));
      }
    } catch {
      // the directory vanished: nothing more to report
    }
    return { images, issues };
  }

  async #readIndex(id: string, issues?: Issue[]): Promise<StoredImage | undefined> {
    const where = `index/${id}.json`;
    let data: { id?: unknown; size?: unknown; manifest?: unknown };
    try {
      data = JSON.parse(await readFile(this.#indexFile(id), 'utf8')) as typeof data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      issues?.push(warn('STORE_CORRUPT_ENTRY', `${where} cannot be read: ${(e as Error).message}`, where));
      return undefined;
    }
    const manifest = validateImageManifest(data.manifest);
    if (data.id !== id || typeof data.size !== 'number' || !manifest.ok) {
      issues?.push(warn('STORE_CORRUPT_ENTRY', `${where} does not describe image ${id}`, where));
      return undefined;
    }
    try {
      await stat(this.#blob(id));
    } catch {
      issues?.push(warn('STORE_CORRUPT_ENTRY', `${where} has no blob (blobs/${id}.aci)`, where));
      return undefined;
    }
    return { id, size: data.size, manifest: manifest.value as ImageManifest };
  }

  async get(id: string): Promise<StoredImage | undefined> {
    if (ID.test(id)) return this.#readIndex(id);
    return matchPrefix((await this.list()).images, id);
  }

  async find(name: string, labels: Readonly<Record<string, string>>): Promise<readonly StoredImage[]> {
    return (await this.list()).images.filter((i) => i.manifest.name === name && labelsMatch(i.manifest, labels));
  }

  async source(id: string): Promise<AciSource> {
    return this.#blob(id);
  }

  /** Removes an image (by ID or unambiguous prefix); returns its ID. */
  async remove(idOrPrefix: string): Promise<string> {
    const image = await this.get(idOrPrefix);
    if (image === undefined) throw new AppcError('RENDER_IMAGE_NOT_FOUND', `no image ${idOrPrefix} in ${this.dir}`);
    await withLock(this.dir, async () => {
      // Index first: without it the blob is garbage that gc collects.
      await rm(this.#indexFile(image.id), { force: true });
      await rm(this.#blob(image.id), { force: true });
    }, this.#lock);
    return image.id;
  }

  /** Removes blobs no index refers to, corrupt index files, and leftover temporary files. */
  async gc(): Promise<GcReport> {
    const removed: string[] = [];
    await this.#init();
    await withLock(this.dir, async () => {
      const issues: Issue[] = [];
      const live = new Set<string>();
      for (const name of await readdir(join(this.dir, 'index'))) {
        const id = name.replace(/\.json$/, '');
        if (!ID.test(id) || !name.endsWith('.json')) continue;
        if ((await this.#readIndex(id, issues)) !== undefined) live.add(id);
        else {
          await rm(this.#indexFile(id), { force: true });
          removed.push(`index/${name}`);
        }
      }
      for (const name of await readdir(join(this.dir, 'blobs'))) {
        const id = name.replace(/\.aci$/, '');
        if (ID.test(id) && !live.has(id)) {
          await rm(join(this.dir, 'blobs', name), { force: true });
          removed.push(`blobs/${name}`);
        }
      }
      for (const name of await readdir(join(this.dir, 'tmp'))) {
        await rm(join(this.dir, 'tmp', name), { force: true, recursive: true });
        removed.push(`tmp/${name}`);
      }
    }, this.#lock);
    return { removed };
  }
}
