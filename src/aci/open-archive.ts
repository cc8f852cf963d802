/**
 * The one way into an archive: source, type sniffing, decompression, the byte limit and the sorting of
 * failures (classifyFailure). Every reader (validate, image ID, entries, extract, render, the OCI layer
 * reader) opens its input here, so they all see the same stream and give the same verdict on it.
 */
import type { Readable } from 'node:stream';
import { ArchiveError } from './archive-codes.js';
import type { Compression, FileType } from './detect.js';
import { compressionOf, detectFileType } from './detect.js';
import { classifyDecompressError, decompressStream, describeFileType } from './decompress.js';
import type { AciSource, OpenedSource, SourceStats } from './source.js';
import { openSource, tailBytes } from './source.js';
import { openGzipMembers } from './decompress-gzip-members.js';
import { dropChunk, keepYoungGenerationSmall, noteGarbage } from './garbage.js';
import { decodesInThisThread } from './xz-stream.js';

/** Options of {@link openArchive}. */
export interface OpenArchiveOptions {
  /** Most uncompressed bytes read before TAR_LIMIT_EXCEEDED (default: no limit). */
  readonly maxTotalBytes?: number;
  readonly signal?: AbortSignal;
  /** Called for each chunk read from the source, with the counters. */
  readonly onSourceChunk?: (stats: SourceStats) => void;
  /**
   * Read whatever is not gzip, bzip2, xz or a recognised other format (zstd, lzma, OpenPGP) as a plain tar
   * (OCI layers: old tars without the ustar magic, empty layers). Default false: such input is
   * ARCHIVE_UNKNOWN_FORMAT.
   */
  readonly assumeTar?: boolean;
  /**
   * Let the parallel gzip reader queue one inflated member ahead of the consumer, with one member inflating per
   * core (default true): it keeps the inflating busy behind a consumer that works on each chunk (hashing). A
   * consumer that blocks on writes (extract) gains nothing from it: with false, one member inflates while the
   * consumer works on the last, which saves two members' memory (a read buffer and an output).
   */
  readonly queueAhead?: boolean;
}

/** An opened archive: what it is, and its uncompressed bytes. */
export interface OpenedArchive {
  readonly fileType: FileType;
  readonly compression: Compression;
  /** The first bytes of the source (up to 512). */
  readonly head: Uint8Array;
  /** Source counters (compressed bytes read; whether the source was read to its end). */
  readonly stats: SourceStats;
  /** The uncompressed bytes as a stream, for push consumers; sort its errors with {@link OpenedArchive.failure}. */
  readonly stream: Readable;
  /**
   * True when `stream` keeps its decoders busy on its own (gzip members inflating ahead of the reader), or
   * decodes on this thread (the built-in xz decoder: nothing runs meanwhile), so a consumer gains nothing by
   * buffering its chunks; false when buffering a few MiB lets the decoder run on.
   */
  readonly readsAhead: boolean;
  /**
   * The uncompressed bytes for pull consumers: counts them, hashes them into `hash`, enforces maxTotalBytes
   * and throws every failure already sorted (ArchiveError), I/O errors of the source and aborts as they are.
   * `tarEnded` says whether the tar end-of-archive marker was seen (it decides what a decompressor error means).
   * `dropChunks`: the consumer keeps no view of a chunk once it asks for the next one, so each chunk may be
   * freed then (garbage.ts dropChunk).
   */
  chunks(tarEnded: () => boolean, hash?: { update(chunk: Uint8Array): unknown }, dropChunks?: boolean): AsyncGenerator<Uint8Array>;
  /**
   * The consumer of `stream` is done with `chunk` and keeps no view of it: frees its memory when its producer
   * allows (garbage.ts dropChunk; a plain tar's chunks go back to the source), else counts it as garbage.
   */
  done(chunk: Uint8Array): void;
  /** Uncompressed bytes delivered by `chunks` so far. */
  readonly bytes: number;
  /** Sorts an error of `stream`: returns the ArchiveError, or throws what is not the archive's fault. */
  failure(error: unknown, bytes: number, tarEnded: boolean): ArchiveError;
  /** Stops reading and releases the source. */
  close(): void;
}

/**
 * Opens a source as an image archive (gzip, bzip2, xz or plain tar, A-CD-2).
 * @throws ArchiveError ARCHIVE_UNKNOWN_FORMAT or ARCHIVE_UNSUPPORTED_COMPRESSION (with `where.fileType`);
 * I/O errors of the source as they are.
 */
