/**
 * Block-parallel bzip2 decoding of a file (lbzip2's approach, with the system `bzip2`): the compressed bytes
 * are scanned for block magics (they start at any bit offset), runs of blocks ("segments") are re-emitted as
 * standalone bzip2 streams (bzip2-bits.ts) and each is decoded by its own `bzip2 -dc -vvv` process, one per
 * core at once; outputs are delivered in order. `bzip2 -dc` alone is one thread.
 *
 * Exactness: a segment's output is delivered only when its process exited 0 and its verbose report lists
 * exactly the blocks we cut (same count, same stored CRCs, every computed CRC equal, our combined CRC), with
 * nothing else said. Decoding a block is a function of its bits alone (and the stream's level, which we copy):
 * so if the first segment of a stream starts where the serial decoder starts its first block, and the process
 * decoded exactly our blocks, the serial decoder would have decoded the same blocks to the same bytes and
 * started its next block where our next segment starts; by induction every delivered byte is the serial
 * decoder's. Every magic in the segment's bits is one we found (we find them all), so an equal count means no
 * magic was taken for a block that is not one. The stream's combined CRC is then checked against the fold of
 * those same block CRCs, as the serial decoder does. On any anomaly (a process failing, a report that differs,
 * a segment's output above a cap, a combined CRC that does not match, a header or layout not understood, a
 * file that ends early, data after a stream) the ordinary serial decoder takes over from the start of the
 * stream concerned, dropping the bytes of that stream already delivered: at a stream's start the serial
 * decoder's state is only "first stream or not", which a 14-byte empty stream put before the bytes recreates.
 * Everything after that, bytes and verdict, is the serial decoder's own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { combineCrc, findMagics, type Magic, shiftBytes, streamTrailer } from './bzip2-bits.js';
import { childDecompressStream, failAfterDrain, findDecompressor } from './decompress-child.js';
import { keepTail, READ_CHUNK, type SourceStats } from './source.js';

/** Tuning of the block-parallel reader. Tests lower the sizes so small files take this path too. */
export const bzip2Segmenting = {
  /** Files up to this size are decoded serially: a process start costs more than decoding them. */
  minFileBytes: 256 * 1024,
  /** A segment ends at the first block boundary after this many compressed bytes (one process per segment). */
  segmentBytes: 4 << 20,
  /** Most blocks in one segment (bounds the verbose report to parse). */
  maxSegmentBlocks: 64,
  /**
   * Processes at once; 0: one per idle core, at most 4 (with fewer than two idle cores the serial decoder is
   * used). Set, it also skips the idle check.
   */
  lanes: 0,
};

/**
 * Processes worth running now: one per core not already busy (1-minute load average). Measured on the shared
 * 2-core machine under load: two bzip2 processes at once needed 1.5x the CPU of the same work one after the
 * other and finished later, so spare cores are the only ones worth using.
 */
function idleLanes(): number {
  const cores = availableParallelism();
  return Math.min(4, Math.floor(cores - loadavg()[0]! + 0.5));
}

/**
 * `bzip2 -dc` writes what it decodes in units of 5,000 bytes counted from each stream's start (bzip2.c reads
 * with BZ2_bzRead into a 5,000-byte buffer), and drops the unit in which it detects an error, which can be the
 * unit that ended exactly at the last good block (the same call goes on to parse the next block). So of a
 * stream's checked bytes only those before the last unit boundary below their count are sure to be written
 * by the serial decoder whatever follows; the rest is held until the next segment or the stream's end checks.
 */
const SERIAL_UNIT = 5000;

/** How often this process took the block-parallel path and gave it up (for tests and diagnostics). */
export const bzip2SegmentCounts = { segments: 0, fallbacks: 0 };

/** Most uncompressed bytes one segment may hold in memory before it is given up (run-length bombs). */
const MAX_SEGMENT_OUTPUT = 64 << 20;
/** Compressed bytes read per scan step. */
const SCAN_CHUNK = 4 << 20;
/** Bytes read past a scan step: a magic starting in it, and its 32-bit field, end within 11 bytes. */
const SCAN_OVERLAP = 11;
/** Compressed bytes per write to a process. */
const FEED_PIECE = 256 << 10;
/** Scanning stops this far ahead of delivery (keeps the list of blocks found bounded). */
const MAX_SCAN_AHEAD = 1 << 30;
/** An empty bzip2 stream: put before a later stream, the serial decoder reads it as "not the first stream". */
const EMPTY_STREAM = Buffer.from([0x42, 0x5a, 0x68, 0x39, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0]);

