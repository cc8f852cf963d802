/**
 * `gunzipSync` whose output goes into memory the caller provides and reuses, for small gzip archives scanned in
 * memory (scan.ts). `gunzipSync` gives each input a fresh 16 KiB output buffer, a second one whenever the first
 * fills, and a concatenated copy of them: 52 KB of ArrayBuffers for a 20 KB tar, ~22 MB for the gzip inputs of
 * a batch of 1,000 small ACIs (docs/design.md, s15-small).
 *
 * node:zlib has no public way to give a one-shot decode its output memory. `gunzipSync` is a fresh engine's
 * `_processChunk(input, _finishFlushFlag)`, which writes where the engine's output memory is and allocates
 * further buffers when that is full; here the engine gets `memory` as its output memory (zlib-output-memory.ts).
 * Without those fields this falls back to `gunzipSync` for good. Either way the bytes, the errors and the
 * maxOutputLength check are the engine's own: only where the output lives differs.
 */
import { gunzipSync } from 'node:zlib';
import { gunzipWritingInto } from './zlib-output-memory.js';

/** The one-shot entry of a node:zlib engine that `gunzipSync` calls. */
interface EngineProcessChunk {
  _processChunk?: unknown;
  _finishFlushFlag?: unknown;
}

/** False once an engine was seen without `_processChunk` (a Node whose zlib works otherwise). */
let usable = true;

/**
 * `gunzipSync(input, { maxOutputLength })`, with the output in `memory` when it fits: the result is then a view
 * of `memory` from offset 0 (the caller's to reuse once it is done with it), else fresh memory. Throws what
 * `gunzipSync` throws.
 */
export function gunzipInto(input: Uint8Array, memory: ArrayBuffer, maxOutputLength: number): Buffer {
  const engine = usable && memory.byteLength >= 64 ? gunzipWritingInto(memory, { maxOutputLength }) : undefined;
  if (engine !== undefined) {
    const fields = engine as unknown as EngineProcessChunk;
    if (typeof fields._processChunk === 'function' && typeof fields._finishFlushFlag === 'number') {
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
