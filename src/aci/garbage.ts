/**
 * Bounded garbage for streaming reads. A stream of archive bytes allocates a fresh Buffer per chunk (file
 * reads, zlib output) and drops it a moment later; V8 frees such buffers only when its heap or the external
 * memory it tracks has grown by tens of MB, so the peak RSS of a streaming pass is set by garbage, not by
 * what is live (measured: node's plain gunzip pipeline peaks at 84 MB on 100 MB of gzip, a bare process at
 * ~40 MB, and it grows with the archive). A collection every 8 MiB of dropped buffers (young, with a full one
 * every fourth) frees them at a millisecond or so each.
 *
 * Process-level, so off by default: a program (the `actool` CLI) turns it on with {@link boundGarbage};
 * code that streams bytes reports each chunk it is done with through {@link noteGarbage}, which costs a
 * counter update when off. The `gc` function is made on first need (V8's --expose-gc, set at run time, then
 * `gc` taken from a fresh context), never at start-up.
 */
import { createRequire } from 'node:module';
import { setV8Flags } from '../node/v8-flags.js';

// node:v8 and node:vm load only when a collection is first due: node:v8 pulls in stream modules that a cold
// `actool validate manifest.json` never needs.
const require = createRequire(import.meta.url);

/** Dropped bytes between two collections. */
const GARBAGE_BUDGET = 8 << 20;
/**
 * Every FULL_EVERY-th collection is a full one (`gc()`; V8 11 runs `{ type: 'major' }` as a young one).
 * Measured on a 1 GB tar (387 MB gzip), image-id peak RSS: young only 129 MB; a full one every 32 MiB 90 MB at
 * no measurable cost; every 16 MiB 83 MB; every 8 MiB 78 MB but +15% CPU.
 */
const FULL_EVERY = 4;

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * The state lives on globalThis under a registered symbol: the CLI bundles each command separately, so the
 * dispatcher that turns this on and the command that streams hold different copies of this module.
 */
interface GarbageState {
  enabled: boolean;
  pending: number;
  gc: GcFunction | undefined;
  /** Collections run so far. */
  count: number;
  /** Set by keepYoungGenerationSmall. */
  youngSmall?: boolean;
  /** ArrayBuffer transfer, found on first need (null: not available). */
  transfer?: TransferFunction | null;
}
const KEY = Symbol.for('appc.boundedGarbage');
const state: GarbageState = ((globalThis as { [KEY]?: GarbageState })[KEY] ??= { enabled: false, pending: 0, gc: undefined, count: 0 });

/**
 * Turns bounded garbage on (or off) for this thread: from now on, every GARBAGE_BUDGET bytes reported by
 * {@link noteGarbage} run a collection. For programs, not libraries: it sets a V8 flag
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
 * garbage is on and enough has piled up, runs a collection, which frees those buffers.
 * @example for await (const chunk of stream) { hash.update(chunk); noteGarbage(chunk.length); }
 */
export function noteGarbage(bytes: number): void {
  if (!state.enabled) return;
  state.pending += bytes;
  if (state.pending < GARBAGE_BUDGET) return;
  state.pending = 0;
  state.gc ??= exposeGc();
  state.count++;
  // Buffers still queued at a young collection survive it and are promoted; only a full one frees them.
  if (!state.gc) state.enabled = false;
  else if (state.count % FULL_EVERY === 0) state.gc();
  else state.gc({ type: 'minor' });
}

/**
 * Keeps V8's young generation at its starting size for the rest of the process, when bounded garbage is on
 * (a program's choice, see {@link boundGarbage}); returns whether it did. For a long batch of small inputs:
 * each leaves ~40 KB of short-lived objects, and V8 answers a steady stream of them by doubling its two
 * semi-spaces up to 16 MiB each, which is ~28 MB of peak RSS and buys nothing, as the garbage dies young at
 * any size (measured on 10,000 manifests: same CPU time, 115 -> 87 MB). Sets `--semi-space-growth-factor=1`
 * at run time (V8 reads it whenever it would grow the young generation); never 0, which crashes V8 11.
 */
export function keepYoungGenerationSmall(): boolean {
  if (!state.enabled) return false;
  if (state.youngSmall) return true;
  try {
    setHeapFlags();
    state.youngSmall = true;
    return true;
  } catch {
    return false;
  }
}

/**
 * The heap flags of {@link keepYoungGenerationSmall}. `--semi-space-growth-factor=1` is honoured only when set at
 * run time (given on the command line, V8 11 raised it to 2: measured, the new space still grew to 32 MB).
 * `--heap-growing-percent=10` makes each full collection set the next one's limit at 1.1x the live old
 * generation instead of V8's 1.5-4x, so promoted garbage is collected sooner (V8 reads it at each full
 * collection). Measured in alternating rounds, same CPU time: 10,000 manifests 92 -> 85 MB, 1,000 small xz
 * images 75 -> 69 MB, the bench's mixed 1,000 small ACIs 67 -> 66 MB.
 */
