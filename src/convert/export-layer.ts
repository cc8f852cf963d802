/**
 * Writing one OCI layer blob (OCI image-spec layer.md, descriptor.md): tar bytes are collected in 1 MiB
 * buffers, hashed (sha256 of the uncompressed tar: the diff ID), gzip-compressed by the builder's
 * block-parallel compressor (same bytes whatever the core count) and hashed again (the blob digest) on the way
 * into a temporary file. Memory stays flat whatever the layer size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarOutput } from '../aci/archive-output.js';
import { createCompressor } from '../aci/compress.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput } from '../aci/tar/write-tar.js';

/** A layer written: its temporary file, digests and sizes. */
export interface WrittenLayer {
  /** The temporary file holding the compressed blob. */
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

/** A gzip-compressed tar layer being written into `dir`. */
export class LayerWriter {
  private entries = 0;
  private compressedBytes = 0;
  private readonly blobHash = createHash('sha256');
  private state: 'open' | 'finished' | 'discarded' = 'open';

  private constructor(
    readonly file: string,
    private readonly tar: TarOutput,
    private readonly input: Writable,
    private readonly written: Promise<void>,
    private readonly failure: Promise<never>,
    private readonly destroyAll: () => void,
  ) {}

  /** Creates the temporary blob file in `dir`; `onBytes` hears about each uncompressed chunk handed on. */
  static async create(dir: string, onBytes?: (n: number) => void): Promise<LayerWriter> {
    const file = join(dir, `.layer-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const compressor = createCompressor('gzip', { parallel: true });
    const fileStream = createWriteStream(file, { flags: 'wx', mode: 0o644, highWaterMark: 1 << 20 });
    await once(fileStream, 'open');
    let self: LayerWriter | undefined;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        self!.blobHash.update(chunk);
        self!.compressedBytes += chunk.length;
        cb(null, chunk);
      },
    });
    const written = pipeline(compressor.output, counter, fileStream);
    const failure = new Promise<never>((_, reject) => {
      written.catch(reject);
      compressor.done.catch(reject);
    });
    failure.catch(() => {});
    // TarOutput reports running totals; callers of create() want each chunk's size.
    let reported = 0;
    const progress = (total: number): void => {
      onBytes?.(total - reported);
      reported = total;
    };
    // No buffer reuse: the parallel gzip's hold on a written chunk is not documented. sha256: the diff ID.
    const tar = new TarOutput(compressor.input, failure, progress, false, 'sha256');
    self = new LayerWriter(file, tar, compressor.input, written, failure, () => {
      compressor.input.destroy();
      compressor.output.destroy();
      fileStream.destroy();
    });
    return self;
  }

  /** Appends tar bytes. */
  async put(bytes: Uint8Array): Promise<void> {
    await this.tar.put(bytes);
  }

  /** Writes an entry's header; a regular file's `size` bytes follow through `put`, then `endFile`. */
  async header(entry: TarEntryInput): Promise<void> {
    await this.tar.put(encodeTarHeader(entry));
    this.entries++;
  }

  /** Pads the current file's body to a whole block. */
  async endFile(size: number): Promise<void> {
    await this.tar.zeros(padding(size));
  }

  /** Ends the tar, finishes compression and returns the layer's digests. */
  async finish(): Promise<WrittenLayer> {
    await this.tar.put(END_OF_ARCHIVE);
    await this.tar.flush();
    this.input.end();
    await Promise.race([this.written, this.failure]);
    this.state = 'finished';
    return {
      file: this.file,
      digest: 'sha256:' + this.blobHash.digest('hex'),
      diffId: 'sha256:' + this.tar.hexDigest(),
      size: this.compressedBytes,
      tarBytes: this.tar.bytes,
      entries: this.entries,
    };
  }

  /** Stops writing and removes the temporary file (call in `finally`; a no-op once finished). */
  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    this.destroyAll();
    await this.written.catch(() => {});
    await unlink(this.file).catch(() => {});
  }
}
