/**
 * Validates many inputs at once on a pool of worker threads (one per core), so a batch of small ACIs
 * uses every core; results come back in input order.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AciProgress } from '../aci/scan.js';
import type { PathReport, ValidatePathOptions } from './validate-path.js';
import { validatePath } from './validate-path.js';
import { FILE_CODES } from './codes.js';

/** validatePath's options that can cross to a worker thread (plain data). */
export type ValidateManyInputOptions = Omit<ValidatePathOptions, 'onProgress' | 'signal'>;

/** Options of {@link validateMany}. */
export interface ValidateManyOptions extends ValidateManyInputOptions {
  /** Worker threads (default: os.availableParallelism(), at most one per input; 1 runs in this thread). */
  readonly concurrency?: number;
  /** Called as each input finishes (in completion order), for streaming output. */
  readonly onResult?: (index: number, report: PathReport) => void;
  /** Bytes read from an image archive (at most ~10 calls a second per input from workers). */
  readonly onProgress?: (index: number, progress: AciProgress) => void;
}

/** Messages between the pool and its workers. */
export type WorkerRequest = { readonly id: number; readonly file: string; readonly options: ValidateManyInputOptions };
/** A worker's answer: a progress update or the final report. */
export type WorkerReply = { readonly id: number; readonly progress: AciProgress } | { readonly id: number; readonly report: PathReport };

function workerScript(): URL | undefined {
  // Unbundled: next to this module. Bundled CLI (dist/bundle/chunks/*.mjs): the library's tsc output.
  for (const rel of ['./validate-worker.js', '../../src/node/validate-worker.js', '../src/node/validate-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

function plainOptions(o: ValidateManyOptions): ValidateManyInputOptions {
  const { concurrency: _c, onResult: _r, onProgress: _p, ...rest } = o;
  return rest;
}

/**
 * Validates every path (files, layout directories, ACIs) with validatePath, like `actool validate`, in parallel.
 * Never rejects for bad inputs: each becomes a report with issues.
 * @example const reports = await validateMany(['a.aci', 'layout/', 'manifest.json']);
 */
export async function validateMany(paths: readonly string[], options: ValidateManyOptions = {}): Promise<PathReport[]> {
  const results: PathReport[] = new Array(paths.length);
  const plain = plainOptions(options);
  const script = workerScript();
  // Threads and the os module load only when there is more than one input (a cold `actool validate one.json` stays fast).
  const n = paths.length <= 1 ? paths.length : Math.min(options.concurrency ?? (await import('node:os')).availableParallelism(), paths.length);
  if (n <= 1 || script === undefined) {
    for (let i = 0; i < paths.length; i++) {
      results[i] = await validatePath(paths[i]!, options.onProgress ? { ...plain, onProgress: (p) => options.onProgress!(i, p) } : plain);
      options.onResult?.(i, results[i]!);
    }
    return results;
  }
  const { Worker } = await import('node:worker_threads');
  let next = 0;
  let done = 0;
  // Set when a worker dies before finishing anything: the rest is then validated in this thread.
  let poolBroken = false;
  const leftovers: number[] = [];
  await new Promise<void>((resolve) => {
    const start = (): void => {
      // execArgv: [] so flags of the parent process (such as `-e CODE`) are not run again in the worker.
      const worker = new Worker(script, { workerData: { appcValidateWorker: true }, execArgv: [] });
      let current = -1;
      let finished = 0;
      const give = (): void => {
        if (next >= paths.length) {
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage({ id: current, file: paths[current]!, options: plain } satisfies WorkerRequest);
      };
      worker.on('message', (m: WorkerReply) => {
        if ('progress' in m) {
          options.onProgress?.(m.id, m.progress);
          return;
        }
        results[m.id] = m.report;
        options.onResult?.(m.id, m.report);
        current = -1;
        finished++;
        if (++done === paths.length) resolve();
        give();
      });
      worker.on('error', (e) => {
        if (finished === 0 && !poolBroken) {
          // The worker could not even start (or died on its first input): no more workers.
          poolBroken = true;
          if (current !== -1) leftovers.push(current);
          while (next < paths.length) leftovers.push(next++);
          done += leftovers.length;
          if (done === paths.length) resolve();
          return;
        }
        if (poolBroken) {
          if (current !== -1) {
            leftovers.push(current);
            if (++done === paths.length) resolve();
          }
          return;
        }
        // A crashed worker fails its input with a clear issue; a fresh worker takes over the queue.
        if (current !== -1) {
          const report: PathReport = { file: paths[current]!, type: 'unknown', valid: false, issues: [{ code: 'FILE_UNREADABLE', severity: FILE_CODES.FILE_UNREADABLE.severity, path: '', message: `internal error while validating: ${e.message}` }] };
          results[current] = report;
          options.onResult?.(current, report);
          if (++done === paths.length) resolve();
          current = -1;
        }
        if (next < paths.length) start();
      });
      give();
    };
    for (let i = 0; i < n; i++) start();
  });
  for (const i of leftovers.sort((a, b) => a - b)) {
    results[i] = await validatePath(paths[i]!, options.onProgress ? { ...plain, onProgress: (p) => options.onProgress!(i, p) } : plain);
    options.onResult?.(i, results[i]!);
  }
  return results;
}
