/**
 * The files of an export (OCI image-spec image-layout.md; Docker's `docker load` format): a staging directory
 * next to the output collects `blobs/sha256/*`, `index.json` and `oci-layout` (plus `manifest.json` for
 * docker-archive); at the end it is renamed into place (oci) or packed into a tar through the builder's archive
 * output, which renames it into place (oci-archive, docker-archive). A failed or aborted export removes the
 * staging directory (and the archive's temporary file); SIGINT and SIGTERM remove both too (aci/temp-files.ts).
 *
 * The blobs are copied once more into the archive rather than written there in the first place: they go in
 * digest order after `index.json`, which names the manifest's digest, so no blob's offset in the archive is
 * known until every digest is (writing them in place would change the order of the entries, hence the bytes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openArchiveOutput } from '../aci/archive-output.js';
import { trackTemporaryDirectory } from '../aci/temp-files.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding } from '../aci/tar/write-tar.js';
import { AppcError } from '../issues/appc-error.js';
import { convertError } from './codes.js';

/** The output forms. */
export type ExportFormat = 'oci' | 'oci-archive' | 'docker-archive';

/** A blob in the staging directory. */
export interface StagedBlob {
  readonly digest: string;
  readonly size: number;
}

/** The staging directory of an export. */
export class ExportStaging {
  private constructor(
    readonly dir: string,
    readonly output: string,
    private readonly untrack: () => void,
  ) {}

  /**
   * Makes the staging directory next to `output`, with `blobs/sha256`; until it is moved into place or removed,
   * SIGINT and SIGTERM remove it with everything in it (aci/temp-files.ts).
   */
  static async create(output: string): Promise<ExportStaging> {
    await mkdir(dirname(output), { recursive: true });
    const dir = join(dirname(output), `.${basename(output)}.export-${randomBytes(6).toString('hex')}`);
    // Tracked before it exists, so a signal arriving from now on finds it.
    const untrack = trackTemporaryDirectory(dir, output);
    try {
      // As mkdtemp makes it: private until it is moved into place.
      await mkdir(dir, { mode: 0o700 });
    } catch (e) {
      untrack();
      throw e;
    }
    try {
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    } catch (e) {
      untrack();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return new ExportStaging(dir, output, untrack);
  }

  /** Where a blob lives. */
  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  /** Moves a finished layer file into `blobs/sha256/`. */
  async addFile(file: string, digest: string): Promise<void> {
    await rename(file, this.blobPath(digest));
  }

  /** Writes a JSON blob; returns its descriptor digest and size. */
  async addJson(value: unknown): Promise<StagedBlob> {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
    await writeFile(this.blobPath(digest), bytes);
    return { digest, size: bytes.length };
  }

  /** Writes a file at the layout's top level (`index.json`, `oci-layout`, `manifest.json`). */
  async addTopLevel(name: string, value: unknown): Promise<void> {
    await writeFile(join(this.dir, name), JSON.stringify(value));
  }

  /** Removes the staging directory (failure path, and after packing an archive). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.untrack();
  }

  /** Puts the result in place: the directory itself (oci) or a tar of it (archives, fdatasynced first with `sync`). */
  async commit(format: ExportFormat, overwrite: boolean, topLevel: readonly string[], sync = false): Promise<void> {
    if (format === 'oci') return this.commitDirectory(overwrite);
    await this.commitArchive(overwrite, topLevel, sync);
  }

  private async commitDirectory(overwrite: boolean): Promise<void> {
    const existing = await checkExportOutput(this.output, 'oci', overwrite);
    if (existing) {
      const old = join(dirname(this.output), `.${basename(this.output)}.old-${randomBytes(4).toString('hex')}`);
      await rename(this.output, old);
      try {
        await rename(this.dir, this.output);
      } catch (e) {
        await rename(old, this.output).catch(() => undefined);
        throw e;
      }
      this.untrack();
      await rm(old, { recursive: true, force: true });
      return;
    }
    try {
      await rename(this.dir, this.output);
      this.untrack();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new AppcError('ACI_OUTPUT_EXISTS', 'the output exists (pass --overwrite to replace it)', { file: this.output });
      throw e;
    }
  }

  /**
   * Packs the staging directory into a tar through the builder's uncompressed archive output (one reused
   * buffer, synchronous reads and writes: one system call per MiB each way, no thread-pool hop), which also
   * owns the temporary file, its removal on failure or signal, `sync` and the final rename.
   */
  private async commitArchive(overwrite: boolean, topLevel: readonly string[], sync: boolean): Promise<void> {
    await checkExportOutput(this.output, 'oci-archive', overwrite);
    const archive = await openArchiveOutput(this.output, { compression: 'none', imageId: false, overwrite, sync });
    try {
      const tar = archive.tar;
      const header = { mode: 0o644, uid: 0, gid: 0, mtime: 0 } as const;
      const addFile = async (name: string, path: string): Promise<void> => {
        const fd = openSync(path, 'r');
        try {
          const { size } = fstatSync(fd);
          await tar.put(encodeTarHeader({ ...header, name, type: 'file', size }));
          await tar.file(fd, size, name);
          await tar.zeros(padding(size));
        } finally {
          closeSync(fd);
        }
      };
      for (const name of topLevel) await addFile(name, join(this.dir, name));
      await tar.put(encodeTarHeader({ ...header, mode: 0o755, name: 'blobs', type: 'directory' }));
      await tar.put(encodeTarHeader({ ...header, mode: 0o755, name: 'blobs/sha256', type: 'directory' }));
      for (const blob of (await readdir(join(this.dir, 'blobs', 'sha256'))).sort()) await addFile(`blobs/sha256/${blob}`, join(this.dir, 'blobs', 'sha256', blob));
      await tar.put(END_OF_ARCHIVE);
      await archive.commit();
    } finally {
      await archive.discard();
    }
    await this.remove();
  }
}

/**
 * Checks the output before anything is read or written: an existing output is ACI_OUTPUT_EXISTS unless
 * `overwrite`; with `overwrite`, a directory is replaced only when it is an OCI layout or empty, and an archive
 * never replaces a directory (EXPORT_OUTPUT_NOT_LAYOUT). Returns true when the output exists.
 */
export async function checkExportOutput(output: string, format: ExportFormat, overwrite: boolean): Promise<boolean> {
  let st;
  try {
    st = await stat(output);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (!overwrite) throw new AppcError('ACI_OUTPUT_EXISTS', 'the output exists (pass --overwrite to replace it)', { file: output });
  if (format === 'oci') {
    if (!st.isDirectory())
      throw convertError('EXPORT_OUTPUT_NOT_LAYOUT', `${output} exists and is not a directory; --overwrite replaces only an OCI image layout or an empty directory`, { file: output });
    const names = await readdir(output);
    if (names.length > 0 && !names.includes('oci-layout')) {
      throw convertError('EXPORT_OUTPUT_NOT_LAYOUT', `${output} is a directory that is not an OCI image layout (no oci-layout file); --overwrite replaces only a layout or an empty directory`, {
        file: output,
      });
    }
    return true;
  }
  if (st.isDirectory()) throw convertError('EXPORT_OUTPUT_NOT_LAYOUT', `${output} is a directory; an archive cannot replace it`, { file: output });
  return true;
}
