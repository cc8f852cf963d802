/**
 * Validates many inputs at once: small ones in this thread, large ones on a pool of worker threads (one
 * per core); results come back in input order.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AciProgress } from '../aci/scan.js';
import type { PathReport, ValidatePathOptions } from './validate-path.js';
import { validateOpened, validatePath } from './validate-path.js';
import { InputReader } from './open-input.js';
import { FILE_CODES } from './codes.js';
import { extend } from '../internal/extend.js';
import { isGarbageBounded } from '../aci/garbage.js';
import { keepV8FlagsAcross } from './v8-flags.js';

/** validatePath's options that can cross to a worker thread (plain data). */
export type ValidateManyInputOptions = Omit<ValidatePathOptions, 'onProgress' | 'signal'>;

/** Options of {@link validateMany}. */
export interface ValidateManyOptions extends ValidateManyInputOptions {
  /** Worker threads for large inputs (default: os.availableParallelism(), at most one per large input; 1 runs all in this thread). */
  readonly concurrency?: number;
  /** Inputs of at least this many bytes go to worker threads when there are two or more of them (default 1 MiB). */
  readonly workerMinBytes?: number;
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
  const { concurrency: _c, onResult: _r, onProgress: _p, workerMinBytes: _w, ...rest } = o;
  return rest;
}

/**
 * From this many inputs on (with two cores or more), the first {@link LIST_PROBE} tell whether the list is
 * one of manifests: then the rest is validated in order with no stat pass (10,000 `statSync` calls were
 * 50-200 ms before any work).
 */
const LIST_PROBE_MIN_INPUTS = 500;
/** Inputs validated before deciding: the stat pass is skipped when three quarters of them are manifests. */
const LIST_PROBE = 100;

/** Inputs from this size on go to worker threads (see {@link ValidateManyOptions.workerMinBytes}). */
const WORKER_MIN_BYTES = 1 << 20;

/**
 * Validates every path (files, layout directories, ACIs) with validatePath, like `actool validate`, in parallel.
 * Never rejects for bad inputs: each becomes a report with issues.
 *
 * Small inputs (manifests, small ACIs) are validated in this thread: each costs well under a millisecond,
 * less than handing it to a worker, and a worker needs ~80 ms to start and warm up (measured: 1,000 small
 * ACIs and 10,000 manifests ran 2-6x slower than the Go actool when every file went to a worker). Large
 * inputs go to a pool of worker threads, started only when there are at least two of them, while this
 * thread works through the small ones.
 * @example const reports = await validateMany(['a.aci', 'layout/', 'manifest.json']);
 */
export async function validateMany(paths: readonly string[], options: ValidateManyOptions = {}): Promise<PathReport[]> {
  const results: PathReport[] = new Array(paths.length);
  const onResult = options.onResult;
  await validateEach(paths, {
    ...options,
    onResult: (i, report) => {
      results[i] = report;
      onResult?.(i, report);
    },
  });
  return results;
}

/**
 * {@link validateMany} without the array of reports: each report goes only to `onResult`, so a long batch
 * that prints and drops its reports (`actool validate`) does not keep them all (~1 KB per report with
 * issues: 12 MB of peak RSS for 10,000 manifests).
 */
