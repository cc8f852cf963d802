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
 * The engine gets its output memory from zlib-output-memory.ts, the one place that knows node:zlib's private
 * fields; if an engine ever ignores them (output in several pieces where one buffer was enough), no engine gets
 * them again. Either way the bytes delivered are zlib's own: a piecewise output is concatenated, as `gunzip()`
 * does.
 */
import { gunzipWritingInto, outputMemoryIgnored } from './zlib-output-memory.js';

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
  const engine = gunzipWritingInto(memory);
  if (engine === undefined) return false;
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
    if (length <= memory.byteLength && parts.length > 1) outputMemoryIgnored();
    done(parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(parts, length), engine.bytesWritten);
  });
  engine.end(member);
  return true;
}
