/**
 * Inflating one gzip member into memory the caller provides and reuses, with node:zlib on the thread pool.
 *
 * Why: zlib's one-shot `gunzip()` allocates a fresh output buffer per member (1 MiB + 64 KiB for ours), and
 * the first such buffer freed makes glibc raise its mmap threshold to that size and its trim threshold to
 * twice it for the rest of the process; from then on every thread's malloc arena (V8's compiler threads)
 * keeps up to ~2 MB of freed memory, and the main heap as much again (measured on extract: 5-6 MB of arenas
 * and 5 MB of `[heap]`; see docs/design.md, s14-rss). Outputs that are reused are never freed, so the
 * thresholds stay near glibc's defaults.
 *
 * node:zlib has no public way to give an engine its output buffer; its streams write into `_outBuffer` from
 * `_outOffset` up to `_chunkSize` (lib/zlib.js, unchanged from Node 12 to 24). This module sets those three
 * fields on a fresh engine and checks that they are there first; if an engine ever ignores them (output
 * in several pieces where one buffer was enough), it stops using them for the rest of the process. Either
 * way the bytes delivered are zlib's own: a piecewise output is concatenated, as `gunzip()` does.
 */
import { createGunzip } from 'node:zlib';

/** The fields of a node:zlib engine that say where its next output goes. */
interface EngineOutput {
  _outBuffer?: unknown;
  _outOffset?: unknown;
  _chunkSize?: unknown;
}

/** False once an engine was seen to ignore the buffer it was given (a Node whose zlib works otherwise). */
let honoured = true;

/** What {@link inflateInto} calls back with: the member's bytes (undefined on failure) and the compressed bytes zlib took. */
export type InflateDone = (out: Buffer | undefined, consumed: number) => void;

/**
 * Inflates `member` (gzip, as `gunzip()` would: a second member in it is read too) into `memory`, or returns
 * false without starting when this Node's zlib cannot be given an output buffer (then use `gunzip()`).
 * `done` gets a view of `memory` from offset 0 when the output fit in it (the only view: `memory` is the
 * caller's to reuse once that view is done with), else a fresh buffer; undefined when zlib failed or the
 * output passed `maxOutput` bytes (as `gunzip()`'s maxOutputLength). `memory` must not be used until `done`.
 */
export function inflateInto(member: Uint8Array, memory: ArrayBuffer, maxOutput: number, done: InflateDone): boolean {
  if (!honoured) return false;
  const engine = createGunzip({ chunkSize: 64 });
  const fields = engine as unknown as EngineOutput;
  if (!Buffer.isBuffer(fields._outBuffer) || typeof fields._outOffset !== 'number' || typeof fields._chunkSize !== 'number') {
    honoured = false;
    engine.close();
    return false;
  }
  fields._outBuffer = Buffer.from(memory);
  fields._outOffset = 0;
  fields._chunkSize = memory.byteLength;
  const parts: Buffer[] = [];
  let length = 0;
  let settled = false;
  const fail = (): void => {
    if (settled) return;
    settled = true;
    engine.removeAllListeners('end');
    engine.close();
    done(undefined, engine.bytesWritten);
  };
  engine.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > maxOutput) return fail();
    parts.push(chunk);
  });
  engine.on('error', fail);
  engine.on('end', () => {
    if (settled) return;
    settled = true;
    engine.close();
    const first = parts[0];
    if (parts.length === 1 && first!.buffer === memory && first!.byteOffset === 0) return done(first!, engine.bytesWritten);
    // Output that fit in one buffer but came in pieces: this engine did not write where it was told.
    if (length <= memory.byteLength && parts.length > 1) honoured = false;
    done(parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(parts, length), engine.bytesWritten);
  });
  engine.end(member);
  return true;
}