/** Feed buffers of finished segments, for the next ones (fresh 256 KiB buffers cost a page fault per page). */
const spareFeedBuffers: Buffer[] = [];

function takeFeedBuffer(): Buffer {
  return spareFeedBuffers.pop() ?? Buffer.allocUnsafe(FEED_PIECE + 1);
}

/** A file opened by {@link openBzip2Segments}. */
export interface Bzip2SegmentsSource {
  /** The first bytes of the file (up to 512). */
  readonly head: Uint8Array;
  /** The uncompressed bytes. */
  readonly stream: Readable;
  readonly stats: SourceStats;
  close(): void;
}

/**
 * Opens `path` for block-parallel decoding when it is a regular bzip2 file larger than
 * `bzip2Segmenting.minFileBytes`, the `bzip2` program is there (and not overridden by
 * `APPC_DECOMPRESSOR=builtin`) and at least two cores are idle; returns undefined otherwise (file closed).
 */
export function openBzip2Segments(path: string, onChunk?: (stats: SourceStats) => void): Bzip2SegmentsSource | undefined {
  const lanes = bzip2Segmenting.lanes || idleLanes();
  if (lanes < 2) return undefined;
  const program = findDecompressor('bzip2');
  if (program === undefined) return undefined;
  let fd: number;
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size <= bzip2Segmenting.minFileBytes) return undefined;
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let owned = true;
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(512, size));
    readFully(fd, head, 0);
    if (head.length < 4 || head[0] !== 0x42 || head[1] !== 0x5a || head[2] !== 0x68) return undefined;
    owned = false;
    return new SegmentsReader(fd, path, size, head, program, lanes, onChunk).source();
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

/** One bzip2 stream of the file, as far as the scan has seen it. */
interface StreamInfo {
  /** 1 for the first stream of the file. */
  readonly index: number;
  readonly startByte: number;
  /** Uncompressed bytes of this stream delivered so far. */
  delivered: number;
  /** Uncompressed bytes of this stream checked (delivered or held). */
  total: number;
  /** Checked bytes not yet delivered: the serial decoder might not write them (see SERIAL_UNIT). */
  readonly held: Buffer[];
  /** How many of the stream's bytes may be delivered now. */
  releasable: number;
  /** An anomaly was found in this stream: it will be read serially. */
  doomed: boolean;
}

/** A run of blocks decoded by one process. */
interface Segment {
  readonly kind: 'segment';
  readonly stream: StreamInfo;
  readonly level: number;
  readonly startBit: number;
  readonly endBit: number;
  readonly crcs: readonly number[];
  readonly combined: number;
  job?: Job;
  /** Its output has been moved to the stream's held bytes. */
  taken?: boolean;
}

type Item =
  | Segment
  | { readonly kind: 'stream-end'; readonly stream: StreamInfo; readonly computed: number; readonly stored: number }
  | { readonly kind: 'anomaly'; readonly stream: StreamInfo }
  | { readonly kind: 'end' };

/** A segment's process and what it has said. */
interface Job {
  readonly child: ChildProcess;
  readonly chunks: Buffer[];
  bytes: number;
  stderr: string;
  /** undefined while running; then whether every check passed. */
  ok: boolean | undefined;
}

type ScanState =
  | { readonly at: 'header'; readonly byte: number }
  | { readonly at: 'blocks'; readonly stream: StreamInfo; readonly level: number; segmentStart: number; crcs: number[]; streamCrc: number };

class SegmentsReader {
  private readonly stats: SourceStats = { compressedBytes: 0, ended: false, tail: [] };
  private readonly output: Readable;
  private readonly items: Item[] = [];
  private readonly magics: Magic[] = [];
  private magicAt = 0;
  private scanPos = 0;
  private scanBuffer: Buffer | undefined;
  private planDone = false;
  private scanScheduled = false;
  private state: ScanState = { at: 'header', byte: 0 };
  private streamsSeen = 0;
  private fdOpen = true;
  private serial: Readable | undefined;
  private pumping = false;
  private deliveredBit = 0;

  constructor(
    private readonly fd: number,
    private readonly path: string,
    private readonly size: number,
    private readonly head: Buffer,
    private readonly program: string,
    private readonly lanes: number,
    private readonly onChunk: ((stats: SourceStats) => void) | undefined,
  ) {
    this.output = new Readable({
      // Segments wait in their jobs, not here; one chunk at a time, so a reader asking for everything
      // buffered gets that chunk rather than a concatenation of many (the pipe gives 4-8 KiB at a time).
      highWaterMark: 0,
      read: () => {
        if (this.serial) this.serial.resume();
        else this.pump();
      },
      destroy: (err, cb) => {
        this.stop();
        this.serial?.destroy();
        cb(err);
      },
    });
  }

