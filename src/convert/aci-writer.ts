/**
 * Writing one ACI (spec/aci.md#image-archives): `rootfs` first, entries, `manifest` last (A-AW-1), into a
 * temporary file next to the output that only `commit()` moves into place; the image ID (sha512 of the
 * uncompressed tar, A-ID-1) is known after `finish()`, before any file is committed.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { commitFile, TarOutput, writeFailure } from '../aci/archive-output.js';
import { trackTemporaryFile } from '../aci/temp-files.js';
import { createCompressor } from '../aci/compress.js';
import type { Compression } from '../aci/detect.js';
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

/** An ACI being written. */
export class AciWriter {
  private imageId: string | undefined;
  private state: 'open' | 'finished' | 'committed' | 'discarded' = 'open';
  /** Entries written, the manifest included once finished. */
  entryCount = 0;

  private constructor(
    readonly output: string,
    private readonly tmp: string,
    private readonly tar: TarOutput,
    private readonly finishCompression: () => Promise<void>,
    private readonly options: AciWriterOptions,
    private readonly abort: () => Promise<void>,
    private readonly untrack: () => void,
  ) {}

  /** Creates the temporary file next to `output`. */
  static async create(output: string, options: AciWriterOptions): Promise<AciWriter> {
    const tmp = join(dirname(output), `.${basename(output)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    // A path-based stream owns its descriptor (destroying a stream built on a borrowed fd closes that fd).
    // Tracked before it exists, so a signal arriving from now on finds it.
    const untrack = trackTemporaryFile(tmp, output);
    const fileStream = createWriteStream(tmp, { flags: 'wx', mode: 0o644, highWaterMark: 1 << 20 });
    await once(fileStream, 'open').catch((e: unknown) => {
      untrack();
      throw e;
    });
    const compression: Compression = options.compression;
    // Block-parallel gzip (the builder's): same bytes whatever the core count, so conversions stay reproducible.
    const compressor = createCompressor(compression, { parallel: true });
    const written = pipeline(compressor.output, fileStream);
    const failure = writeFailure(output, compressor, written);
    const tar = new TarOutput(compressor.input, failure, options.onProgress);
    return new AciWriter(
      output,
      tmp,
      tar,
      async () => {
        await tar.flush();
        compressor.input.end();
        await Promise.race([Promise.all([written, compressor.done]), failure]);
      },
      options,
      async () => {
        compressor.input.destroy();
        compressor.output.destroy();
        fileStream.destroy();
        await written.catch(() => {});
      },
      untrack,
    );
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
   * Writes the manifest (last, mode 0644, root-owned) and the end-of-archive marker, finishes compression and,
   * with `sync`, syncs the temporary file. Returns the image ID.
   */
  async finish(manifestJson: string, mtime: number): Promise<string> {
    await this.entry({ name: 'manifest', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime }, new TextEncoder().encode(manifestJson));
    await this.tar.put(END_OF_ARCHIVE);
    await this.finishCompression();
    if (this.options.sync === true) {
      // The stream has closed its descriptor; sync through a new one before the file is moved into place.
      const fh = await open(this.tmp, 'r');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
    }
    this.imageId = this.tar.digest();
    this.state = 'finished';
    return this.imageId;
  }

  /** Uncompressed bytes written. */
  get bytes(): number {
    return this.tar.bytes;
  }

  /** Moves the finished file into place (refusing to replace an existing file unless overwrite). */
  async commit(): Promise<void> {
    if (this.state !== 'finished') throw new Error('AciWriter.commit() before finish()');
    await commitFile(this.tmp, this.output, this.options.overwrite);
    this.state = 'committed';
    this.untrack();
  }

  /** Removes the temporary file unless committed (call in `finally`). */
  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    if (this.state === 'open') await this.abort();
    this.state = 'discarded';
    await unlink(this.tmp).catch(() => {});
    this.untrack();
  }
}
