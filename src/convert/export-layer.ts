/**
 * Writing one OCI layer blob (OCI image-spec layer.md, descriptor.md): tar entries on top of the builder's
 * archive output (aci/archive-output.ts), which collects them in reused 1 MiB buffers, hashes them (sha256 of
 * the uncompressed tar: the diff ID), hands whole buffers to the block-parallel gzip (same bytes whatever the
 * core count) and writes the compressed bytes into a temporary file, hashed on the way (the blob digest).
 * Memory stays flat whatever the layer size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type ArchiveOutput, openArchiveOutput } from '../aci/archive-output.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput } from '../aci/tar/write-tar.js';

/** A layer written: its file, digests and sizes. */
export interface WrittenLayer {
  /** The file holding the compressed blob (in the directory given to {@link LayerWriter.create}). */
  readonly file: string;
  /** `sha256:<hex>` of the compressed blob. */
  readonly digest: string;
  /** `sha256:<hex>` of the uncompressed tar (the config's `rootfs.diff_ids`). */
  readonly diffId: string;
  /** Bytes of the compressed blob. */
  readonly size: number;
  /** Bytes of the uncompressed tar. */
  readonly tarBytes: number;
  /** Tar entries written. */
  readonly entries: number;
}

/** A gzip-compressed tar layer being written into a directory. */
export class LayerWriter {
  private entries = 0;
  private state: 'open' | 'finished' | 'discarded' = 'open';

  private constructor(
    readonly file: string,
    private readonly archive: ArchiveOutput,
    private readonly blob: { readonly hash: ReturnType<typeof createHash>; size: number },
  ) {}

  /** Starts a layer whose file will be in `dir`; `onBytes` hears about each uncompressed chunk handed on. */
  static async create(dir: string, onBytes?: (n: number) => void): Promise<LayerWriter> {
    const file = join(dir, `.layer-${process.pid}-${randomBytes(6).toString('hex')}`);
    const blob = { hash: createHash('sha256'), size: 0 };
    // The output reports running totals; callers of create() want each chunk's size.
    let reported = 0;
    const archive = await openArchiveOutput(file, {
      compression: 'gzip',
      parallel: true,
      diffId: true,
      // A unique name of ours in the export's staging directory: nothing to keep from being replaced.
      overwrite: true,
      onOutput: (chunk) => {
        blob.hash.update(chunk);
        blob.size += chunk.length;
      },
      onProgress: (total) => {
        onBytes?.(total - reported);
        reported = total;
      },
    });
    return new LayerWriter(file, archive, blob);
  }

  /** Appends tar bytes (copied: the caller may reuse or free `bytes` once this resolves). */
  async put(bytes: Uint8Array): Promise<void> {
    await this.archive.tar.put(bytes);
  }

  /** Writes an entry's header; a regular file's `size` bytes follow through `put`, then `endFile`. */
  async header(entry: TarEntryInput): Promise<void> {
    await this.archive.tar.put(encodeTarHeader(entry));
    this.entries++;
  }

  /** Pads the current file's body to a whole block. */
  async endFile(size: number): Promise<void> {
    await this.archive.tar.zeros(padding(size));
  }

  /** Ends the tar, finishes compression, moves the blob to {@link file} and returns the layer's digests. */
  async finish(): Promise<WrittenLayer> {
    await this.archive.tar.put(END_OF_ARCHIVE);
    const diffId = (await this.archive.commit())!;
    this.state = 'finished';
    return {
      file: this.file,
      digest: 'sha256:' + this.blob.hash.digest('hex'),
      diffId,
      size: this.blob.size,
      tarBytes: this.archive.tar.bytes,
      entries: this.entries,
    };
  }

  /** Stops writing and removes the temporary file (call in `finally`; a no-op once finished). */
  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    await this.archive.discard();
  }
}
