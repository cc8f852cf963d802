/** Turning SIGINT and SIGTERM into an AbortSignal, so a command can stop its work and remove partial files. */

/** An abort signal raised by SIGINT or SIGTERM while a command runs. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal that stopped the command, if any. */
  readonly received: () => NodeJS.Signals | undefined;
  /** The conventional exit code of a command stopped by a signal: 128 + its number (130, 143). */
  readonly exitCode: () => number;
  /** Removes the handlers (a second signal then ends the process as usual). */
  dispose(): void;
}

const NUMBERS: Readonly<Partial<Record<NodeJS.Signals, number>>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Catches SIGINT and SIGTERM: the first one aborts the returned signal (the command cleans up and returns);
 * a second one while cleaning up is left to Node's default (the process ends).
 */
export function catchInterrupts(): Interrupt {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    if (got !== undefined) {
      dispose();
      process.kill(process.pid, sig);
      return;
    }
    got = sig;
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  const dispose = (): void => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => got,
    exitCode: () => 128 + (got === undefined ? 0 : (NUMBERS[got] ?? 0)),
    dispose,
  };
}