  source(): Bzip2SegmentsSource {
    return { head: this.head, stream: this.output, stats: this.stats, close: () => this.output.destroy() };
  }

  /** Kills every process, forgets every planned item and closes the file. */
  private stop(): void {
    for (const item of this.items) if (item.kind === 'segment' && item.job && item.job.ok === undefined) item.job.child.kill();
    this.items.length = 0;
    this.planDone = true;
    if (this.fdOpen) closeSync(this.fd);
    this.fdOpen = false;
  }

  // ---- scanning and planning ----

  /** Scans one chunk of the file for magics and plans what can be planned; schedules itself until done. */
  private scanStep(): void {
    this.scanScheduled = false;
    if (this.planDone || this.output.destroyed) return;
    if (this.scanPos < this.size && this.scanPos - this.deliveredBit / 8 < MAX_SCAN_AHEAD) {
      const n = Math.min(SCAN_CHUNK, this.size - this.scanPos);
      this.scanBuffer ??= Buffer.allocUnsafe(SCAN_CHUNK + SCAN_OVERLAP);
      const got = readFully(this.fd, this.scanBuffer.subarray(0, Math.min(n + SCAN_OVERLAP, this.size - this.scanPos)), this.scanPos);
      const view = this.scanBuffer.subarray(0, got);
      for (const m of findMagics(view, 0, Math.min(n, got), this.scanPos)) this.magics.push(m);
      this.scanPos += Math.min(got, n);
      if (got < n) this.scanPos = this.size; // the file shrank: what is missing is read as the end
    }
    this.plan();
    this.pump();
    if (!this.planDone && this.scanPos < this.size && this.scanPos - this.deliveredBit / 8 < MAX_SCAN_AHEAD) this.scheduleScan();
  }

  private scheduleScan(): void {
    if (this.scanScheduled || this.planDone) return;
    this.scanScheduled = true;
    setImmediate(() => this.scanStep());
  }

  private get scanDone(): boolean {
    return this.scanPos >= this.size;
  }

  private nextMagic(): Magic | undefined {
    if (this.magicAt >= this.magics.length) return undefined;
    return this.magics[this.magicAt];
  }

  private takeMagic(): void {
    this.magicAt++;
    if (this.magicAt > 1024) {
      this.magics.splice(0, this.magicAt);
      this.magicAt = 0;
    }
  }

  /** Turns the magics found so far into items: segments, stream ends, an anomaly or the end. */
  private plan(): void {
    const o = bzip2Segmenting;
    while (!this.planDone) {
      const state = this.state;
      if (state.at === 'header') {
        const b = state.byte;
        if (b === this.size) {
          this.items.push({ kind: 'end' });
          this.planDone = true;
          return;
        }
        // The first magic must sit right after the 4-byte header: wait until the scan has passed it.
        if (!this.scanDone && this.scanPos <= b + 4) return;
        const stream: StreamInfo = { index: this.streamsSeen + 1, startByte: b, delivered: 0, total: 0, held: [], releasable: 0, doomed: false };
        const header = Buffer.alloc(4);
        const got = this.fdOpen ? readFully(this.fd, header, b) : 0;
        const level = header[3]! - 0x30;
        if (got < 4 || header[0] !== 0x42 || header[1] !== 0x5a || header[2] !== 0x68 || level < 1 || level > 9) return this.anomaly(stream);
        while (this.nextMagic() !== undefined && this.nextMagic()!.bit < b * 8 + 32) this.takeMagic();
        const first = this.nextMagic();
        if (first === undefined) {
          if (this.scanDone) this.anomaly(stream);
          return;
        }
        if (first.bit !== b * 8 + 32) return this.anomaly(stream);
        this.streamsSeen++;
        this.state = { at: 'blocks', stream, level, segmentStart: first.bit, crcs: [], streamCrc: 0 };
        continue;
      }
      const m = this.nextMagic();
      if (m === undefined) {
        // The file ends inside a stream (no end-of-stream magic): truncated, for the serial decoder to say.
        if (this.scanDone) this.anomaly(state.stream);
        return;
      }
      this.takeMagic();
      if (m.crc === undefined) return this.anomaly(state.stream);
      if (m.kind === 'block') {
        if (state.crcs.length > 0 && (m.bit - state.segmentStart >= o.segmentBytes * 8 || state.crcs.length >= o.maxSegmentBlocks)) this.cut(state, m.bit);
        state.crcs.push(m.crc);
        state.streamCrc = combineCrc(state.streamCrc, m.crc);
        continue;
      }
      if (state.crcs.length > 0) this.cut(state, m.bit);
      this.items.push({ kind: 'stream-end', stream: state.stream, computed: state.streamCrc, stored: m.crc });
      this.state = { at: 'header', byte: Math.ceil((m.bit + 80) / 8) };
    }
  }

