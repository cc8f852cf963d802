/**
 * Turns of the event loop between archives scanned in memory. A batch of small archives is scanned by
 * synchronous steps chained with promises only, so without this the event loop would not turn until the
 * whole batch was done: callbacks queued meanwhile with `process.nextTick` (node:zlib closing each gzip
 * engine) held every engine, with its stream state, until then, and V8 promoted them into its old space;
 * signals, timers and progress output waited as long. Measured on 1,000 small ACIs: docs/design.md, s15-small.
 */

/** Archives scanned in memory between two turns. */
const SCANS_PER_TURN = 8;

let scans = 0;

/**
 * Counts one archive scanned in memory; every SCANS_PER_TURN-th call returns a promise that resolves once the
 * event loop has turned (setImmediate: after pending I/O callbacks and the `nextTick` queue), else undefined.
 */
export function eventLoopTurnDue(): Promise<void> | undefined {
  if (++scans < SCANS_PER_TURN) return undefined;
  scans = 0;
  return new Promise((resolve) => setImmediate(resolve));
}
