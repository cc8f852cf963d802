/**
 * The wasm build of xz-embedded that the xz-decompress package ships, called directly: one instance per thread,
 * and the package's own call protocol (its XzContext and XzReadableStream.pull), shared by the in-memory
 * decoder (xz-whole.ts) and the stream (xz-stream.ts) so that both give the bytes and the failures the
 * package's stream gives.
 *
 * Why not the package's stream: it is a web stream, so each xz input went Node stream -> web stream -> wasm ->
 * web stream -> Node stream, with a copy, a promise and a queue entry per 64 KiB (docs/design.md, s15-small and
 * s17-xz).
 *
 * The module is the one embedded in the package's bundle (a base64 data URL). If it cannot be found there
 * (another version of the package), {@link XzContext.open} says undefined and callers use the package's stream.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The functions the wasm module exports (xz-decompress's native/xz-decompress.c). */
interface XzExports {
  readonly memory: WebAssembly.Memory;
  create_context(): number;
  destroy_context(context: number): void;
  supply_input(context: number, length: number): void;
  get_next_output(context: number): number;
}

/** xz-embedded's return code for progress without the end. */
export const XZ_OK = 0;
/** xz-embedded's return code for the end of the input (every stream and its padding). */
export const XZ_STREAM_END = 1;

/** The module's instance in this thread: undefined until first needed, null when it could not be made. */
let instance: XzExports | null | undefined;

/** Makes the wasm instance from the package's bundle, once per thread; null when that is not possible. */
function xzInstance(): XzExports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    const text = readFileSync(require.resolve('xz-decompress'), 'latin1');
    const url = /"data:application\/wasm;base64,([A-Za-z0-9+/=]+)"/.exec(text);
    if (url === null) return null;
    const made = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(url[1]!, 'base64')), {}).exports as unknown as XzExports;
    const functions = ['create_context', 'destroy_context', 'supply_input', 'get_next_output'] as const;
    if (made.memory instanceof WebAssembly.Memory && functions.every((f) => typeof made[f] === 'function')) instance = made;
  } catch {
    instance = null;
  }
  return instance;
}

/**
 * One decoder (xz-embedded's multi-call decoder of concatenated streams, dictionaries up to 64 MiB) in the
 * thread's instance. The steps, as the package takes them: when {@link XzContext.needsInput}, {@link XzContext.supply}
 * the next piece (at most {@link XzContext.bufSize} bytes, never spanning two input chunks; an empty one once the
 * input has ended, which tells the decoder to finish), then {@link XzContext.run} once, take
 * {@link XzContext.output} and {@link XzContext.resetOutput}. Close it when done (its memory stays in the
 * instance for the next decoder: wasm memory never shrinks).
 */
export class XzContext {
  /** The most bytes one piece of input may have, and one output. */
  readonly bufSize: number;
  readonly #xz: XzExports;
  readonly #context: number;
  readonly #inStart: number;
  readonly #outStart: number;
  /** The context's words (buffer size, input buffer, input position, input size, output buffer, output position). */
  #words: Uint32Array;
  #closed = false;

  private constructor(xz: XzExports) {
    this.#xz = xz;
    this.#context = xz.create_context();
    this.#words = new Uint32Array(xz.memory.buffer, this.#context, 6);
    this.bufSize = this.#words[0]!;
    this.#inStart = this.#words[1]!;
    this.#outStart = this.#words[4]!;
  }

  /** A new decoder, or undefined when the wasm module is not available in this thread. */
  static open(): XzContext | undefined {
    const xz = xzInstance();
    return xz === null ? undefined : new XzContext(xz);
  }

  /** The context's words, seen afresh when the memory has grown (a grown memory detaches the old views). */
  #refresh(): Uint32Array {
    if (this.#words.length === 0) this.#words = new Uint32Array(this.#xz.memory.buffer, this.#context, 6);
    return this.#words;
  }

  /** True when the decoder has used up the last piece of input (the package's needsMoreInput). */
  needsInput(): boolean {
    const w = this.#refresh();
    return w[2] === w[3];
  }

  /** Gives the decoder its next piece of input (at most {@link XzContext.bufSize} bytes; empty: the input has ended). */
  supply(piece: Uint8Array): void {
    new Uint8Array(this.#xz.memory.buffer, this.#inStart, piece.length).set(piece);
    this.#xz.supply_input(this.#context, piece.length);
  }

  /** Decodes until the input piece is used up or the output is full; xz-embedded's return code. */
  run(): number {
    return this.#xz.get_next_output(this.#context);
  }

  /** The bytes the last {@link XzContext.run} wrote: a view of wasm memory, valid until the next call. */
  output(): Uint8Array {
    return new Uint8Array(this.#xz.memory.buffer, this.#outStart, this.#refresh()[5]!);
  }

  /** Empties the output buffer for the next {@link XzContext.run}. */
  resetOutput(): void {
    this.#refresh()[5] = 0;
  }

  /** Frees the decoder (once; later calls do nothing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#xz.destroy_context(this.#context);
  }
}

/** The message of the package's stream for a failing step, which classifyDecompressError reads the code from. */
export function xzStepError(code: number): Error {
  return new Error(`get_next_output failed with error code ${code}`);
}
