/**
 * Writing one ACI (spec/aci.md#image-archives): `rootfs` first, entries, `manifest` last (A-AW-1), into a
 * temporary file next to the output that only `commit()` moves into place; the image ID (sha512 of the
 * uncompressed tar, A-ID-1) is known after `finish()`, before any file is committed.
 */
import { type ArchiveOutput, openArchiveOutput, type TarOutput } from '../aci/archive-output.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput } from '../aci/tar/write-tar.js';

/** Options of an AciWriter. */
export interface AciWriterOptions {
  readonly compression: 'gzip' | 'none';
  readonly overwrite: boolean;
  /** Called with the uncompressed bytes written so far (the tar stream, as buildAci reports it). */
  readonly onProgress?: (bytes: number) => void;
  /** fdatasync the finished file before it is moved into place (see SyncOption in aci/archive-output.ts). */
  readonly sync?: boolean;
}

/**
 * An ACI being written: entries on top of the builder's archive output (aci/archive-output.ts), which owns the
 * temporary file, the compressor, the image ID and the commit.
 */
export class AciWriter {
  private state: 'open' | 'finished' | 'committed' | 'discarded' = 'open';
  /** Entries written, the manifest included once finished. */
  entryCount = 0;

  private constructor(
    readonly output: string,
    private readonly archive: ArchiveOutput,
  ) {}

  /** Creates the temporary file next to `output`. */
  static async create(output: string, options: AciWriterOptions): Promise<AciWriter> {
    // Block-parallel gzip (the builder's): same bytes whatever the core count, so conversions stay reproducible.
    const archive = await openArchiveOutput(output, {
      compression: options.compression,
      parallel: true,
      overwrite: options.overwrite,
      sync: options.sync === true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return new AciWriter(output, archive);
  }

  private get tar(): TarOutput {
    return this.archive.tar;
  }

  /** Writes an entry's header (and, for a file, expects `size` bytes through `data` then `endFile`). */
  async header(entry: TarEntryInput): Promise<void> {
    await this.tar.put(encodeTarHeader(entry));
    this.entryCount++;
  }

  /** Writes body bytes of the current file. */
  async data(chunk: Uint8Array): Promise<void> {
    await this.tar.put(chunk);
  }

  /** Pads the current file's body to a whole block. */
  async endFile(size: number): Promise<void> {
    await this.tar.zeros(padding(size));
  }

  /** Writes a whole entry with an in-memory body. */
  async entry(entry: TarEntryInput, body?: Uint8Array): Promise<void> {
    await this.header(body === undefined ? entry : { ...entry, size: body.length });
    if (body !== undefined) {
      await this.data(body);
      await this.endFile(body.length);
    }
  }

  /**
   * Writes the manifest (last, mode 0644, root-owned) and the end-of-archive marker, and completes the
   * temporary file (compression ended, synced with `sync`). Returns the image ID.
   */
  async finish(manifestJson: string, mtime: number): Promise<string> {
    await this.entry({ name: 'manifest', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime }, new TextEncoder().encode(manifestJson));
    await this.tar.put(END_OF_ARCHIVE);
    const imageId = await this.archive.finish();
    if (imageId === undefined) throw new Error('the archive output computed no image ID');
    this.state = 'finished';
    return imageId;
  }

  /** Uncompressed bytes written. */
  get bytes(): number {
    return this.tar.bytes;
  }

  /** Moves the finished file into place (refusing to replace an existing file unless overwrite). */
  async commit(): Promise<void> {
    if (this.state !== 'finished') throw new Error('AciWriter.commit() before finish()');
    await this.archive.commit();
    this.state = 'committed';
  }

  /** Removes the temporary file unless committed (call in `finally`). */
  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    this.state = 'discarded';
    await this.archive.discard();
  }
}
