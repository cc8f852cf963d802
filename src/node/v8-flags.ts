/**
 * V8 flags that a program sets at run time, kept for the whole process. A starting worker thread resets V8's
 * flags to the command line's (measured on Node 20: the young generation of the main thread grew to 32 MB
 * again once a worker thread ran), so every flag set here is set again once a worker is online.
 */
import { createRequire } from 'node:module';

// node:v8 loads only when a flag is first set: it pulls in modules a cold `actool validate one.json` never needs.
const require = createRequire(import.meta.url);

/**
 * The flags set so far, on globalThis under a registered symbol: the CLI bundles each command separately, so
 * the code that sets a flag and the code that starts a worker may hold different copies of this module.
 */
const KEY = Symbol.for('appc.v8Flags');
const flags: string[] = ((globalThis as { [KEY]?: string[] })[KEY] ??= []);

/**
 * Sets V8 flags (`--name=value`) for this process from now on, and remembers them for {@link restoreV8Flags}.
 * For programs, not libraries. Throws when node:v8 refuses one.
 */
export function setV8Flags(...list: readonly string[]): void {
  const v8 = require('node:v8') as typeof import('node:v8');
  for (const flag of list) {
    v8.setFlagsFromString(flag);
    if (!flags.includes(flag)) flags.push(flag);
  }
}

/** Sets every flag of {@link setV8Flags} again, for a thread that learns of a worker's start without turning its event loop. */
export function restoreV8Flags(): void {
  if (flags.length > 0) setV8Flags(...flags);
}

/** Call for every worker thread started: the flags set so far are set again once it is online. */
export function keepV8FlagsAcross(worker: { once(event: 'online', listener: () => void): unknown }): void {
  if (flags.length > 0) worker.once('online', restoreV8Flags);
}