  private cut(state: ScanState & { at: 'blocks' }, endBit: number): void {
    let combined = 0;
    for (const c of state.crcs) combined = combineCrc(combined, c);
    this.items.push({ kind: 'segment', stream: state.stream, level: state.level, startBit: state.segmentStart, endBit, crcs: state.crcs, combined });
    state.segmentStart = endBit;
    state.crcs = [];
  }

  private anomaly(stream: StreamInfo): void {
    stream.doomed = true;
    this.items.push({ kind: 'anomaly', stream });
    this.planDone = true;
  }

  // ---- processes ----

  /**
   * Starts processes for the next segments, at most `lanes` segments started and not yet delivered: a slow
   * consumer then holds back decoding, and memory stays at `lanes` segments' output.
   */
  private startJobs(): void {
    let started = 0;
    for (const item of this.items) {
      if (started >= this.lanes) return;
      if (item.kind !== 'segment') {
        if (item.kind === 'anomaly') return;
        continue;
      }
      if (item.stream.doomed) return;
      if (item.job === undefined) this.startJob(item);
      started++;
    }
  }

  private startJob(segment: Segment): void {
    const child = spawn(this.program, ['-dc', '-vvv'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const job: Job = { child, chunks: [], bytes: 0, stderr: '', ok: undefined };
    segment.job = job;
    bzip2SegmentCounts.segments++;
    child.stdout!.on('data', (chunk: Buffer) => {
      job.bytes += chunk.length;
      // Held whole until checked: a run-length bomb is given up (read serially) rather than held.
      if (job.bytes > MAX_SEGMENT_OUTPUT) child.kill();
      else job.chunks.push(chunk);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (job.stderr.length < 64 << 10) job.stderr += d;
    });
    child.stdin!.on('error', () => {});
    child.on('error', () => {});
    child.on('close', (code, signal) => {
      job.ok = code === 0 && signal === null && job.bytes <= MAX_SEGMENT_OUTPUT && reportMatches(job.stderr, segment);
      if (!job.ok) job.chunks.length = 0;
      this.pump();
    });
    void this.feed(segment, child);
  }

  /**
   * Writes the segment as a standalone stream to the process, 256 KiB at a time: two pieces in turn, a piece
   * refilled only once the pipe has taken it (its write callback), which is also the backpressure.
   */
  private async feed(segment: Segment, child: ChildProcess): Promise<void> {
    const stdin = child.stdin!;
    const written = (chunk: Uint8Array): Promise<void> => new Promise((resolve) => stdin.write(chunk, () => resolve()));
    stdin.write(Buffer.from([0x42, 0x5a, 0x68, 0x30 + segment.level]));
    const shift = segment.startBit & 7;
    let byte = segment.startBit >> 3;
    let bytesLeft = (segment.endBit - segment.startBit) >> 3;
    const source = takeFeedBuffer();
    const pieces = [takeFeedBuffer(), takeFeedBuffer()];
    const pending: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
    try {
      for (let turn = 0; bytesLeft > 0; turn ^= 1) {
        await pending[turn];
        if (!this.fdOpen || stdin.destroyed) return;
        const n = Math.min(FEED_PIECE, bytesLeft);
        readFully(this.fd, source.subarray(0, n + 1), byte);
        shiftBytes(source, shift, pieces[turn]!, 0, n);
        pending[turn] = written(pieces[turn]!.subarray(0, n));
        byte += n;
        bytesLeft -= n;
      }
      if (!this.fdOpen || stdin.destroyed) return;
      const restBits = (segment.endBit - segment.startBit) & 7;
      let partial = 0;
      if (restBits > 0) {
        readFully(this.fd, source.subarray(0, 2), byte);
        const one = Buffer.alloc(1);
        shiftBytes(source, shift, one, 0, 1);
        partial = one[0]!;
      }
      stdin.end(streamTrailer(partial, restBits, segment.combined));
    } finally {
      // Back to the pool once no write refers to them (a destroyed pipe calls pending callbacks too).
      await Promise.all(pending);
      spareFeedBuffers.push(source, ...pieces);
    }
  }

  // ---- delivery ----

  /** Delivers items in order while the consumer wants more; falls back to the serial decoder on an anomaly. */
  private pump(): void {
    if (this.pumping || this.serial || this.output.destroyed) return;
    this.pumping = true;
    try {
      for (;;) {
        this.startJobs();
        const item = this.items[0];
        if (item === undefined) {
          this.scheduleScan();
          return;
        }
        if (item.kind === 'end') {
          this.stop();
          this.stats.compressedBytes = this.size;
          this.stats.ended = true;
          this.onChunk?.(this.stats);
          this.output.push(null);
          return;
        }
        if (item.kind === 'anomaly') return this.fallBack(item.stream);
        if (item.kind === 'stream-end') {
          if (item.computed !== item.stored) return this.fallBack(item.stream);
          // The stream is whole: the serial decoder writes all of it.
          item.stream.releasable = Infinity;
          if (!this.release(item.stream)) return;
          this.items.shift();
          continue;
        }
        if (item.stream.doomed) return this.fallBack(item.stream);
        const job = item.job;
        if (job === undefined || job.ok === undefined) return;
        if (!job.ok) return this.fallBack(item.stream);
        const stream = item.stream;
        if (!item.taken) {
          item.taken = true;
          for (const chunk of job.chunks) stream.held.push(chunk);
          stream.total += job.bytes;
          job.chunks.length = 0;
          stream.releasable = stream.total > 0 ? Math.floor((stream.total - 1) / SERIAL_UNIT) * SERIAL_UNIT : 0;
        }
        if (!this.release(stream)) return;
        this.finishSegment(item);
      }
    } catch (e) {
      this.output.destroy(e as Error);
    } finally {
      this.pumping = false;
    }
  }

  /** Pushes the held bytes of `stream` up to its releasable count; false when the consumer wants no more now. */
  private release(stream: StreamInfo): boolean {
    while (stream.held.length > 0) {
      const room = stream.releasable - stream.delivered;
      if (room <= 0) return true;
      let chunk = stream.held[0]!;
      if (chunk.length > room) {
        stream.held[0] = chunk.subarray(room);
        chunk = chunk.subarray(0, room);
      } else stream.held.shift();
      stream.delivered += chunk.length;
      if (!this.output.push(chunk)) return false;
    }
    return true;
  }

  private finishSegment(segment: Segment): void {
    this.items.shift();
    this.deliveredBit = segment.endBit;
    this.stats.compressedBytes = Math.ceil(segment.endBit / 8);
    this.onChunk?.(this.stats);
    this.startJobs();
    this.scheduleScan();
  }

  /**
   * Hands over to the serial decoder at the start of `stream` (after an empty stream when it is not the
   * first, so the decoder knows it is not), dropping the bytes of that stream already delivered.
   */
  private fallBack(stream: StreamInfo): void {
    this.stop();
    bzip2SegmentCounts.fallbacks++;
    const from = stream.startByte;
    let skip = stream.delivered;
    this.stats.compressedBytes = from;
    this.stats.tail = [];
    const stats = this.stats;
    const onChunk = this.onChunk;
    const file = createReadStream(this.path, { start: from, highWaterMark: READ_CHUNK });
    async function* input(first: boolean): AsyncGenerator<Buffer> {
      if (!first) yield EMPTY_STREAM;
      for await (const chunk of file) {
        stats.compressedBytes += (chunk as Buffer).length;
        keepTail(stats, chunk as Buffer);
        onChunk?.(stats);
        yield chunk as Buffer;
      }
      stats.ended = true;
    }
    const serial = childDecompressStream('bzip2', this.program, Readable.from(input(stream.index === 1), { objectMode: false }));
    this.serial = serial;
    serial.on('data', (chunk: Buffer) => {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        return;
      }
      const out = skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
      if (!this.output.push(out)) serial.pause();
    });
    serial.on('end', () => this.output.push(null));
    serial.on('error', (e) => failAfterDrain(this.output, e));
  }
}

/**
 * Whether a segment's `bzip2 -dc -vvv` report lists exactly its blocks: one `{stored, computed}` pair per
 * block, equal to each other and to the CRC we read after the block's magic, then the combined CRCs (ours,
 * equal), then `done`; and nothing else.
 */
export function reportMatches(stderr: string, segment: { readonly crcs: readonly number[]; readonly combined: number }): boolean {
  const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  let expected = '  (stdin): \n';
  segment.crcs.forEach((crc, i) => {
    expected += `    [${i + 1}: huff+mtf rt+rld {${hex(crc)}, ${hex(crc)}}]\n`;
  });
  expected += `    combined CRCs: stored = ${hex(segment.combined)}, computed = ${hex(segment.combined)}\n    done\n`;
  return stderr === expected;
}
