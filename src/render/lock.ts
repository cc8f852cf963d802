/**
 * An exclusive lock on a directory between processes: the file `.lock`, holding the owner's token (pid, host,
 * random part). It is made by hard-linking a fully written temporary file, so a lock is never seen empty or
 * half written, and creating it fails atomically when another process holds it.
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppcError } from '../issues/appc-error.js';

/** Options of withLock. */
export interface LockOptions {
  /** How long to wait for another holder, in milliseconds (default 30,000). */
  readonly timeoutMs?: number;
}

/** True when the process exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The holder named by a lock file's text: `pid host token`. */
function parseOwner(text: string): { pid: number; host: string } | undefined {
  const [pid, host] = text.trim().split(' ');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && host !== undefined ? { pid: n, host } : undefined;
}

/** True when the lock was left by a process of this host that no longer exists (a crash). */
function isStale(text: string): boolean {
  const owner = parseOwner(text);
  // A lock from another host (a shared file system) cannot be judged by its pid: wait for it.
  return owner !== undefined && owner.host === hostname() && !alive(owner.pid);
}

/**
 * Takes over a stale lock: moves it aside (atomic), then checks that what was moved is the stale lock that was
 * read. If another process replaced it in between, its lock is put back (link fails rather than overwrite a
 * newer one) and the caller tries again.
 */
async function breakStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it first
    throw e;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Runs `fn` while holding `dir/.lock`. A lock left by a process of this host that no longer exists is taken
 * over; a live holder is waited for up to the time-out (then AppcError STORE_LOCKED naming the holder).
 */
export async function withLock<T>(dir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = join(dir, '.lock');
  const token = `${process.pid} ${hostname()} ${randomBytes(8).toString('hex')}\n`;
  const draft = join(dir, `.lock.${process.pid}-${randomBytes(4).toString('hex')}`);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let delay = 5;
  await writeFile(draft, token, { flag: 'wx' });
  try {
    for (;;) {
      try {
        await link(draft, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const text = await readFile(path, 'utf8').catch(() => '');
      if (text !== '' && isStale(text)) {
        await breakStale(path, text);
        continue;
      }
      if (Date.now() > deadline) {
        const owner = parseOwner(text);
        throw new AppcError(
          'STORE_LOCKED',
          `${dir} is locked by ${owner ? `process ${owner.pid} on ${owner.host}` : 'another process'}; try again later (a lock left by a crash on another host must be removed by hand: ${path})`,
          { file: path },
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
  try {
    return await fn();
  } finally {
    // Only remove the lock if it is still ours.
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text === token) await unlink(path).catch(() => undefined);
  }
}
