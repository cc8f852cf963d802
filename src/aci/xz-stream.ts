/**
 * The built-in xz decoder as a Node stream over the wasm decoder of xz-wasm.ts: the fallback when no `xz`
 * program is installed (and for inputs under 256 KiB that the in-memory decoder gave back).
 *
 * Why not the package's XzReadableStream: it is a web stream, bridged to Node streams both ways, with a copy, a
 * promise and a queue entry per 64 KiB of output; validating the 256 MB bench tar peaked at 83-88 MB
 * (docs/design.md, s17-xz). Here the same wasm functions are called in the same order with the same input
 * pieces (each input chunk cut at the module's buffer size, an empty piece once the input has ended), and the
 * same failure message ("get_next_output failed with error code N") is given, so the bytes and the verdict are
 * the package's; test/aci/xz-stream.test.ts pins both to the package's stream.
 *
 * Memory: the decoder runs only when the consumer asks for more (one piece ahead), so it never decodes faster
 * than the tar reader takes the bytes. Outputs are copied out of wasm memory into pieces whose memory goes back
 * to this decoder once a consumer drops them (garbage.ts markRecyclable), and each input chunk is handed back to
 * the source once it has been copied into wasm memory (`release`): a stream of any length leaves no garbage of
 * buffers behind, so nothing waits on a collection.
 */
import { Readable } from 'node:stream';
import { failAfterDrain } from './decompress-child.js';
import { freeMemory, markRecyclable } from './garbage.js';
import { XZ_OK, XZ_STREAM_END, XzContext, xzStepError } from './xz-wasm.js';

/** Output is handed on in pieces of this size (four of the module's 64 KiB outputs). */
const PIECE = 256 * 1024;
/**
 * Pieces decoded in one go at most: then the decoder goes on after a turn of the event loop (~50 ms of wasm at
 * most). A consumer that takes each piece synchronously would otherwise keep the loop from turning for the whole
 * input when no input has to be waited for (a small bomb read at once): no signals, timers or progress.
 */
const PIECES_PER_TURN = 16;
/** Piece memory kept for reuse between decodes (in flight at once: the consumer's piece and one ahead). */
const KEPT_PIECES = 4;

/** Piece memory given back by consumers, for the next pieces (of this or a later stream). */
const spare: ArrayBuffer[] = [];

/** Takes piece memory back from a consumer that dropped its piece. */
function recycle(memory: ArrayBuffer): void {
  if (memory.byteLength === PIECE && spare.length < KEPT_PIECES) spare.push(memory);
  // Not kept: freed now rather than left to a collection nobody counted it for.
  else freeMemory(new Uint8Array(memory));
}

/** True while a stream has its decoder open: a second one at the same time uses the package's stream. */
let streaming = false;

/**
 * Decodes the xz stream (or concatenated streams, with padding) read from `input`; `release` hears each input
 * chunk the decoder is done with (the source may free it: OpenedSource.release). Undefined when the wasm module
 * is not available or another stream of this thread is decoding (then use the package's stream, which takes
 * its decoders one at a time).
 */
export function xzWasmStream(input: Readable, release?: (chunk: Uint8Array) => void): Readable | undefined {
  if (streaming) return undefined;
  const xz = XzContext.open();
  if (xz === undefined) return undefined;
  streaming = true;
  return new XzDecodeStream(input, xz, release);
}

/**
 * True for a stream made by {@link xzWasmStream}: its decoder runs on this thread, so a consumer that buffers its
 * output lets nothing run meanwhile, and only holds more pieces in memory (measured: image-id of the 256 MB bench
 * tar held 4 MiB of them behind the scanner's buffer).
 */
export function decodesInThisThread(stream: Readable): boolean {
  return stream instanceof XzDecodeStream;
}

/** See {@link xzWasmStream}. */
class XzDecodeStream extends Readable {
  readonly #input: Readable;
  readonly #xz: XzContext;
  readonly #release: ((chunk: Uint8Array) => void) | undefined;
  /** The input chunk being fed (the package's `unconsumedInput`): null before the first. */
  #chunk: Uint8Array | null = null;
  /** How much of {@link XzDecodeStream.#chunk} has been fed. */
  #fed = 0;
  /** Chunks received and not yet fed (at most one: the input is paused after each). */
  readonly #received: Uint8Array[] = [];
  #inputEnded = false;
  #inputError: Error | undefined;
  /** Waiting for the input's next chunk to go on. */
  #waiting = false;
  /** Inside {@link XzDecodeStream.#decode} (a consumer reading from within a push must not re-enter it). */
  #decoding = false;
  /** Asked for more while decoding: go on after a refused push. */
  #askedAgain = false;
  /** Decoded to the end, failed or destroyed: the decoder is closed. */
  #done = false;
  /** The piece being filled, and how much of it is. */
  #piece: Buffer | undefined;
  #fill = 0;
  /** Pieces pushed since the event loop last turned. */
  #pushed = 0;
  /** A decode is queued for the next tick (see _read). */
  #decodeQueued = false;
  /** A turn of the event loop is awaited before decoding on. */
  #turning = false;

