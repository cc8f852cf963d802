/**
 * Decoding a small xz archive held in memory in one synchronous step, with the wasm build of xz-embedded that
 * the xz-decompress package ships (the package's built-in decoder, without its web streams).
 *
 * Why: the package offers only a web stream (XzReadableStream), so each xz input went Node stream -> web stream
 * -> wasm -> web stream -> Node stream, with promises at every step; in a batch of 1,000 small ACIs the stream
 * objects of each input lived on into V8's old space (docs/design.md, s15-small). Here the same wasm functions
 * are called with the same input pieces and in the same order as the package's stream does, so a decode that
 * succeeds here gives the bytes the stream would give; anything else (a failure, a missing module) makes the
 * caller use the stream, which reports it in its own words.
 *
 * The wasm module is the one embedded in the package's bundle (a base64 data URL). If it cannot be found there
 * (another version of the package), {@link xzDecodeWhole} always says false.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WholeOutput } from './whole-output.js';

const require = createRequire(import.meta.url);

/** The functions the wasm module exports (xz-decompress's native/xz-decompress.c). */
interface XzExports {
  readonly memory: WebAssembly.Memory;
  create_context(): number;
  destroy_context(context: number): void;
  supply_input(context: number, length: number): void;
  get_next_output(context: number): number;
}

// xz-embedded's return codes.
const XZ_OK = 0;
const XZ_STREAM_END = 1;

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
 * Decodes the xz stream at the start of `input` into `out`: true when it decoded to its end (bytes after the
 * end of the first stream are ignored, as the package's stream ignores them), false on any failure, when the
 * output would pass `out.max`, or when the wasm decoder is not available here. The steps are the package's
 * (XzReadableStream.pull): when the decoder has used up its input, supply the next piece (at most the module's
 * buffer size; an empty one once the input is used up), then take one output.
 */
export function xzDecodeWhole(input: Uint8Array, out: WholeOutput): boolean {
  const xz = xzInstance();
  if (xz === null) return false;
  const context = xz.create_context();
  // The context's words: buffer size, input buffer, input position, input size, output buffer, output position.
  const words = (): Uint32Array => new Uint32Array(xz.memory.buffer, context, 6);
  try {
    let w = words();
    const bufSize = w[0]!;
    const inStart = w[1]!;
    const outStart = w[4]!;
    let offset = 0;
    // xz-embedded fails with XZ_BUF_ERROR on the second call that makes no progress, so this ends; the bound
    // only guards against a decoder that would not.
    for (let idle = 0; idle < 4; ) {
      w = words();
      if (w[2] === w[3]) {
        const n = Math.min(bufSize, input.length - offset);
        new Uint8Array(xz.memory.buffer, inStart, n).set(input.subarray(offset, offset + n));
        xz.supply_input(context, n);
        offset += n;
      }
      const result = xz.get_next_output(context);
      if (result !== XZ_OK && result !== XZ_STREAM_END) return false;
      w = words();
      const produced = w[5]!;
      if (!out.append(new Uint8Array(xz.memory.buffer, outStart, produced))) return false;
      w[5] = 0;
      if (result === XZ_STREAM_END) return true;
      idle = produced === 0 && offset === input.length ? idle + 1 : 0;
    }
    return false;
  } finally {
    xz.destroy_context(context);
  }
}