export async function openArchive(source: AciSource, options: OpenArchiveOptions = {}): Promise<OpenedArchive> {
  options.signal?.throwIfAborted();
  // A streamed archive is a long run of short-lived objects (per chunk, per entry), which V8 answers by doubling
  // its young generation; a program that bounded its garbage keeps it small (garbage.ts; a no-op otherwise).
  // Measured: extract 4 -> 8 MB of new space and +4-5 MB peak RSS without it; validate and image-id of the bench
  // image -1.5 to -2 MB with it; same CPU time.
  keepYoungGenerationSmall();
  // Our own gzip (sized members) in a file is inflated on every core; everything else streams through one decoder.
  const members = typeof source === 'string' ? openGzipMembers(source, options.onSourceChunk, options.queueAhead !== false) : undefined;
  const opened = members ?? (await openSource(source, options.onSourceChunk));
  const fileType = detectFileType(opened.head);
  const compression = compressionOf(fileType) ?? (options.assumeTar && (fileType === 'text' || fileType === 'unknown') ? 'none' : undefined);
  if (compression === undefined) {
    opened.close();
    throw formatError(fileType);
  }
  // Source chunks a consumer is done with go back to the source, which frees the memory it owns (file reads).
  const release = members ? undefined : (opened as OpenedSource).release;
  const stream = members ? members.stream : decompressStream(compression, opened.stream, release);
  // A plain tar's chunks are the source's own: the consumer done with one hands it back to the source.
  const done = (chunk: Uint8Array): void => {
    if (compression === 'none' && release) release(chunk);
    else dropChunk(chunk);
  };
  const maxTotal = options.maxTotalBytes ?? Infinity;
  let bytes = 0;
  const failure = (error: unknown, at: number, tarEnded: boolean): ArchiveError =>
    classifyFailure(error, { compression, head: opened.head, stats: opened.stats, bytes: at, tarEnded, ...(options.signal ? { signal: options.signal } : {}) });
  return {
    fileType,
    compression,
    head: opened.head,
    stats: opened.stats,
    stream,
    readsAhead: members !== undefined || decodesInThisThread(stream),
    get bytes() {
      return bytes;
    },
    failure,
    done,
    async *chunks(tarEnded, hash, dropChunks = false) {
      const it = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      for (;;) {
        options.signal?.throwIfAborted();
        let r: IteratorResult<Uint8Array>;
        try {
          r = await it.next();
        } catch (e) {
          throw failure(e, bytes, tarEnded());
        }
        if (r.done) return;
        bytes += r.value.length;
        if (bytes > maxTotal) throw limitError(maxTotal);
        hash?.update(r.value);
        yield r.value;
        if (dropChunks) done(r.value);
        else noteGarbage(r.value.length);
      }
    },
    close() {
      opened.close();
      stream.destroy();
    },
  };
}

/** The failure of a file that is not an archive this library reads. */
export function formatError(fileType: FileType): ArchiveError {
  const unsupported = fileType === 'zstd' || fileType === 'lzma' || fileType === 'openpgp';
  return new ArchiveError(unsupported ? 'ARCHIVE_UNSUPPORTED_COMPRESSION' : 'ARCHIVE_UNKNOWN_FORMAT', `the file is ${describeFileType(fileType)}`, { params: { fileType }, fileType });
}

/** The failure of an archive larger than maxTotalBytes once decompressed. */
export function limitError(maxTotal: number): ArchiveError {
  return new ArchiveError('TAR_LIMIT_EXCEEDED', `the uncompressed archive is larger than maxTotalBytes (${maxTotal} bytes); reading stopped`, {
    offset: maxTotal,
    params: { limit: 'maxTotalBytes', max: maxTotal },
  });
}

/** What classifyFailure needs to know about the read that failed. */
export interface FailureContext {
  readonly compression: Compression;
  readonly head: Uint8Array;
  readonly stats: SourceStats;
  /** Uncompressed bytes read before the failure. */
  readonly bytes: number;
  /**
   * The tar end-of-archive marker was seen. Informational only: it no longer decides the verdict, since
   * when the error arrives the reader may not yet have parsed every chunk the decoder produced.
   */
  readonly tarEnded: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The one sorting of read failures: an abort rethrows the signal's reason, an I/O error of the source is
 * rethrown as it is (not the archive's fault), an ArchiveError stays itself, and a decompressor error becomes
 * TAR_TRUNCATED, TAR_TRAILING_DATA or ARCHIVE_CORRUPT_COMPRESSION (classifyDecompressError decides which).
 */
export function classifyFailure(error: unknown, context: FailureContext): ArchiveError {
  if (context.signal?.aborted) throw context.signal.reason;
  if (error instanceof ArchiveError) return error;
  if (isSystemError(error) && !context.stats.ended) throw error;
  const f = classifyDecompressError(context.compression, error, context.stats.ended, tailBytes(context.stats), context.head);
  const code = f.kind === 'truncated' ? 'TAR_TRUNCATED' : f.kind === 'trailing' ? 'TAR_TRAILING_DATA' : 'ARCHIVE_CORRUPT_COMPRESSION';
  return new ArchiveError(
    code,
    `${f.message}; it stopped after ${context.bytes} uncompressed bytes (${context.stats.compressedBytes} compressed bytes read)`,
    {
      offset: context.bytes,
      params: { compressedOffset: context.stats.compressedBytes },
    },
    { cause: error },
  );
}

/** True for errors of the operating system (a file that cannot be read), which are never the archive's fault. */
export function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { syscall?: unknown }).syscall === 'string';
}
