/**
 * The files of an export (OCI image-spec image-layout.md; Docker's `docker load` format): a staging directory
 * next to the output collects `blobs/sha256/*`, `index.json` and `oci-layout` (plus `manifest.json` for
 * docker-archive); at the end it is renamed into place (oci) or packed into a tar that is renamed into place
 * (oci-archive, docker-archive). An interrupted export leaves only the staging directory's removal to do, which
 * the failure path does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { commitFile } from '../aci/archive-output.js';
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
  ) {}

  /** Makes the staging directory next to `output`, with `blobs/sha256`. */
  static async create(output: string): Promise<ExportStaging> {
    await mkdir(dirname(output), { recursive: true });
    const dir = await mkdtemp(join(dirname(output), `.${basename(output)}.export-`));
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    return new ExportStaging(dir, output);
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
      await rm(old, { recursive: true, force: true });
      return;
    }
    try {
      await rename(this.dir, this.output);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new AppcError('ACI_OUTPUT_EXISTS', 'the output exists (pass --overwrite to replace it)', { file: this.output });
      throw e;
    }
  }

  private async commitArchive(overwrite: boolean, topLevel: readonly string[], sync: boolean): Promise<void> {
    await checkExportOutput(this.output, 'oci-archive', overwrite);
    const tmp = join(dirname(this.output), `.${basename(this.output)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const out = await open(tmp, 'wx', 0o644);
    let closed = false;
    try {
      let position = 0;
      const put = async (bytes: Uint8Array): Promise<void> => {
        let o = 0;
        while (o < bytes.length) {
          const { bytesWritten } = await out.write(bytes, o, bytes.length - o, position);
          o += bytesWritten;
          position += bytesWritten;
        }
      };
      const buf = Buffer.allocUnsafe(1 << 20);
      const header = { mode: 0o644, uid: 0, gid: 0, mtime: 0 } as const;
      // Blobs are copied with one reused buffer: read a chunk, write it, no allocation per chunk.
      const addFile = async (name: string, path: string): Promise<void> => {
        const { size } = await stat(path);
        await put(encodeTarHeader({ ...header, name, type: 'file', size }));
        const fh = await open(path, 'r');
        try {
          for (let pos = 0; pos < size; ) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
            if (bytesRead === 0) throw new Error(`${path} shrank while it was packed`);
            await put(buf.subarray(0, bytesRead));
            pos += bytesRead;
          }
        } finally {
          await fh.close();
        }
        await put(new Uint8Array(padding(size)));
      };
      for (const name of topLevel) await addFile(name, join(this.dir, name));
      await put(encodeTarHeader({ ...header, mode: 0o755, name: 'blobs', type: 'directory' }));
      await put(encodeTarHeader({ ...header, mode: 0o755, name: 'blobs/sha256', type: 'directory' }));
      for (const blob of (await readdir(join(this.dir, 'blobs', 'sha256'))).sort()) await addFile(`blobs/sha256/${blob}`, join(this.dir, 'blobs', 'sha256', blob));
      await put(END_OF_ARCHIVE);
      if (sync) await out.datasync();
      await out.close();
      closed = true;
      await commitFile(tmp, this.output, overwrite);
    } catch (e) {
      if (!closed) await out.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
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
