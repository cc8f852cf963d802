/**
 * Parallel inflate of a gzip file made of sized members (gzip-members.ts, what this library writes): each
 * member's header says where the next one starts, so several members are inflated at once on the thread
 * pool (zlib's gunzip checks each one's CRC-32 and length), a bounded number in flight, and their bytes are
 * delivered in order. Inflating one gzip stream is serial; this puts inflate on every core.
 *
 * Exactness: a member is delivered only when zlib inflated it whole, on its own, consuming exactly the bytes
 * its header claims. The serial decoder starts each member in the same fresh state, so it would have
 * delivered exactly those bytes too. On any anomaly (a header that is not a sized member, a length that
 * lies, a member that fails or is cut short) the ordinary serial decoder takes over from the start of the
 * last member delivered (dropping that member's bytes, already delivered), which puts it in the state the
 * serial decoder would have had there: what follows, error or not, is the serial decoder's own output and
 * verdict. Foreign gzip never enters this path.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Duplex, Readable } from 'node:stream';
import { failAfterDrain } from './decompress-child.js';
import { createGunzip, gunzip } from 'node:zlib';
import { MEMBER_HEADER_BYTES, sizedMemberLength } from './gzip-members.js';
import { keepTail, READ_CHUNK, type SourceStats } from './source.js';
import { markWholeOutputs, ZLIB_CHUNK } from './decompress.js';
import { markRecyclable, markSoleView } from './garbage.js';
import { inflateInto } from './inflate-into.js';

/** Most bytes one member may inflate to here (ours hold 1 MiB); a larger one is left to the streaming decoder. */
const MAX_MEMBER_OUTPUT = 4 << 20;
/** Read buffer size: a 1 MiB block that does not compress, its header and trailer, and the next header. */
const READ_BUFFER_BYTES = (1 << 20) + 1024;
/** zlib's output buffer per member: one buffer holds a whole 1 MiB member, so zlib need not concatenate. */
const MEMBER_OUTPUT_CHUNK = (1 << 20) + (64 << 10);

/** A file opened by {@link openGzipMembers}. */
export interface GzipMembersSource {
  /** The first bytes of the file (up to 512). */
  readonly head: Uint8Array;
  /** The uncompressed bytes. */
  readonly stream: Readable;
  readonly stats: SourceStats;
  close(): void;
}

/**
 * Opens `path` for parallel inflate when it is a regular file starting with a sized gzip member; returns
 * undefined (file closed) otherwise, and the caller reads it the ordinary way.
 * @throws I/O errors of reading the file once opened.
 */
export function openGzipMembers(path: string, onChunk?: (stats: SourceStats) => void, queueOne = true): GzipMembersSource | undefined {
  // Only regular files: a FIFO or a device would block the open, and the bytes peeked here would be lost to
  // the serial reader. A path that cannot be opened is left to the ordinary reader, which reports it as before.
  let fd: number;
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size < MEMBER_HEADER_BYTES) return undefined;
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let owned = true;
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(512, size));
    readFully(fd, head, 0);
    if (sizedMemberLength(head) === undefined) return undefined;
    owned = false;
    return membersReader(fd, size, head, onChunk, queueOne);
  } finally {
    if (owned) closeSync(fd);
  }
}