export async function validateEach(paths: readonly string[], options: ValidateManyOptions & { readonly onResult: (index: number, report: PathReport) => void }): Promise<void> {
  const plain = plainOptions(options);
  const onResult = options.onResult;
  const inputOptions = (i: number): ValidatePathOptions => (options.onProgress ? extend(plain, { onProgress: (p: AciProgress) => options.onProgress!(i, p) }) : plain);
  const one = async (i: number): Promise<PathReport> => {
    const report = await validatePath(paths[i]!, inputOptions(i));
    onResult(i, report);
    return report;
  };
  // One read buffer for the small inputs validated here, one after another (validateOpened is done with an
  // input's bytes before the next is read): no fresh buffer per input.
  const reader = new InputReader();
  const oneRead = async (i: number): Promise<PathReport> => {
    const report = await validateOpened(paths[i]!, reader.open(paths[i]!), inputOptions(i));
    onResult(i, report);
    return report;
  };
  const script = paths.length > 1 ? workerScript() : undefined;
  // Threads and the os module load only when there is work for them (a cold `actool validate one.json` stays fast).
  const cores = script === undefined ? 1 : (options.concurrency ?? (await import('node:os')).availableParallelism());
  const minBytes = options.workerMinBytes ?? WORKER_MIN_BYTES;
  // With one core there is no pool, and no need to stat every input to find the large ones.
  if (cores <= 1) {
    for (let i = 0; i < paths.length; i++) await oneRead(i);
    return;
  }
  let from = 0;
  const large: number[] = [];
  if (paths.length >= LIST_PROBE_MIN_INPUTS + LIST_PROBE) {
    // A long list may be one of manifests, validated here in order. The first inputs tell whether it is one;
    // the large ones among them are set aside for the pool, as below.
    let manifests = 0;
    for (; from < LIST_PROBE; from++) {
      const opened = reader.open(paths[from]!);
      if (!('error' in opened) && !opened.dir && opened.size >= minBytes) {
        large.push(from);
        continue;
      }
      const report = await validateOpened(paths[from]!, opened, inputOptions(from));
      onResult(from, report);
      if (report.type === 'manifest') manifests++;
    }
    if (manifests * 4 >= LIST_PROBE * 3) {
      // No stat pass over the rest (it was ~5% of a 10,000-manifest run): a large input further on is
      // validated here in its turn. The large ones of the probe go to the pool, or here when only one.
      if (large.length === 1) await one(large.pop()!);
      const pooled = large.length >= 2 ? runPool(script!, large, Math.min(cores, large.length), paths, plain, options, onResult) : Promise.resolve([]);
      for (let i = from; i < paths.length; i++) await oneRead(i);
      for (const i of await pooled) await one(i);
      return;
    }
  }
  const small: number[] = [];
  for (let i = from; i < paths.length; i++) (isLarge(paths[i]!, minBytes) ? large : small).push(i);
  if (large.length < 2) {
    // Set-aside and later inputs in input order (at most one is large).
    for (const i of [...large, ...small].sort((a, b) => a - b)) await oneRead(i);
    return;
  }
  const pooled = runPool(script!, large, Math.min(cores, large.length), paths, plain, options, onResult);
  for (const i of small) await oneRead(i);
  const leftovers = await pooled;
  for (const i of leftovers) await one(i);
}

function isLarge(path: string, minBytes: number): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= minBytes;
  } catch {
    return false;
  }
}

/**
 * Validates `indices` on `n` worker threads, one input per message (these are large). Resolves with the
 * indices left to validate in this thread when the pool could not run.
 */
function runPool(
  script: URL,
  indices: readonly number[],
  n: number,
  paths: readonly string[],
  plain: ValidateManyInputOptions,
  options: ValidateManyOptions,
  onResult: (index: number, report: PathReport) => void,
): Promise<number[]> {
  let next = 0;
  let done = 0;
  // Set when a worker dies before finishing anything: the rest is then validated in this thread.
  let poolBroken = false;
  const leftovers: number[] = [];
  return new Promise<number[]>((resolve) => {
    const finish = (): void => resolve(leftovers.sort((a, b) => a - b));
    void import('node:worker_threads').then(({ Worker }) => {
      const start = (): void => {
        // execArgv: [] so flags of the parent process (such as `-e CODE`) are not run again in the worker.
        const worker = new Worker(script, { workerData: { appcValidateWorker: true, boundGarbage: isGarbageBounded() }, execArgv: [] });
        keepV8FlagsAcross(worker);
        let current = -1;
        let finished = 0;
        const give = (): void => {
          if (next >= indices.length) {
            void worker.terminate();
            return;
          }
          current = indices[next++]!;
          worker.postMessage({ id: current, file: paths[current]!, options: plain } satisfies WorkerRequest);
        };
        worker.on('message', (m: WorkerReply) => {
          if ('progress' in m) {
            options.onProgress?.(m.id, m.progress);
            return;
          }
          onResult(m.id, m.report);
          current = -1;
          finished++;
          if (++done === indices.length) finish();
          give();
        });
        worker.on('error', (e) => {
          if (finished === 0 && !poolBroken) {
            // The worker could not even start (or died on its first input): no more workers.
            poolBroken = true;
            if (current !== -1) leftovers.push(current);
            while (next < indices.length) leftovers.push(indices[next++]!);
            done += leftovers.length;
            if (done === indices.length) finish();
            return;
          }
          if (poolBroken) {
            if (current !== -1) {
              leftovers.push(current);
              if (++done === indices.length) finish();
            }
            return;
          }
          // A crashed worker fails its input with a clear issue; a fresh worker takes over the queue.
          if (current !== -1) {
            const report: PathReport = {
              file: paths[current]!,
              type: 'unknown',
              valid: false,
              issues: [{ code: 'FILE_UNREADABLE', severity: FILE_CODES.FILE_UNREADABLE.severity, path: '', message: `internal error while validating: ${e.message}` }],
            };
            onResult(current, report);
            if (++done === indices.length) finish();
            current = -1;
          }
          if (next < indices.length) start();
        });
        give();
      };
      for (let i = 0; i < n; i++) start();
    });
  });
}
