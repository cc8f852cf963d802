/**
 * `gunzipSync` whose output goes into memory the caller provides and reuses, for small gzip archives scanned in
 * memory (scan.ts). `gunzipSync` gives each input a fresh 16 KiB output buffer, a second one whenever the first
 * fills, and a concatenated copy of them: 52 KB of ArrayBuffers for a 20 KB tar, ~22 MB for the gzip inputs of
 * a batch of 1,000 small ACIs (docs/design.md, s15-small).
 *
 * node:zlib has no public way to give a one-shot decode its output memory. `gunzipSync` is a fresh engine's
 * `_processChunk(input, _finishFlushFlag)`, which writes into the engine's `_outBuffer` from `_outOffset` up to
 * `_chunkSize` and allocates further buffers of `_chunkSize` bytes when that is full (lib/zlib.js, the same from
 * Node 12 to 24); here the engine gets `memory` as that first buffer. The module checks that the fields are
 * there and falls back to `gunzipSync` for good otherwise. Either way the bytes, the errors and the
 * maxOutputLength check are the engine's own: only where the output lives differs.
 */
import { createGunzip, gunzipSync } from 'node:zlib';

/** The fields of a node:zlib engine this module sets and calls. */
interface EngineInternals {
  _processChunk?: unknown;
  _finishFlushFlag?: unknown;
  _outBuffer?: unknown;
  _outOffset?: unknown;
  _chunkSize?: unknown;
}

/** False once an engine was seen without the fields (a Node whose zlib works otherwise). */
let usable = true;

/**
 * `gunzipSync(input, { maxOutputLength })`, with the output in `memory` when it fits: the result is then a view
 * of `memory` from offset 0 (the caller's to reuse once it is done with it), else fresh memory. Throws what
 * `gunzipSync` throws.
 */
export function gunzipInto(input: Uint8Array, memory: ArrayBuffer, maxOutputLength: number): Buffer {
  if (usable && memory.byteLength >= 64) {
    const engine = createGunzip({ chunkSize: 64, maxOutputLength });
    const fields = engine as unknown as EngineInternals;
    if (
      typeof fields._processChunk === 'function' &&
      typeof fields._finishFlushFlag === 'number' &&
      Buffer.isBuffer(fields._outBuffer) &&
      typeof fields._outOffset === 'number' &&
      typeof fields._chunkSize === 'number'
    ) {
      fields._outBuffer = Buffer.from(memory);
      fields._outOffset = 0;
      fields._chunkSize = memory.byteLength;
      try {
        return (fields._processChunk as (chunk: Uint8Array, flush: number) => Buffer).call(engine, input, fields._finishFlushFlag);
      } finally {
        engine.close();
      }
    }
    usable = false;
    engine.close();
  }
  return gunzipSync(input, { maxOutputLength });
}