function setHeapFlags(): void {
  // Kept across worker threads, which reset V8's flags (see node/v8-flags.ts).
  setV8Flags('--semi-space-growth-factor=1', '--heap-growing-percent=10');
}

/**
 * Chunks whose memory (their whole ArrayBuffer) no other view shares: {@link dropChunk} may free them at once.
 * Marked by the producer that allocated them; freed only by a consumer that knows it kept no view either.
 */
const soleViews = new WeakSet<Uint8Array>();

/**
 * Marks `chunk` as the only view of its memory: its producer made the ArrayBuffer for it alone (not a pooled
 * small Buffer) and keeps no other view of it, so a consumer done with it may free it with {@link dropChunk}.
 */
export function markSoleView(chunk: Uint8Array): void {
  soleViews.add(chunk);
}

/**
 * Reports a chunk the caller is done with, and frees its memory at once when its producer marked it as the
 * only view ({@link markSoleView}) and ArrayBuffer transfer is available: a freed chunk is no garbage, so it
 * costs no collection and leaves nothing for RSS to hold. Only for consumers that kept no view of the chunk
 * (no subarray handed on, stored or still queued): afterwards every view of it is empty.
 */
export function dropChunk(chunk: Uint8Array): void {
  if (soleViews.has(chunk)) {
    soleViews.delete(chunk);
    const recycle = recyclers.get(chunk);
    if (recycle !== undefined) {
      recyclers.delete(chunk);
      if (handBack(chunk, recycle)) return;
    }
    if (freeMemory(chunk)) return;
  }
  noteGarbage(chunk.length);
}

/**
 * Chunks whose memory goes back to their producer once dropped ({@link markRecyclable}), with the function that
 * takes it.
 */
const recyclers = new WeakMap<Uint8Array, (memory: ArrayBuffer) => void>();

/**
 * {@link markSoleView}, and once a consumer drops the chunk ({@link dropChunk}) its memory goes back to
 * `recycle` as a new ArrayBuffer, every old view of it emptied (ArrayBuffer transfer detaches them without
 * copying), instead of being freed. For a producer that reuses its buffers (freeing large ones has costs of
 * its own: see inflate-into.ts). A chunk that is never dropped is freed by the collector as any other.
 */
export function markRecyclable(chunk: Uint8Array, recycle: (memory: ArrayBuffer) => void): void {
  soleViews.add(chunk);
  recyclers.set(chunk, recycle);
}

/** Hands the memory of `chunk` to `recycle`, detached from every old view; false when transfer is not available. */
function handBack(chunk: Uint8Array, recycle: (memory: ArrayBuffer) => void): boolean {
  const transfer = transferFunction();
  if (!transfer) return false;
  let memory: ArrayBuffer;
  try {
    memory = transfer.call(chunk.buffer);
  } catch {
    return false;
  }
  recycle(memory);
  return true;
}

/**
 * Frees the memory of `chunk` (its whole ArrayBuffer) at once, when ArrayBuffer transfer is available; returns
 * whether it did (else the chunk is left to the collector). Afterwards every view of that memory is empty: only
 * for a caller that knows no other view is in use, as {@link dropChunk}'s consumers do for marked chunks.
 */
export function freeMemory(chunk: Uint8Array): boolean {
  const transfer = transferFunction();
  if (!transfer) return false;
  try {
    transfer.call(chunk.buffer, 0);
    return true;
  } catch {
    // Not detachable (a foreign ArrayBuffer): left to the collector like any other chunk.
    return false;
  }
}

/** ArrayBuffer transfer when this thread may use it: native, or set up for a program that bounded its garbage. */
function transferFunction(): TransferFunction | null | undefined {
  return state.enabled || nativeTransfer !== undefined ? (state.transfer ??= findTransfer()) : undefined;
}

type TransferFunction = (this: ArrayBufferLike, length?: number) => ArrayBuffer;
const nativeTransfer = (ArrayBuffer.prototype as { transfer?: TransferFunction }).transfer;

/**
 * `ArrayBuffer.prototype.transfer` (ES2024: detaching frees the memory at once): native from Node 21; on Node 20
 * (V8 11.3) it is behind `--harmony-rab-gsab-transfer`, which takes effect for contexts made after it is set, so
 * it is taken from a fresh context, as `gc` is; only for programs that turned bounded garbage on. Null when
 * neither works (then chunks are left to the collector).
 */
function findTransfer(): TransferFunction | null {
  if (nativeTransfer !== undefined) return nativeTransfer;
  try {
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--harmony-rab-gsab-transfer');
    const made = (require('node:vm') as typeof import('node:vm')).runInNewContext('ArrayBuffer.prototype.transfer') as unknown;
    return typeof made === 'function' ? (made as TransferFunction) : null;
  } catch {
    return null;
  }
}

/** The `gc` function, made available at run time; undefined when this V8 refuses (then nothing is collected). */
function exposeGc(): GcFunction | undefined {
  try {
    const existing = (globalThis as { gc?: GcFunction }).gc;
    if (typeof existing === 'function') return existing;
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    const made = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as unknown;
    return typeof made === 'function' ? (made as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}
