/**
 * Bounded garbage for streaming reads. A stream of archive bytes allocates a fresh Buffer per chunk (file
 * reads, zlib output) and drops it a moment later; V8 frees such buffers only when its heap or the external
 * memory it tracks has grown by tens of MB, so the peak RSS of a streaming pass is set by garbage, not by
 * what is live (measured: node's plain gunzip pipeline peaks at 84 MB on 100 MB of gzip, a bare process at
 * ~40 MB). A young-generation collection every few MiB of dropped buffers frees them at ~1 ms each.
 *
 * Process-level, so off by default: a program (the `actool` CLI) turns it on with {@link boundGarbage};
 * code that streams bytes reports each chunk it is done with through {@link noteGarbage}, which costs a
 * counter update when off. The `gc` function is made on first need (V8's --expose-gc, set at run time, then
 * `gc` taken from a fresh context), never at start-up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Dropped bytes between two collections (measured: 4-8 MiB keeps RSS near 60 MB at no measurable cost). */
const GARBAGE_BUDGET = 8 << 20;

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * The state lives on globalThis under a registered symbol: the CLI bundles each command separately, so the
 * dispatcher that turns this on and the command that streams hold different copies of this module.
 */
interface GarbageState {
  enabled: boolean;
  pending: number;
  gc: GcFunction | undefined;
}
const KEY = Symbol.for('appc.boundedGarbage');
const state: GarbageState = ((globalThis as { [KEY]?: GarbageState })[KEY] ??= { enabled: false, pending: 0, gc: undefined });

/**
 * Turns bounded garbage on (or off) for this thread: from now on, every GARBAGE_BUDGET bytes reported by
 * {@link noteGarbage} run a young-generation collection. For programs, not libraries: it sets a V8 flag
 * (`--expose-gc`) for the process the first time a collection is due.
 * @example boundGarbage(); // once, at the start of a CLI that streams large archives
 */
export function boundGarbage(on = true): void {
  state.enabled = on;
}

/** True when {@link boundGarbage} turned bounded garbage on in this thread (worker pools pass it on to their threads). */
export function isGarbageBounded(): boolean {
  return state.enabled;
}

/**
 * Reports `bytes` of buffers the caller has finished with (a chunk it hashed, parsed or wrote). When bounded
 * garbage is on and enough has piled up, collects the young generation, which frees those buffers.
 * @example for await (const chunk of stream) { hash.update(chunk); noteGarbage(chunk.length); }
 */
export function noteGarbage(bytes: number): void {
  if (!state.enabled) return;
  state.pending += bytes;
  if (state.pending < GARBAGE_BUDGET) return;
  state.pending = 0;
  state.gc ??= exposeGc();
  if (state.gc) state.gc({ type: 'minor' });
  else state.enabled = false;
}

/** The `gc` function, made available at run time; undefined when this V8 refuses (then nothing is collected). */
function exposeGc(): GcFunction | undefined {
  try {
    const existing = (globalThis as { gc?: GcFunction }).gc;
    if (typeof existing === 'function') return existing;
    setFlagsFromString('--expose-gc');
    const made = runInNewContext('gc') as unknown;
    return typeof made === 'function' ? (made as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}
