/**
 * The read-ahead thread of a long validate batch: opens and reads the inputs in order (regular files and
 * directories, as validatePath would: see openInputAhead) and posts them in chunks, staying a bounded distance ahead of the
 * thread that validates them and skipping what that thread has already read itself.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Opened } from './open-input.js';
import { openInputAhead } from './open-input.js';

/** What the validating thread hands over: the paths, the shared progress counter, the port for chunks, the bounds. */
export interface ReadAheadData {
  readonly appcReadAhead: true;
  readonly paths: readonly string[];
  /** [0]: the index the validating thread takes next (it has taken or read everything before); [1]: 1 once this thread runs. */
  readonly progress: Int32Array;
  readonly port: MessagePort;
  readonly windowInputs: number;
  readonly windowBytes: number;
  readonly chunkInputs: number;
  /** How long to sleep when far enough ahead before looking again (the validating thread does not wake this one). */
  readonly waitMs: number;
}

/** A chunk of read inputs, from index `from` on; null for an input left to the validating thread. */
export interface ReadAheadChunk {
  readonly from: number;
  readonly items: readonly (Opened | null)[];
}

const data = workerData as Partial<ReadAheadData> | undefined;
if (data?.appcReadAhead) run(data as ReadAheadData);

function run({ paths, progress, port, windowInputs, windowBytes, chunkInputs, waitMs }: ReadAheadData): void {
  // Tell the validating thread this thread runs (its isolate is set up: see restoreV8Flags in v8-flags.ts).
  Atomics.store(progress, 1, 1);
  // Bytes posted per index, to know how many are still ahead of the validating thread.
  const sizes = new Float64Array(paths.length);
  let next = 0;
  let ahead = 0;
  let consumedTo = 0;
  while (next < paths.length) {
    let taken = Atomics.load(progress, 0);
    for (; consumedTo < taken && consumedTo < next; consumedTo++) ahead -= sizes[consumedTo]!;
    consumedTo = Math.max(consumedTo, taken);
    // The validating thread read these itself (it got there first).
    if (next < taken) next = taken;
    if (next >= paths.length) break;
    if (next - taken >= windowInputs || ahead >= windowBytes) {
      // Far enough ahead: sleep a little, then look again (returns at once if the validating thread moved).
      Atomics.wait(progress, 0, taken, waitMs);
      continue;
    }
    const items: (Opened | null)[] = [];
    const transfer: ArrayBuffer[] = [];
    const from = next;
    let bytes = 0;
    while (next < paths.length && items.length < chunkInputs && bytes < windowBytes / 4) {
      const item = openInputAhead(paths[next]!) ?? null;
      const size = item !== null && 'bytes' in item ? item.bytes.byteLength : 0;
      if (item !== null && 'bytes' in item && size > 0 && item.bytes.byteOffset === 0 && item.bytes.buffer.byteLength === size && !transfer.includes(item.bytes.buffer as ArrayBuffer)) {
        transfer.push(item.bytes.buffer as ArrayBuffer);
      }
      sizes[next] = size;
      ahead += size;
      bytes += size;
      items.push(item);
      next++;
    }
    port.postMessage({ from, items } satisfies ReadAheadChunk, transfer);
    taken = Atomics.load(progress, 0);
  }
  port.close();
}
