/**
 * Decoding a small xz archive held in memory in one synchronous step, with the wasm decoder of xz-wasm.ts (the
 * package's built-in decoder, without its web streams).
 *
 * Why: in a batch of 1,000 small ACIs the stream objects of each input lived on into V8's old space
 * (docs/design.md, s15-small). The wasm functions are called with the same input pieces and in the same order
 * as the package's stream calls them, so a decode that succeeds here gives the bytes the stream would give;
 * anything else (a failure, a missing module) makes the caller use the stream, which reports it in its own
 * words.
 */
import type { WholeOutput } from './whole-output.js';
import { XZ_OK, XZ_STREAM_END, XzContext } from './xz-wasm.js';

/**
 * Decodes the xz stream at the start of `input` into `out`: true when it decoded to its end (bytes after the
 * end of the first stream are ignored, as the package's stream ignores them), false on any failure, when the
 * output would pass `out.max`, or when the wasm decoder is not available here.
 */
export function xzDecodeWhole(input: Uint8Array, out: WholeOutput): boolean {
  const xz = XzContext.open();
  if (xz === undefined) return false;
  try {
    let offset = 0;
    // xz-embedded fails with XZ_BUF_ERROR on the second call that makes no progress, so this ends; the bound
    // only guards against a decoder that would not.
    for (let idle = 0; idle < 4; ) {
      if (xz.needsInput()) {
        const n = Math.min(xz.bufSize, input.length - offset);
        xz.supply(input.subarray(offset, offset + n));
        offset += n;
      }
      const result = xz.run();
      if (result !== XZ_OK && result !== XZ_STREAM_END) return false;
      const produced = xz.output();
      if (!out.append(produced)) return false;
      xz.resetOutput();
      if (result === XZ_STREAM_END) return true;
      idle = produced.length === 0 && offset === input.length ? idle + 1 : 0;
    }
    return false;
  } finally {
    xz.close();
  }
}
