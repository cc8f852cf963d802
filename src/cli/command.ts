/** The contract of one `actool` command, and the argument-parsing helper they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/** One subcommand: parses its arguments, calls the library, formats, returns the exit code. */
export interface Command {
  readonly name: string;
  /** One line for the global help. */
  readonly summary: string;
  /** The full help text (usage line, flags, exit codes). */
  readonly help: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** Thrown by argument parsing; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** True for a UsageError from any copy of this module (each command is bundled separately, so not `instanceof`). */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof Error && e.name === 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseFlags returns: typed flag values and the positional arguments. */
export interface ParsedFlags<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values'];
  readonly positionals: string[];
}

/** Parses flags strictly with node:util parseArgs; unknown flags become a UsageError. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, allowPositionals = true): ParsedFlags<O> {
  try {
    // Every command takes --debug (the global `actool --debug CMD` passes it on), whether or not it uses it.
    const withDebug = 'debug' in options ? options : { ...options, debug: { type: 'boolean' as const } };
    return parseArgs({ args: [...argv], options: withDebug, allowPositionals, strict: true }) as ParsedFlags<O>;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e));
  }
}

/** True when argv asks for help (`-h` or `--help`). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Prints a one-line error prefixed by the command name and returns the exit code. */
export function fail(io: CliIO, command: string, message: string, code: number = EXIT.INVALID): number {
  io.stderr(`${command}: ${message}\n`);
  return code;
}
