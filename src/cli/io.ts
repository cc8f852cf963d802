/** What a command may touch: output streams, working directory, environment. Injected in tests. */
import { fdWriter, isTerminal, whenStreamBuilt } from './fd-output.js';

/** The I/O a command runs with. */
export interface CliIO {
  /** Writes text to standard output (callers add newlines). */
  readonly stdout: (text: string) => void;
  /**
   * Writes UTF-8 bytes to standard output, done with them when it returns (the caller may reuse them).
   * Optional: without it, callers write the text through `stdout`.
   */
  readonly stdoutBytes?: (bytes: Uint8Array) => void;
  /** Writes text to standard error. */
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal (progress bars). */
  readonly stderrIsTTY: boolean;
  /** True when stdin is a terminal (interactive questions). */
  readonly stdinIsTTY: boolean;
  /** Reads one line from the user; undefined when there is no terminal. */
  readonly prompt?: (question: string) => Promise<string | undefined>;
  /** The fetch to use for network commands. */
  readonly fetch?: typeof globalThis.fetch;
}

/** Exit codes shared by all commands. */
export const EXIT = {
  OK: 0,
  /** Invalid input: a document, archive or signature failed. */
  INVALID: 1,
  /** Usage error: unknown command or flag, wrong argument count. */
  USAGE: 2,
  /** I/O or network failure. */
  IO: 3,
} as const;

/**
 * The real process I/O. Output goes straight to file descriptors 1 and 2 (see fd-output.ts), and the
 * terminal checks run when first asked, so a command that prints a line builds no stream objects.
 */
export function processIO(): CliIO {
  const outputs = { stdout: { closed: false }, stderr: { closed: false } };
  for (const name of ['stdout', 'stderr'] as const) {
    // Whoever builds the stream (a progress bar, a binary signature, a fallback) gets the EPIPE handling too.
    whenStreamBuilt(name, (stream) => {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') outputs[name].closed = true;
        else throw e;
      });
    });
  }
  let stderrIsTTY: boolean | undefined;
  let stdinIsTTY: boolean | undefined;
  const stdout = fdWriter(1, () => process.stdout, outputs.stdout);
  return {
    stdout,
    stdoutBytes: stdout,
    stderr: fdWriter(2, () => process.stderr, outputs.stderr),
    cwd: process.cwd(),
    env: process.env,
    get stderrIsTTY() {
      stderrIsTTY ??= isTerminal(2, () => Boolean(process.stderr.isTTY));
      return stderrIsTTY;
    },
    get stdinIsTTY() {
      stdinIsTTY ??= isTerminal(0, () => Boolean(process.stdin.isTTY));
      return stdinIsTTY;
    },
  };
}

/**
 * Runs `job` with a signal that SIGINT and SIGTERM abort, so an interrupted command can remove what it
 * started (a partial extraction, a temporary file) before it exits. The handlers are removed afterwards.
 */
export async function abortOnInterrupt<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => controller.abort(new Error(`interrupted by ${name}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await job(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