  constructor(input: Readable, xz: XzContext, release: ((chunk: Uint8Array) => void) | undefined) {
    super({ highWaterMark: PIECE });
    this.#input = input;
    this.#xz = xz;
    this.#release = release;
    input.on('data', this.#onData);
    input.on('end', this.#onEnd);
    input.on('error', this.#onError);
    input.pause();
  }

  override _read(): void {
    // Node calls _read from read() before it takes what is buffered, and a read() without a size (the async
    // iterator's) then takes everything: a piece pushed now would be glued to the one being taken, a copy of
    // both and two pieces lost for reuse (measured: 262 fresh pieces in extract of the bench tar, [heap] +6-10 MB).
    if (this.readableLength === 0) this.#decode();
    else if (!this.#decodeQueued) {
      this.#decodeQueued = true;
      process.nextTick(() => {
        this.#decodeQueued = false;
        this.#decode();
      });
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#finish();
    // As the package's stream, whose cancel cancels its reader: the input is not read any further.
    this.#input.destroy();
    callback(error);
  }

  readonly #onData = (chunk: Uint8Array): void => {
    this.#received.push(chunk);
    this.#input.pause();
    this.#wake();
  };

  readonly #onEnd = (): void => {
    this.#inputEnded = true;
    this.#wake();
  };

  readonly #onError = (error: Error): void => {
    // Reported when the decoder next needs input, as the package's stream reads it.
    this.#inputError = error;
    this.#wake();
  };

  #wake(): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#decode();
  }

  /**
   * Runs the decoder until a piece is refused (the consumer has enough), the input has nothing more yet, or the
   * end or a failure. The package's pull, repeated: when the decoder has used up its input, the next piece of
   * the current input chunk (the next chunk once it is used up; empty once the input has ended), then one step.
   */
  #decode(): void {
    if (this.#decoding) {
      this.#askedAgain = true;
      return;
    }
    if (this.#done || this.#waiting || this.#turning) return;
    this.#decoding = true;
    try {
      for (;;) {
        this.#askedAgain = false;
        const xz = this.#xz;
        if (xz.needsInput()) {
          if (this.#chunk === null || this.#fed === this.#chunk.length) {
            const next = this.#received.shift();
            if (next !== undefined) {
              if (this.#chunk !== null) this.#release?.(this.#chunk);
              this.#chunk = next;
              this.#fed = 0;
            } else if (this.#inputError !== undefined) {
              return this.#fail(this.#inputError);
            } else if (!this.#inputEnded) {
              this.#waiting = true;
              this.#input.resume();
              return;
            } else if (this.#chunk === null) {
              // The package's stream fails this way on an input without a single byte.
              return this.#fail(new TypeError("Cannot read properties of null (reading 'byteLength')"));
            }
          }
          const chunk = this.#chunk!;
          const n = Math.min(xz.bufSize, chunk.length - this.#fed);
          xz.supply(chunk.subarray(this.#fed, this.#fed + n));
          this.#fed += n;
        }
        const result = xz.run();
        if (result !== XZ_OK && result !== XZ_STREAM_END) return this.#fail(xzStepError(result));
        const refused = this.#take(xz.output());
        xz.resetOutput();
        if (result === XZ_STREAM_END) {
          this.#pushPiece();
          this.#finish();
          this.push(null);
          return;
        }
        if (refused && !this.#askedAgain) return;
        if (this.#pushed >= PIECES_PER_TURN) {
          this.#pushed = 0;
          this.#turning = true;
          setImmediate(() => {
            this.#turning = false;
            this.#decode();
          });
          return;
        }
      }
    } finally {
      this.#decoding = false;
    }
  }

  /** Copies an output into pieces, pushing each one filled; true when a push was refused (the consumer has enough). */
  #take(output: Uint8Array): boolean {
    let refused = false;
    for (let o = 0; o < output.length; ) {
      // A Buffer: a plain Uint8Array would be wrapped in a new Buffer by push(), which would not carry the mark.
      this.#piece ??= Buffer.from(spare.pop() ?? new ArrayBuffer(PIECE));
      const n = Math.min(PIECE - this.#fill, output.length - o);
      this.#piece.set(output.subarray(o, o + n), this.#fill);
      this.#fill += n;
      o += n;
      if (this.#fill === PIECE && !this.#pushPiece()) refused = true;
    }
    return refused;
  }

  /** Pushes the piece being filled (if any bytes are in it); push's answer (true when there was nothing). */
  #pushPiece(): boolean {
    const piece = this.#piece;
    if (piece === undefined || this.#fill === 0) return true;
    const out = this.#fill === PIECE ? piece : piece.subarray(0, this.#fill);
    this.#piece = undefined;
    this.#fill = 0;
    // The only view of its memory, which comes back here once the consumer drops it.
    markRecyclable(out, recycle);
    this.#pushed++;
    return this.push(out);
  }

  /** Ends with `error` once the consumer has every byte decoded before it (as the bzip2 and child decoders do). */
  #fail(error: Error): void {
    this.#pushPiece();
    this.#finish();
    failAfterDrain(this, error);
  }

  /** Closes the decoder and stops listening to the input (once). */
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#xz.close();
    streaming = false;
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('error', this.#onError);
    this.#input.pause();
    this.#received.length = 0;
    // Copied into wasm memory long ago: the source may free it.
    if (this.#chunk !== null) this.#release?.(this.#chunk);
    this.#chunk = null;
  }
}
