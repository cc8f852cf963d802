/**
 * A directory-backed image store: `blobs/<image ID>.aci` (the archive as given) and `index/<image ID>.json`
 * (manifest, size, time added). Every file is written under a temporary name, flushed and renamed into place;
 * changes to blobs and index happen under an exclusive lock. So two processes adding at once keep the store
 * consistent, and a crash never leaves half an image (at worst a temporary file or an unindexed blob, which gc
 * removes).
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { AciSource } from '../aci/source.js';
import { validateAci } from '../aci/validate-aci.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { validateImageManifest } from '../schema/image-manifest.js';
import type { ImageStore, StoredImage } from './store.js';
import { acceptedImage, labelsMatch, matchPrefix } from './store.js';
import { withLock } from './lock.js';
import type { LockOptions } from './lock.js';
import { RENDER_CODES } from './codes.js';

const ID = /^sha512-[0-9a-f]{128}$/;
/** Temporary files are named `<pid>-<random>.part`, so gc can tell a live writer's file from a crash's leftover. */
const TMP = /^(\d+)-[0-9a-f]+\.part$/;
/** Names the store itself writes at its top level (the lock and its drafts included). */
const OWN = new Set(['blobs', 'index', 'tmp', '.lock']);

/** What a store listing found: the images, and problems with files in the directory. */
export interface StoreListing {
  readonly images: readonly StoredImage[];
  readonly issues: readonly Issue[];
}

/** What gc removed. */
export interface GcReport {
  readonly removed: readonly string[];
}

