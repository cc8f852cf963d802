/** An exclusive lock on a directory between processes: a lock file created with O_EXCL, holding the owner's pid. */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';

/** Options of withLock. */
export interface LockOptions {
  /** How long to wait for another holder, in milliseconds (default 30,000). */
  readonly timeoutMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` while holding `dir/.lock`. A lock left by a process that no longer exists is taken over; a live
 * holder is waited for up to the time-out (then AppcError STORE_LOCKED).
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = join(dir, '.lock');
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let delay = 5;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o644);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      // An empty file is a holder between create and write; only a dead pid is stale.
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new AppcError('STORE_LOCKED', `${dir} is locked by process ${holder || '(starting)'}; try again later`, { file: path });
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
