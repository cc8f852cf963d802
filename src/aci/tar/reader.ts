/**
 * The pull-based tar reader: turns a stream of uncompressed tar chunks into entries `{ header, body }`,
 * pulling chunks only as the consumer asks for entries and body bytes (memory stays flat). Reports problems
 * with core `TAR_*` codes only; each caller maps them to its own. Portable (no node:).
 */
import { ArchiveError, FATAL_TAR_CODES } from '../archive-codes.js';
import type { TarHeader } from './header.js';
import type { TarWalkerOptions, WalkerIssueCode, WalkerIssueContext } from './walker.js';
import { TarWalker } from './walker.js';

/** One member. Read `body` before asking for the next entry; an unread body is skipped for you. */
export interface TarEntry {
  readonly header: TarHeader;
  /** The entry's data (empty for header-only types). Read it once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The raw header blocks (extension headers included), when `keepRawHeaders` was set. */
  readonly rawHeader?: Uint8Array;
}

/** Options of {@link TarReader}. */
export interface TarReaderOptions extends TarWalkerOptions {
  /** Hears every problem that does not stop the reading (a missing end marker, unusual types ...). */
  readonly onIssue?: (code: WalkerIssueCode, message: string, context: WalkerIssueContext) => void;
}

type Event = { readonly kind: 'entry'; readonly header: TarHeader; readonly raw: Uint8Array | undefined } | { readonly kind: 'data'; readonly chunk: Uint8Array } | { readonly kind: 'end' };

/**
 * Reads entries from `chunks`. A fatal tar problem (bad checksum or header, truncation, data after the end,
 * a limit) is thrown as an ArchiveError once every entry before it was delivered; errors of `chunks` pass
 * through as they are.
 */
export class TarReader {
  readonly #walker: TarWalker;
  readonly #chunks: AsyncIterator<Uint8Array>;
  readonly #queue: Event[] = [];
  #head = 0;
  #fatal: ArchiveError | undefined;
  /** How many queued events came before the fatal problem (the entry it concerns is never delivered). */
  #cut = Infinity;
  #finished = false;

  constructor(chunks: AsyncIterable<Uint8Array>, options: TarReaderOptions = {}) {
    this.#chunks = chunks[Symbol.asyncIterator]();
    const queue = this.#queue;
    this.#walker = new TarWalker(
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
        onIssue: (code, message, ctx) => {
          if (FATAL_TAR_CODES.has(code)) {
            if (this.#fatal === undefined) this.#cut = queue.length;
            this.#fatal ??= new ArchiveError(code, message, { ...(ctx.entry !== undefined ? { entry: ctx.entry } : {}), offset: ctx.offset, ...(ctx.params ? { params: ctx.params } : {}) });
          } else {
            options.onIssue?.(code, message, ctx);
          }
        },
      },
      options,
    );
  }

  /** True once the end-of-archive marker was read. */
  get sawEnd(): boolean {
    return this.#walker.sawEnd;
  }

  /** Tar bytes parsed so far. */
  get offset(): number {
    return this.#walker.offset;
  }

  /** Pulls and parses chunks until an event is queued or the stream ends. */
  async #next(): Promise<Event | undefined> {
    for (;;) {
      if (this.#head >= this.#cut) throw this.#fatal!;
      if (this.#head < this.#queue.length) return this.#queue[this.#head++];
      this.#queue.length = 0;
      this.#head = 0;
      if (this.#finished) return undefined;
      const r = await this.#chunks.next();
      if (r.done) {
        this.#finished = true;
        this.#walker.end();
      } else {
        this.#walker.write(r.value);
      }
    }
  }

  /** The entries in archive order. */
  async *entries(): AsyncGenerator<TarEntry, void, undefined> {
    let pendingEnd = false;
    const next = (): Promise<Event | undefined> => this.#next();
    for (;;) {
      // Skip what the consumer left of the previous body.
      while (pendingEnd) {
        const ev = await next();
        if (ev === undefined) break;
        if (ev.kind === 'end') pendingEnd = false;
      }
      const ev = await next();
      if (ev === undefined) return;
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
      yield ev.raw ? { header: ev.header, body, rawHeader: ev.raw } : { header: ev.header, body };
    }
  }
}