const problem = (code: 'STORE_CORRUPT_ENTRY' | 'STORE_FOREIGN_FILE', message: string, entry: string): Issue => ({ code, severity: RENDER_CODES[code].severity, path: '', message, entry });

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Flushes a file to disk, so the rename that follows never publishes a file whose data is still in flight. */
async function flush(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

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

  #tmpName(): string {
    return join(this.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}.part`);
  }

  /** Creates the store, refusing a path that is a file or a directory holding other things. */
  async #init(): Promise<void> {
    let names: string[] | undefined;
    try {
      const st = await stat(this.dir);
      if (!st.isDirectory()) throw new AppcError('STORE_NOT_A_STORE', `${this.dir} is not a directory`, { file: this.dir });
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (names !== undefined && names.length > 0 && !names.some((n) => n === 'blobs' || n === 'index')) {
      throw new AppcError('STORE_NOT_A_STORE', `${this.dir} holds other files and is not an image store (no blobs/ or index/); give an empty or new directory`, { file: this.dir });
    }
    await this.#checkSubdirs(['blobs', 'index', 'tmp']);
    for (const sub of ['blobs', 'index', 'tmp']) await mkdir(join(this.dir, sub), { recursive: true });
  }

  /** Refuses a store whose `blobs`, `index` or `tmp` is something other than a directory (a damaged or foreign tree). */
  async #checkSubdirs(subs: readonly string[]): Promise<void> {
    for (const sub of subs) {
      const path = join(this.dir, sub);
      const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (st !== undefined && !st.isDirectory()) {
        throw new AppcError('STORE_NOT_A_STORE', `not a directory: the store is damaged, or ${this.dir} is not an image store`, { file: path });
      }
    }
  }

  /**
   * Adds an ACI file. The file is first copied into the store, and the copy is validated and hashed, so the
   * stored blob is exactly the bytes that were checked (a file changing while it is added cannot slip in). An
   * invalid image is refused with STORE_INVALID_IMAGE and nothing stays behind. Adding an image twice keeps the
   * first copy. Returns the stored image.
   */
  async add(file: string): Promise<StoredImage> {
    await this.#init();
    const tmp = this.#tmpName();
    try {
      await pipeline(createReadStream(file), createWriteStream(tmp, { flags: 'wx' }));
      await flush(tmp);
      const { id, manifest } = acceptedImage(await validateAci(tmp), file);
      const { size } = await stat(tmp);
      return await withLock(
        this.dir,
        async () => {
          const existing = await this.#readIndex(id);
          if (existing !== undefined) return existing;
          // Blob first, index last: an index file always points at a complete blob.
          await rename(tmp, this.#blob(id));
          const added = new Date().toISOString();
          const index = this.#tmpName();
          const fh = await open(index, 'wx');
          try {
            // A dependency size above 2^53-1 is a bigint, which JSON.stringify refuses: write it as a number.
            await fh.writeFile(JSON.stringify({ id, size, added, manifest }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 1) + '\n');
            await fh.sync();
          } finally {
            await fh.close();
          }
          await rename(index, this.#indexFile(id));
          return { id, size, added, manifest };
        },
        this.#lock,
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Every image, with issues for damaged entries (STORE_CORRUPT_ENTRY) and files the store did not write (STORE_FOREIGN_FILE). */
  async list(): Promise<StoreListing> {
    const images: StoredImage[] = [];
    const issues: Issue[] = [];
    let top: string[];
    try {
      const st = await stat(this.dir);
      if (!st.isDirectory()) throw new AppcError('STORE_NOT_A_STORE', `${this.dir} is not a directory`, { file: this.dir });
      top = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { images, issues };
      throw e;
    }
    for (const name of top.sort()) {
      if (!OWN.has(name) && !name.startsWith('.lock.')) issues.push(problem('STORE_FOREIGN_FILE', `${name} was not written by the store; ignored`, name));
    }
    await this.#checkSubdirs(['blobs', 'index', 'tmp']);
    const names = await readdir(join(this.dir, 'index')).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !ID.test(id)) {
        issues.push(problem('STORE_FOREIGN_FILE', `index/${name} was not written by the store; ignored`, `index/${name}`));
        continue;
      }
      const image = await this.#readIndex(id, issues);
      if (image !== undefined) images.push(image);
    }
    for (const name of (await readdir(join(this.dir, 'blobs')).catch(() => [] as string[])).sort()) {
      if (!name.endsWith('.aci') || !ID.test(name.slice(0, -4))) issues.push(problem('STORE_FOREIGN_FILE', `blobs/${name} was not written by the store; ignored`, `blobs/${name}`));
    }
    return { images, issues };
  }

  async #readIndex(id: string, issues?: Issue[]): Promise<StoredImage | undefined> {
    const where = `index/${id}.json`;
    let data: { id?: unknown; size?: unknown; added?: unknown; manifest?: unknown };
    try {
      data = JSON.parse(await readFile(this.#indexFile(id), 'utf8')) as typeof data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      issues?.push(problem('STORE_CORRUPT_ENTRY', `${where} cannot be read: ${(e as Error).message}`, where));
      return undefined;
    }
    const manifest = typeof data === 'object' && data !== null ? validateImageManifest(data.manifest) : undefined;
    if (manifest === undefined || data.id !== id || typeof data.size !== 'number' || !manifest.ok) {
      issues?.push(problem('STORE_CORRUPT_ENTRY', `${where} does not describe image ${id} (an id, a size and a valid manifest)`, where));
      return undefined;
    }
    let size: number;
    try {
      size = (await stat(this.#blob(id))).size;
    } catch {
      issues?.push(problem('STORE_CORRUPT_ENTRY', `${where} has no archive (blobs/${id}.aci)`, where));
      return undefined;
    }
    if (size !== data.size) {
      issues?.push(problem('STORE_CORRUPT_ENTRY', `blobs/${id}.aci is ${size} bytes; its index says ${data.size}`, where));
      return undefined;
    }
    const image: StoredImage = { id, size, manifest: manifest.value as ImageManifest };
    return typeof data.added === 'string' ? { ...image, added: data.added } : image;
  }

  async get(id: string): Promise<StoredImage | undefined> {
    if (ID.test(id)) {
      await this.#checkSubdirs(['blobs', 'index']);
      return this.#readIndex(id);
    }
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
    await withLock(
      this.dir,
      async () => {
        // Index first: without it the blob is garbage that gc collects.
        await rm(this.#indexFile(image.id), { force: true });
        await rm(this.#blob(image.id), { force: true });
      },
      this.#lock,
    );
    return image.id;
  }

  /**
   * Removes blobs no index refers to, damaged index files, and temporary files of processes that no longer
   * exist (a concurrent add's files are left alone). Files the store did not write are never touched.
   */
  async gc(): Promise<GcReport> {
    const removed: string[] = [];
    await this.#init();
    await withLock(
      this.dir,
      async () => {
        const live = new Set<string>();
        for (const name of await readdir(join(this.dir, 'index'))) {
          const id = name.replace(/\.json$/, '');
          if (!ID.test(id) || !name.endsWith('.json')) continue;
          if ((await this.#readIndex(id, [])) !== undefined) live.add(id);
          else {
            await rm(this.#indexFile(id), { force: true });
            removed.push(`index/${name}`);
          }
        }
        for (const name of await readdir(join(this.dir, 'blobs'))) {
          const id = name.replace(/\.aci$/, '');
          if (ID.test(id) && name.endsWith('.aci') && !live.has(id)) {
            await rm(join(this.dir, 'blobs', name), { force: true });
            removed.push(`blobs/${name}`);
          }
        }
        for (const name of await readdir(join(this.dir, 'tmp'))) {
          const owner = TMP.exec(name);
          if (owner !== null && alive(Number(owner[1]))) continue;
          await rm(join(this.dir, 'tmp', name), { force: true, recursive: true });
          removed.push(`tmp/${name}`);
        }
      },
      this.#lock,
    );
    return { removed };
  }
}
