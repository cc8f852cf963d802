/**
 * Temporary archive files (and staging directories) that must not outlive an interrupted process. While at
 * least one is open, SIGINT and SIGTERM remove them all, print one line naming each unfinished output, and
 * then end the process with the signal as it would have ended without us (unless the application handles
 * that signal itself).
 */
import { existsSync, rmSync, unlinkSync } from 'node:fs';
import { sep } from 'node:path';

/** Temporary path -> the output it becomes, and whether it is a directory. */
const open = new Map<string, { readonly out: string; readonly directory: boolean }>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onSignal(signal: NodeJS.Signals): void {
  const named = new Set<string>();
  for (const [tmp, { out, directory }] of open) {
    try {
      if (directory) removeDirectory(tmp);
      else unlinkSync(tmp);
    } catch {
      // Already gone (committed or discarded between the signal and now, or inside a directory removed first).
    }
    // A file inside a tracked directory (a layer of an export) is part of that directory's output: one line each.
    if (named.has(out) || [...open].some(([d, t]) => t.directory && d !== tmp && tmp.startsWith(d + sep))) continue;
    named.add(out);
    process.stderr.write(`interrupted by ${signal}: ${out} was not written (its temporary file is removed)\n`);
  }
  open.clear();
  stopListening();
  // Someone else listens too: the application decides what a signal means. Otherwise die of it, so the
  // exit status (128 + signal) tells the parent what happened.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Removes a directory with everything in it, trying again a few times: a file the thread pool creates in it while
 * it is emptied (an export's layer file being opened) makes the last step fail (ENOTEMPTY) or is left in it.
 * Measured: an empty staging directory was left by about 1 signal in 10 sent right after an export made it.
 */
function removeDirectory(dir: string): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Something appeared in it meanwhile: the next attempt removes that too.
    }
    if (!existsSync(dir)) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function stopListening(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function track(tmp: string, out: string, directory: boolean): () => void {
  if (open.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  open.set(tmp, { out, directory });
  return () => {
    if (open.delete(tmp) && open.size === 0) stopListening();
  };
}

/**
 * Registers `tmp`, the unfinished file that will become `out`, for removal on SIGINT/SIGTERM. Returns the
 * function that unregisters it (call it once the file is renamed into place or removed).
 */
export function trackTemporaryFile(tmp: string, out: string): () => void {
  return track(tmp, out, false);
}

/**
 * Registers `dir`, a staging directory whose contents become `out` (an export's layout), for removal with
 * everything in it on SIGINT/SIGTERM; temporary files tracked inside it are named by `out` alone. Returns the
 * function that unregisters it (call it once the directory is renamed into place or removed).
 */
export function trackTemporaryDirectory(dir: string, out: string): () => void {
  return track(dir, out, true);
}
