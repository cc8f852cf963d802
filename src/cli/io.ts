/** What a command may touch: output streams, working directory, environment. Injected in tests. */

/** The I/O a command runs with. */
export interface CliIO {
  /** Writes text to standard output (callers add newlines). */
  readonly stdout: (text: string) => void;
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

/** The real process I/O. */
export function processIO(): CliIO {
  return {
    stdout: quietOnClosedPipe(process.stdout),
    stderr: quietOnClosedPipe(process.stderr),
    cwd: process.cwd(),
    env: process.env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
  };
}

/**
 * A writer to a process stream that goes quiet once the reader has gone (`actool validate ... | head -1`):
 * EPIPE ends the output, not the command, which finishes with its usual exit code and no stack trace.
 * Other stream errors still surface.
 */
export function quietOnClosedPipe(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else throw e;
  });
  return (text) => {
    if (!closed) stream.write(text);
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
