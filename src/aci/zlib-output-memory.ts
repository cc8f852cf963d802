/**
 * Giving a node:zlib gunzip engine the memory its output goes into, for decoders that reuse their output memory
 * (inflate-into.ts for gzip members on the thread pool, gunzip-whole.ts for small archives in memory).
 *
 * node:zlib has no public way to do this; its engines write into `_outBuffer` from `_outOffset` up to
 * `_chunkSize` and allocate a fresh buffer of `_chunkSize` bytes when that is full (lib/zlib.js, the same from
 * Node 12 to 24). This is the one place that knows those fields: it checks they are there before setting them,
 * and once a caller sees an engine ignore them ({@link outputMemoryIgnored}), no engine gets them again in this
 * process. Callers then decode as node:zlib does by itself; the bytes are zlib's own either way.
 */
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';

/** The fields of a node:zlib engine that say where its next output goes. */
interface EngineOutput {
  _outBuffer?: unknown;
  _outOffset?: unknown;
  _chunkSize?: unknown;
}

/** False once this Node's engines were seen without the fields or ignoring them. */
let usable = true;

/**
 * A fresh gunzip engine (with `options`) whose output goes into `memory` from offset 0, or undefined when this
 * Node's zlib cannot be given its output memory (then decode without it).
 */
export function gunzipWritingInto(memory: ArrayBuffer, options: ZlibOptions = {}): Gunzip | undefined {
  if (!usable) return undefined;
  // The smallest chunk size: the engine's own first buffer is replaced at once.
  const engine = createGunzip({ ...options, chunkSize: 64 });
  const fields = engine as unknown as EngineOutput;
  if (!Buffer.isBuffer(fields._outBuffer) || typeof fields._outOffset !== 'number' || typeof fields._chunkSize !== 'number') {
    usable = false;
    engine.close();
    return undefined;
  }
  fields._outBuffer = Buffer.from(memory);
  fields._outOffset = 0;
  fields._chunkSize = memory.byteLength;
  return engine;
}

/** Says an engine from {@link gunzipWritingInto} wrote elsewhere: no engine gets output memory from now on. */
export function outputMemoryIgnored(): void {
  usable = false;
}
