/**
 * Read-ahead for a long batch of inputs validated in order: a worker thread opens and reads the next
 * inputs (one open, fstat, read and close each, ~20% of a 10,000-manifest run) while this thread validates,
 * on another core. It is only a hint: an input whose bytes have not arrived when it is needed is read here,
 * as without read-ahead, and the thread skips what was read here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { OpenedOrError } from './open-input.js';
import type { ReadAheadChunk, ReadAheadData } from './read-ahead-worker.js';
import { restoreV8Flags } from './v8-flags.js';

/** How far the thread may run ahead: inputs and bytes read but not yet taken. */
const WINDOW_INPUTS = 256;
const WINDOW_BYTES = 2 << 20;
/** The thread's young generation (MiB): it only makes small, short-lived objects, and every MiB is resident. */
const YOUNG_MB = 1;
/** Inputs per message (a message costs ~20-50 us; reading an input ~20-45 us here). */
const CHUNK_INPUTS = 32;
/**
 * How long (ms) the read-ahead thread sleeps when it is far enough ahead before it looks again. This thread
 * never wakes it: `Atomics.notify` every 64 inputs cost 1-1.5 ms a call on the busy 2-core machine (160-250 ms of
 * a 10,000-manifest run, measured), as the woken thread took the core; this thread takes the 256 inputs of the
 * window in ~30 ms, so a thread that looks again every few ms keeps it full.
 */
const WAIT_MS = 4;

/** Inputs read ahead by a worker thread, taken in increasing index order. */
export interface ReadAhead {
  /** The opened input `index` if the thread has read it, else undefined (read it yourself). Indices must increase. */
  take(index: number): OpenedOrError | undefined;
  /** Stops the thread. */
  close(): void;
}

function readAheadScript(): URL | undefined {
  // Unbundled: next to this module. Bundled CLI (dist/bundle/commands/*.cjs): the library's tsc output.
  for (const rel of ['./read-ahead-worker.js', '../../src/node/read-ahead-worker.js', '../src/node/read-ahead-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/** Starts reading `paths` from index `from` on, ahead on a worker thread; undefined when no thread can be started. */
export async function startReadAhead(paths: readonly string[], from = 0): Promise<ReadAhead | undefined> {
  const script = readAheadScript();
  if (script === undefined) return undefined;
  const { Worker, MessageChannel, receiveMessageOnPort } = await import('node:worker_threads');
  // [0]: the next index this thread takes; [1]: set to 1 by the thread once it runs.
  const progress = new Int32Array(new SharedArrayBuffer(8));
  progress[0] = from;
  const { port1, port2 } = new MessageChannel();
  let worker: import('node:worker_threads').Worker;
  try {
    const data: ReadAheadData = { appcReadAhead: true, paths, progress, port: port2, windowInputs: WINDOW_INPUTS, windowBytes: WINDOW_BYTES, chunkInputs: CHUNK_INPUTS, waitMs: WAIT_MS };
    worker = new Worker(script, { workerData: data, transferList: [port2], execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
  } catch {
    port1.close();
    return undefined;
  }
  // A thread that fails only leaves its inputs to be read here.
  worker.on('error', () => {});
  worker.unref();
  const port: MessagePort = port1;
  port.unref();
  // The chunk being taken from (chunks come in increasing index order).
  let chunk: ReadAheadChunk | undefined;
  let closed = false;
  let started = false;
  return {
    take(index) {
      if (closed) return undefined;
      if (!started && Atomics.load(progress, 1) === 1) {
        started = true;
        // A starting worker resets V8's flags (see v8-flags.ts); this thread never turns its event loop here.
        restoreV8Flags();
      }
      Atomics.store(progress, 0, index + 1);
      for (;;) {
        if (chunk !== undefined) {
          const k = index - chunk.from;
          // A chunk that starts later is kept for later indices (this one was read here).
          if (k < 0) return undefined;
          if (k < chunk.items.length) return chunk.items[k] ?? undefined;
        }
        // Messages are received synchronously: no event-loop turn between inputs.
        const m = receiveMessageOnPort(port) as { message: ReadAheadChunk } | undefined;
        if (m === undefined) {
          chunk = undefined;
          return undefined;
        }
        chunk = m.message;
      }
    },
    close() {
      closed = true;
      chunk = undefined;
      port.close();
      void worker.terminate();
    },
  };
}