/** Reads into `buf` from `position` until it is full or the file ends; returns the bytes read. */
function readFully(fd: number, buf: Uint8Array, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * True when `out` (zlib's one-shot result) is the only view of its memory: zlib's own output buffer
 * (MEMBER_OUTPUT_CHUNK bytes, of which `out` is the start) or, for a longer member, Buffer.concat's result, and
 * not a slice of Buffer's shared pool (which only serves sizes under half of Buffer.poolSize, from a larger
 * ArrayBuffer).
 */
function isOwnMemory(out: Buffer): boolean {
  const size = out.buffer.byteLength;
  return out.byteOffset === 0 && (size === MEMBER_OUTPUT_CHUNK || (size === out.length && size >= Buffer.poolSize >>> 1 && size >= 64 << 10));
}

/** One member being inflated: where it starts, and its bytes once zlib has them (undefined: an anomaly). */
interface Job {
  readonly start: number;
  readonly result: Promise<Buffer | undefined>;
}

function membersReader(fd: number, size: number, head: Buffer, onChunk: ((stats: SourceStats) => void) | undefined, queueOne: boolean): GzipMembersSource {
  const stats: SourceStats = { compressedBytes: 0, ended: false, tail: [] };
  // One member inflating per core (at most 3: the pool has 4 threads). Each costs a read buffer and a 1 MiB
  // output; one more read ahead was measured no faster on 2 cores and 3 MB more peak RSS. Behind a consumer
  // that takes members one at a time (queueOne false: extract, which writes each member's files in this
  // thread), one member inflates while the consumer works on the last: the consumer's thread is the
  // bottleneck there, and each member less in flight is a read buffer and an output less.
  const maxInFlight = queueOne ? Math.min(availableParallelism(), 3) : 1;
  const jobs: Job[] = [];
  // Output memory given back by consumers done with a member (garbage.ts dropChunk), for the next members: one
  // per member in flight and one for the consumer's, at most. Reused rather than freed, so that glibc keeps its
  // trim threshold low (see inflate-into.ts): extract's peak RSS fell ~2-3 MB.
  const outputs: ArrayBuffer[] = [];
  const recycle = (memory: ArrayBuffer): void => {
    if (outputs.length <= maxInFlight) outputs.push(memory);
  };
  // Read buffers whose member zlib has finished with, for reuse.
  const free: Buffer[] = [];
  const header = Buffer.from(head.subarray(0, MEMBER_HEADER_BYTES));
  let pos = 0;
  // No more sized members to schedule: the file ended at a member boundary, or the next bytes are not one.
  let scheduled: 'more' | 'end' | 'anomaly' = 'more';
  let lastDelivered: { start: number; length: number } | undefined;
  let waiting = false;
  let serial: Readable | undefined;
  let fdOpen = true;

  const closeFd = (): void => {
    if (fdOpen) closeSync(fd);
    fdOpen = false;
  };

  /** Reads the member at `pos` and the next header after it, and starts inflating it. */
  const schedule = (): void => {
    const length = pos === size ? undefined : sizedMemberLength(header);
    if (pos === size) {
      scheduled = 'end';
      return;
    }
    if (length === undefined || pos + length > size) {
      scheduled = 'anomaly';
      return;
    }
    const want = Math.min(length + MEMBER_HEADER_BYTES, size - pos);
    let buf = free.pop();
    // Room for any member our writer makes, so a reused buffer nearly always fits (no garbage per member).
    if (buf === undefined || buf.length < want) buf = Buffer.allocUnsafe(Math.max(want, READ_BUFFER_BYTES));
    const got = readFully(fd, buf.subarray(0, want), pos);
    stats.compressedBytes += Math.min(got, length);
    onChunk?.(stats);
    if (got < length) {
      scheduled = 'anomaly';
      return;
    }
    header.fill(0);
    buf.copy(header, 0, length, got);
    const member = buf.subarray(0, length);
    const owner = buf;
    const start = pos;
    pos += length;
    jobs.push({
      start,
      result: new Promise((resolve) => {
        const memory = outputs.pop() ?? (Buffer.allocUnsafeSlow(MEMBER_OUTPUT_CHUNK).buffer as ArrayBuffer);
        const started = inflateInto(member, memory, MAX_MEMBER_OUTPUT, (out, consumed) => {
          free.push(owner);
          // Delivered only when zlib took exactly this member's bytes (no early end, no second member cut short).
          if (out === undefined || consumed !== length) {
            // Memory holding a discarded output is left to the collector; memory zlib did not end up using is kept.
            if (out !== undefined && out.buffer !== memory) outputs.push(memory);
            return resolve(undefined);
          }
          if (out.buffer === memory) markRecyclable(out, recycle);
          else outputs.push(memory);
          resolve(out);
        });
        if (started) return;
        outputs.push(memory);
        gunzip(member, { info: true, chunkSize: MEMBER_OUTPUT_CHUNK, maxOutputLength: MAX_MEMBER_OUTPUT }, (err, r) => {
          free.push(owner);
          // Delivered only when zlib took exactly this member's bytes (no early end, no second member cut short).
          const info = r as unknown as { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
          if (err || !info || info.engine.bytesWritten !== length) return resolve(undefined);
          if (isOwnMemory(info.buffer)) markSoleView(info.buffer);
          resolve(info.buffer);
        });
      }),
    });
  };

  /** Starts inflating members until maxInFlight are (or the file has no more). */
  const topUp = (): void => {
    while (scheduled === 'more' && jobs.length < maxInFlight) schedule();
  };

  const stream = new Readable({
    // Members wait in the jobs list, not here: one queued chunk at most. Without it (queueOne false) a member is
    // pushed only when the consumer asks for one, so a slow consumer holds one member less: extract -2 MB peak
    // RSS in the same time; image-id, whose hashing overlaps the inflating, lost 10% CPU that way.
    highWaterMark: queueOne ? 64 << 10 : 0,
    read() {
      if (serial) serial.resume();
      else void pump();
    },
    destroy(err, cb) {
      serial?.destroy();
      closeFd();
      cb(err);
    },
  });

  /** Delivers members in order while the consumer wants more. */
  const pump = async (): Promise<void> => {
    if (waiting) return;
    waiting = true;
    try {
      for (;;) {
        // Destroyed (an abort, or the reader stopped early): the file is closed, read nothing more.
        if (stream.destroyed) return;
        topUp();
        const job = jobs.shift();
        if (job === undefined) {
          if (scheduled === 'end' && lastDelivered !== undefined) {
            closeFd();
            stats.ended = true;
            stream.push(null);
          } else fallBack();
          return;
        }
        const bytes = await job.result;
        if (stream.destroyed) return;
        if (bytes === undefined) {
          jobs.length = 0;
          fallBack();
          return;
        }
        lastDelivered = { start: job.start, length: bytes.length };
        if (!stream.push(bytes)) {
          // Behind a consumer that takes one member at a time, the next one starts inflating now, while the
          // consumer works on this one (else it would only start once the consumer asks for it).
          if (!queueOne && !stream.destroyed) topUp();
          return;
        }
      }
    } catch (e) {
      stream.destroy(e as Error);
    } finally {
      waiting = false;
    }
  };

  /**
   * Hands over to the serial decoder, started at the last member delivered (its bytes dropped: they are out
   * already) so it is in the state the serial decoder would have been in there, or at the start of the file.
   * The file is fed one READ_CHUNK at a time, the next read only once zlib has taken the last one, and a
   * decoder error reaches the reader only after every byte decoded before it: so how far the reader got and
   * how many compressed bytes were read when the error came are the same on every run, not a race between
   * read-ahead and the thread pool.
   */
  const fallBack = (): void => {
    const from = lastDelivered?.start ?? 0;
    let skip = lastDelivered?.length ?? 0;
    stats.compressedBytes = from;
    stats.tail = [];
    const gunzipper = markWholeOutputs(createGunzip({ chunkSize: ZLIB_CHUNK }));
    serial = gunzipper;
    gunzipper.on('error', (e) => failAfterDrain(stream, e));
    gunzipper.on('data', (chunk: Buffer) => {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        return;
      }
      const out = skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
      if (!stream.push(out)) gunzipper.pause();
    });
    gunzipper.on('end', () => stream.push(null));
    void feedSerially(gunzipper, from);
  };

  /**
   * Writes the file from `at` into `decoder`, one chunk at a time, each once the decoder took the last and its
   * output was all handed on: zlib drops what it still holds when it fails, so input that may fail is only given
   * to a decoder holding nothing.
   */
  const feedSerially = async (decoder: Duplex, at: number): Promise<void> => {
    for (;;) {
      while (decoder.readableLength > 0 && !decoder.destroyed && !stream.destroyed) await new Promise((resolve) => setImmediate(resolve));
      if (stream.destroyed || decoder.destroyed) return;
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      let n: number;
      try {
        n = readFully(fd, chunk, at);
      } catch (e) {
        stream.destroy(e as Error);
        return;
      }
      if (n === 0) {
        closeFd();
        stats.ended = true;
        decoder.end();
        return;
      }
      const data = n === chunk.length ? chunk : chunk.subarray(0, n);
      at += n;
      stats.compressedBytes += n;
      keepTail(stats, data);
      onChunk?.(stats);
      // The write callback comes once zlib has inflated the chunk (or never, when it fails: then 'close').
      await new Promise<void>((resolve) => {
        const done = (): void => {
          decoder.off('close', done);
          resolve();
        };
        decoder.once('close', done);
        decoder.write(data, done);
      });
    }
  };

  return {
    head,
    stream,
    stats,
    close() {
      stream.destroy();
    },
  };
}
