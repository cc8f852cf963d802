/** A pull-based async iterator over the entries of an image archive, with streaming bodies (STYLE §5). */
import { createHash } from 'node:crypto';
import type { Issue } from '../issues/issue.js';
import { ArchiveError, aciCodeOf } from './archive-codes.js';
import type { Compression } from './detect.js';
import type { AciProgress } from './scan.js';
import { aciIssue, issueError } from './layout-rules.js';
import type { AciLimits } from './limits.js';
import { resolveLimits } from './limits.js';
import { openArchive } from './open-archive.js';
import type { AciSource } from './source.js';
import type { TarHeader } from './tar/header.js';
import { cleanPath } from './tar/path.js';
import { TarReader } from './tar/reader.js';

/** One archive member. Read `body` before asking for the next entry; an unread body is skipped for you. */
export interface AciEntry {
  readonly header: TarHeader;
  /** The cleaned member name (`./rootfs//a/` gives `rootfs/a`). */
  readonly path: string;
  /** The entry's data (empty for everything but regular files and unusual types). Read it once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The raw header blocks (PAX and GNU extension headers included), when `keepRawHeaders` was set. */
  readonly rawHeader?: Uint8Array;
}

/** Options of {@link readAciEntries}. */
export interface ReadAciEntriesOptions extends AciLimits {
  /** Keep each entry's raw header blocks (to copy an archive byte for byte). */
  readonly keepRawHeaders?: boolean;
  /** Called once with the archive's compression, before the first entry. */
  readonly onCompression?: (compression: Compression) => void;
  readonly signal?: AbortSignal;
  /**
   * Called once the whole archive was read with its image ID (sha512 of the uncompressed tar), so one pass can
   * both list the entries and check the ID.
   */
  readonly onImageId?: (imageId: string) => void;
  /**
   * Called as the source is read (at most once per source chunk, 1 MiB for files) with the bytes read from the
   * source so far and the uncompressed bytes delivered so far; for a file read to its end the last call's
   * `compressedBytes` is the file's size.
   */
  readonly onProgress?: (progress: AciProgress) => void;
  /** Hears the archive problems that do not stop the reading (TAR_NO_END, ACI_UNUSUAL_TYPE ...), as ACI issues. */
  readonly onIssue?: (issue: Issue) => void;
}

/**
 * Iterates over the members of an archive in order, decompressing as it goes; memory stays flat.
 * Layout rules are not applied here (use validateAci); structural damage (truncation, bad checksums,
 * corrupt compression, data after the end, limits) throws an AppcError once the entries before it were delivered.
 * @example
 * for await (const { path, header, body } of readAciEntries('app.aci')) {
 *   if (header.type === 'file') for await (const chunk of body) hash.update(chunk);
 * }
 */
export function readAciEntries(source: AciSource, options: ReadAciEntriesOptions = {}): AsyncGenerator<AciEntry, void, undefined> {
  return entriesOf(source, options, false);
}

/**
 * {@link readAciEntries} for consumers that keep no view of a body chunk once they ask for the next one (they
 * copy what they keep, and keepRawHeaders is off): each uncompressed chunk is freed at once when the reader is
 * done with it (garbage.ts dropChunk), instead of waiting for a collection. For extractAci.
 */
export function readAciEntriesDropping(source: AciSource, options: Omit<ReadAciEntriesOptions, 'keepRawHeaders'> = {}): AsyncGenerator<AciEntry, void, undefined> {
  return entriesOf(source, options, true);
}

async function* entriesOf(source: AciSource, options: ReadAciEntriesOptions, dropChunks: boolean): AsyncGenerator<AciEntry, void, undefined> {
  const file = typeof source === 'string' ? source : undefined;
  const limits = resolveLimits(options);
  const onProgress = options.onProgress;
  // Uncompressed bytes handed to the tar reader and source bytes read so far (only counted when someone listens).
  let delivered = 0;
  let sourceBytes = 0;
  let archive;
  try {
    archive = await openArchive(source, {
      maxTotalBytes: limits.maxTotalBytes,
      // extractAci (the dropping reader) writes each chunk synchronously: a queued member would only be memory.
      queueAhead: !dropChunks,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress ? { onSourceChunk: (s: { compressedBytes: number }) => onProgress({ compressedBytes: (sourceBytes = s.compressedBytes), bytes: delivered }) } : {}),
    });
  } catch (e) {
    throw toAppcError(e, file);
  }
  try {
    options.onCompression?.(archive.compression);
    const hash = options.onImageId === undefined ? undefined : createHash('sha512');
    const onIssue = options.onIssue;
    const chunks = archive.chunks(() => reader.sawEnd, hash, dropChunks && !options.keepRawHeaders);
    const reader: TarReader = new TarReader(onProgress ? counted(chunks, (n) => (delivered += n)) : chunks, {
      maxEntries: limits.maxEntries,
      maxPaxBytes: limits.maxPaxBytes,
      maxPathBytes: limits.maxPathBytes,
      ...(options.keepRawHeaders ? { keepRawHeaders: true } : {}),
      ...(onIssue ? { onIssue: (code, message, ctx) => onIssue(aciIssue(aciCodeOf(code), message, ctx)) } : {}),
    });
    try {
      for await (const { header, body: raw, rawHeader } of reader.entries()) {
        const path = cleanPath(header.name);
        const body = withAppcErrors(raw, file);
        yield rawHeader ? { header, path, body, rawHeader } : { header, path, body };
      }
    } catch (e) {
      throw toAppcError(e, file);
    }
    // A source chunk is reported before it is decompressed: the last call gives the final counts.
    onProgress?.({ compressedBytes: sourceBytes, bytes: delivered });
    if (hash !== undefined) options.onImageId!(`sha512-${hash.digest('hex')}`);
  } finally {
    archive.close();
  }
}

/** The same chunks, telling `add` each one's length as it goes by. */
async function* counted(chunks: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    add(chunk.length);
    yield chunk;
  }
}

/** A body whose core failures (a truncated or corrupt stream) are thrown as AppcErrors. */
async function* withAppcErrors(body: AsyncIterable<Uint8Array>, file: string | undefined): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (e) {
    throw toAppcError(e, file);
  }
}

/** The AppcError of a core failure (its ACI code, file, entry and offset); anything else as it is. */
export function toAppcError(e: unknown, file: string | undefined): unknown {
  if (!(e instanceof ArchiveError)) return e;
  return issueError(aciIssue(aciCodeOf(e.code), e.message, e.where), file, e.cause);
}
