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
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCompressor } from '../aci/compress.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryInput } from '../aci/tar/write-tar.js';

const BUFFER_SIZE = 1 << 20;

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
  private buf = Buffer.allocUnsafe(BUFFER_SIZE);
  private fill = 0;
  private tarBytes = 0;
  private entries = 0;
  private compressedBytes = 0;
  private readonly diffHash = createHash('sha256');
  private readonly blobHash = createHash('sha256');
  private state: 'open' | 'finished' | 'discarded' = 'open';

  private constructor(
    readonly file: string,
    private readonly input: NodeJS.WritableStream & { destroyed: boolean; destroy(): void; write(c: Uint8Array): boolean; end(): void },
    private readonly written: Promise<void>,
    private readonly failure: Promise<never>,
    private readonly destroyAll: () => void,
    private readonly onBytes: ((n: number) => void) | undefined,
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
    self = new LayerWriter(file, compressor.input as never, written, failure, () => {
      compressor.input.destroy();
      compressor.output.destroy();
      fileStream.destroy();
    }, onBytes);
    return self;
  }

  /** Appends tar bytes. */
  async put(bytes: Uint8Array): Promise<void> {
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, BUFFER_SIZE - this.fill);
      this.buf.set(bytes.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      if (this.fill === BUFFER_SIZE) await this.flush();
    }
  }

  /** Writes an entry's header; a regular file's `size` bytes follow through `put`, then `endFile`. */
  async header(entry: TarEntryInput): Promise<void> {
    await this.put(encodeTarHeader(entry));
    this.entries++;
  }

  /** Pads the current file's body to a whole block. */
  async endFile(size: number): Promise<void> {
    const n = padding(size);
    if (n > 0) await this.put(new Uint8Array(n));
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const chunk = this.buf.subarray(0, this.fill);
    this.buf = Buffer.allocUnsafe(BUFFER_SIZE);
    this.fill = 0;
    this.diffHash.update(chunk);
    this.tarBytes += chunk.length;
    this.onBytes?.(chunk.length);
    if (this.input.destroyed) await Promise.race([this.failure, Promise.reject(new Error('the compressor stopped unexpectedly'))]);
    if (!this.input.write(chunk)) await Promise.race([once(this.input as never, 'drain'), this.failure]);
  }

  /** Ends the tar, finishes compression and returns the layer's digests. */
  async finish(): Promise<WrittenLayer> {
    await this.put(END_OF_ARCHIVE);
    await this.flush();
    this.input.end();
    await Promise.race([this.written, this.failure]);
    this.state = 'finished';
    return {
      file: this.file,
      digest: 'sha256:' + this.blobHash.digest('hex'),
      diffId: 'sha256:' + this.diffHash.digest('hex'),
      size: this.compressedBytes,
      tarBytes: this.tarBytes,
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
