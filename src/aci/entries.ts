/** A pull-based async iterator over the entries of an image archive, with streaming bodies (STYLE §5). */
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { AppcError } from '../issues/appc-error.js';
import type { Compression } from './detect.js';
import { compressionOf, detectFileType } from './detect.js';
import { classifyDecompressError, decompressStream, describeFileType } from './decompress.js';
import type { AciLimits } from './scan.js';
import { ACI_LIMITS } from './scan.js';
import type { AciSource } from './source.js';
import { openSource } from './source.js';
import type { TarHeader } from './tar/header.js';
import { cleanPath } from './tar/path.js';
import { TarWalker, type WalkerIssueCode } from './tar/walker.js';

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
}

type Event = { readonly kind: 'entry'; readonly header: TarHeader; readonly raw: Uint8Array | undefined } | { readonly kind: 'data'; readonly chunk: Uint8Array } | { readonly kind: 'end' };

const FATAL: ReadonlySet<WalkerIssueCode> = new Set(['TAR_BAD_CHECKSUM', 'TAR_BAD_HEADER', 'ACI_TRUNCATED', 'ACI_TRAILING_DATA', 'ACI_LIMIT_EXCEEDED']);

/**
 * Iterates over the members of an archive in order, decompressing as it goes; memory stays flat.
 * Layout rules are not applied here (use validateAci); structural damage (truncation, bad checksums,
 * corrupt compression, data after the end, limits) throws an AppcError once the entries before it were delivered.
 * @example
 * for await (const { path, header, body } of readAciEntries('app.aci')) {
 *   if (header.type === 'file') for await (const chunk of body) hash.update(chunk);
 * }
 */
export async function* readAciEntries(source: AciSource, options: ReadAciEntriesOptions = {}): AsyncGenerator<AciEntry, void, undefined> {
  const file = typeof source === 'string' ? source : undefined;
  const where = file !== undefined ? { file } : {};
  const opened = await openSource(source);
  try {
    const type = detectFileType(opened.head);
    const compression = compressionOf(type);
    if (compression === undefined) {
      const unsupported = type === 'zstd' || type === 'lzma' || type === 'openpgp';
      throw new AppcError(unsupported ? 'ACI_UNSUPPORTED_COMPRESSION' : 'ACI_UNKNOWN_FORMAT', `the file is ${describeFileType(type)}`, where);
    }
    options.onCompression?.(compression);
    const stream: Readable = decompressStream(compression, opened.stream);
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    const queue: Event[] = [];
    let head = 0;
    let fatal: AppcError | undefined;
    let finished = false;
    let bytes = 0;
    const hash = options.onImageId === undefined ? undefined : createHash('sha512');
    const maxTotal = options.maxTotalBytes ?? ACI_LIMITS.maxTotalBytes;
    const walker = new TarWalker(
      {
        onEntry(header, raw) {
          queue.push({ kind: 'entry', header, raw });
          return true;
        },
        onData(chunk) {
          queue.push({ kind: 'data', chunk });
        },
        onEntryEnd() {
          queue.push({ kind: 'end' });
        },
        onIssue(code, message, ctx) {
          if (FATAL.has(code) && fatal === undefined) {
            fatal = new AppcError(code, message, { ...where, ...(ctx.entry !== undefined ? { entry: ctx.entry } : {}), offset: ctx.offset });
          }
        },
      },
      {
        maxEntries: options.maxEntries ?? ACI_LIMITS.maxEntries,
        maxPaxBytes: options.maxPaxBytes ?? ACI_LIMITS.maxPaxBytes,
        maxPathBytes: options.maxPathBytes ?? ACI_LIMITS.maxPathBytes,
        ...(options.keepRawHeaders ? { keepRawHeaders: true } : {}),
      },
    );

    /** Pulls and parses decompressed chunks until an event is queued or the stream ends. */
    const next = async (): Promise<Event | undefined> => {
      while (head >= queue.length) {
        queue.length = 0;
        head = 0;
        if (fatal) throw fatal;
        if (finished) return undefined;
        options.signal?.throwIfAborted();
        let r: IteratorResult<Uint8Array>;
        try {
          r = await chunks.next();
        } catch (e) {
          if (options.signal?.aborted) throw options.signal.reason;
          if (e instanceof Error && typeof (e as { syscall?: unknown }).syscall === 'string' && !opened.stats.ended) throw e;
          const f = classifyDecompressError(compression, e, opened.stats.ended, walker.sawEnd, opened.head);
          const code = f.kind === 'truncated' ? 'ACI_TRUNCATED' : f.kind === 'trailing' ? 'ACI_TRAILING_DATA' : 'ACI_CORRUPT_COMPRESSION';
          throw new AppcError(code, f.message, { ...where, offset: bytes, cause: e });
        }
        if (r.done) {
          finished = true;
          walker.end();
          continue;
        }
        bytes += r.value.length;
        if (bytes > maxTotal) {
          throw new AppcError('ACI_LIMIT_EXCEEDED', `the uncompressed archive is larger than maxTotalBytes (${maxTotal} bytes)`, { ...where, offset: maxTotal });
        }
        hash?.update(r.value);
        walker.write(r.value);
      }
      return queue[head++];
    };

    let pendingEnd = false;
    for (;;) {
      // Skip what the consumer left of the previous body.
      while (pendingEnd) {
        const ev = await next();
        if (ev === undefined) break;
        if (ev.kind === 'end') pendingEnd = false;
      }
      const ev = await next();
      if (ev === undefined) {
        if (hash !== undefined) options.onImageId!(`sha512-${hash.digest('hex')}`);
        return;
      }
      if (ev.kind !== 'entry') continue;
      pendingEnd = true;
      const body: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: async function* () {
          while (pendingEnd) {
            const e = await next();
            if (e === undefined) return;
            if (e.kind === 'end') {
              pendingEnd = false;
              return;
            }
            if (e.kind === 'data') yield e.chunk;
          }
        },
      };
      const entry: AciEntry = ev.raw ? { header: ev.header, path: cleanPath(ev.header.name), body, rawHeader: ev.raw } : { header: ev.header, path: cleanPath(ev.header.name), body };
      yield entry;
    }
  } finally {
    opened.close();
  }
}
