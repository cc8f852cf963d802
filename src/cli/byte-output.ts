/**
 * Text output gathered as UTF-8 bytes in one reused buffer and written when it fills (or when asked). A long
 * run that prints many small reports (`actool validate` of 10,000 manifests) used to gather them in a string
 * of up to 64 KiB, whose pieces lived long enough to be promoted to V8's old space (~3 MB of old space by the
 * end of the run, never collected); encoded at once, each report's text dies young.
 */

/** Bytes gathered before a write: the size of a pipe's buffer, and under glibc's mmap threshold. */
const OUTPUT_BYTES = 64 << 10;

/** Gathers text and hands it to `write` as UTF-8 bytes, in order. */
export class ByteOutput {
  readonly #write: (bytes: Uint8Array) => void;
  #buffer: Buffer | undefined;
  #used = 0;

  /** `write` must be done with the bytes when it returns (the buffer is reused); it is called only with whole texts. */
  constructor(write: (bytes: Uint8Array) => void) {
    this.#write = write;
  }

  /** Whether text is waiting to be written. */
  get pending(): boolean {
    return this.#used > 0;
  }

  /** Adds `text`; writes what was gathered first when it might not fit. */
  add(text: string): void {
    if (text === '') return;
    // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair, two units, takes 4).
    const most = text.length * 3;
    if (this.#used + most > OUTPUT_BYTES) this.flush();
    if (most > OUTPUT_BYTES) {
      this.#write(Buffer.from(text, 'utf8'));
      return;
    }
    const buffer = (this.#buffer ??= Buffer.allocUnsafeSlow(OUTPUT_BYTES));
    this.#used += buffer.write(text, this.#used, 'utf8');
  }

  /** Writes what was gathered. */
  flush(): void {
    if (this.#used === 0) return;
    const bytes = this.#buffer!.subarray(0, this.#used);
    this.#used = 0;
    this.#write(bytes);
  }
}
