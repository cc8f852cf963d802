/**
 * Temporary archive files that must not outlive an interrupted process. While at least one is open, SIGINT
 * and SIGTERM remove them all, print one line naming each unfinished output, and then end the process with
 * the signal as it would have ended without us (unless the application handles that signal itself).
 */
import { unlinkSync } from 'node:fs';

const open = new Map<string, string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const [tmp, out] of open) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone (committed or discarded between the signal and now).
    }
    process.stderr.write(`interrupted by ${signal}: ${out} was not written (its temporary file is removed)\n`);
  }
  open.clear();
  stopListening();
  // Someone else listens too: the application decides what a signal means. Otherwise die of it, so the
  // exit status (128 + signal) tells the parent what happened.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function stopListening(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Registers `tmp`, the unfinished file that will become `out`, for removal on SIGINT/SIGTERM. Returns the
 * function that unregisters it (call it once the file is renamed into place or removed).
 */
export function trackTemporaryFile(tmp: string, out: string): () => void {
  if (open.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  open.set(tmp, out);
  return () => {
    if (open.delete(tmp) && open.size === 0) stopListening();
  };
}
