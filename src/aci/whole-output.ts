/**
 * Where a whole-input decoder (a small bzip2 or xz archive decoded in one synchronous step, scan.ts) writes its
 * output: memory reused from one input to the next. A batch of 1,000 small ACIs otherwise allocated two 256 KiB
 * pieces per bzip2 input and a copy of every xz output chunk (83.5 MB of ArrayBuffers in all, which held the
 * malloc heap at ~7 MB; docs/design.md, s15-small).
 */

/** The output memory kept for the next input at most (larger outputs get memory of their own, dropped after). */
const KEPT_BYTES = 1 << 20;
/** The first size of the output memory. */
const FIRST_BYTES = 64 * 1024;

/** The memory kept between decodes (undefined while a decode uses it). */
let spare: ArrayBuffer | undefined;

/**
 * The output of one whole-input decode, growing up to `max` bytes (its memory is at least 64 KiB whatever `max`). Take the bytes with {@link WholeOutput.view}
 * (a view of the reused memory, valid until {@link WholeOutput.release}) and release it when done.
 */
export class WholeOutput {
  /** The memory written so far, from 0 to {@link WholeOutput.length}. */
  bytes: Uint8Array;
  length = 0;
  private released = false;

  /** @param max the most bytes this output takes ({@link WholeOutput.ensure} refuses more). */
  constructor(readonly max: number) {
    const memory = spare ?? new ArrayBuffer(FIRST_BYTES);
    spare = undefined;
    this.bytes = new Uint8Array(memory);
  }

  /** Makes room for `n` more bytes; false when that would pass {@link WholeOutput.max}. */
  ensure(n: number): boolean {
    const need = this.length + n;
    if (need > this.max) return false;
    if (need <= this.bytes.length) return true;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(Math.min(size, this.max));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    return true;
  }

  /** Appends `chunk`; false (nothing appended) when it would pass {@link WholeOutput.max}. */
  append(chunk: Uint8Array): boolean {
    if (!this.ensure(chunk.length)) return false;
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
    return true;
  }

  /** The bytes written: a view of memory that is reused once this output is released. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Hands the memory on to the next decode (kept only up to KEPT_BYTES); no view of it may be used afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const memory = this.bytes.buffer as ArrayBuffer;
    if (memory.byteLength <= KEPT_BYTES && (spare === undefined || spare.byteLength < memory.byteLength)) spare = memory;
  }
}
