/** The contract of one `actool` command, and the argument-parsing helper they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/** One subcommand: parses its arguments, calls the library, formats, returns the exit code. */
export interface Command {
  readonly name: string;
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

/**
 * Reads a boolean flag value as Go's flag package does (strconv.ParseBool): 1 t T TRUE true True, 0 f F FALSE
 * false False. Undefined for anything else.
 */
export function parseGoBool(text: string): boolean | undefined {
  if (/^(?:1|t|T|TRUE|true|True)$/.test(text)) return true;
  if (/^(?:0|f|F|FALSE|false|False)$/.test(text)) return false;
  return undefined;
}

/**
 * Rewrites Go flag syntax into what node's parseArgs reads, so that scripts written for the Go actool run
 * unchanged: a known long flag may start with one dash (`-debug`, `-type=manifest`), and a boolean flag may
 * carry `=true`/`=false` (any strconv.ParseBool spelling). Returns the rewritten arguments and the value of
 * each boolean flag given (the last occurrence wins, as in Go). Arguments after `--` are left alone.
 */
export function goFlagSyntax(argv: readonly string[], options: Options): { readonly args: string[]; readonly booleans: ReadonlyMap<string, boolean> } {
  const args: string[] = [];
  const booleans = new Map<string, boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const m = /^--?([^-=][^=]*)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (m === null || name === undefined || !Object.hasOwn(options, name)) {
      args.push(arg);
      continue;
    }
    const value = m[2];
    if (options[name]!.type === 'boolean') {
      const on = value === undefined ? true : parseGoBool(value);
      if (on === undefined) throw new UsageError(`invalid boolean value ${JSON.stringify(value)} for flag -${name}: use true or false`);
      booleans.set(name, on);
      if (on) args.push(`--${name}`);
    } else {
      args.push(value === undefined ? `--${name}` : `--${name}=${value}`);
    }
  }
  return { args, booleans };
}

/**
 * Parses flags strictly with node:util parseArgs; unknown flags become a UsageError. Go's flag syntax is
 * accepted too (see goFlagSyntax).
 */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, allowPositionals = true): ParsedFlags<O> {
  // Every command takes --debug (the global `actool --debug CMD` passes it on), whether or not it uses it.
  const withDebug: Options = 'debug' in options ? options : { ...options, debug: { type: 'boolean' as const } };
  const { args, booleans } = goFlagSyntax(argv, withDebug);
  let parsed: ParsedFlags<O>;
  try {
    parsed = allowPositionals ? parseWithPlainPositionalsAside(args, withDebug) : (parseArgs({ args, options: withDebug, allowPositionals, strict: true }) as unknown as ParsedFlags<O>);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e));
  }
  const values = parsed.values as Record<string, unknown>;
  for (const [name, on] of booleans) values[name] = on;
  return parsed;
}

/**
 * True when parseArgs could only read `args[i]` as a positional argument: it does not start with a dash, and
 * the argument before it is no option that could take it as its value (no dash, or an inline `=value`). Only
 * the argument right after an option can be that option's value.
 */
function plainPositional(args: readonly string[], i: number): boolean {
  const arg = args[i]!;
  if (arg.startsWith('-')) return false;
  if (i === 0) return true;
  const before = args[i - 1]!;
  return !before.startsWith('-') || (before.startsWith('--') && before.includes('='));
}

/**
 * parseArgs with the plainly positional arguments (see {@link plainPositional}, up to a `--`) set aside and
 * put back in their places: parseArgs makes a token object for every argument, which for the 10,000 paths of
 * a batch was ~1.3 MB of garbage and tens of milliseconds, and grew V8's young generation before the first
 * input was read (issue #16). The flags and every argument that could be an option's value still go through
 * parseArgs, so the values, the positionals and their order, and every error are parseArgs' own.
 */
function parseWithPlainPositionalsAside<O extends Options>(args: readonly string[], options: Options): ParsedFlags<O> {
  const kept: string[] = [];
  const keptAt: number[] = [];
  const end = args.indexOf('--');
  const last = end < 0 ? args.length : end;
  for (let i = 0; i < args.length; i++) {
    if (i < last && plainPositional(args, i)) continue;
    kept.push(args[i]!);
    keptAt.push(i);
  }
  if (kept.length === args.length) return parseArgs({ args, options, allowPositionals: true, strict: true }) as unknown as ParsedFlags<O>;
  const parsed = parseArgs({ args: kept, options, allowPositionals: true, strict: true, tokens: true });
  const fromParse = new Set<number>();
  for (const token of parsed.tokens) if (token.kind === 'positional') fromParse.add(keptAt[token.index]!);
  // Every argument not kept was set aside as a positional; a kept one is one when parseArgs said so.
  const positionals: string[] = [];
  for (let i = 0, k = 0; i < args.length; i++) {
    if (keptAt[k] !== i) positionals.push(args[i]!);
    else if (fromParse.has(keptAt[k++]!)) positionals.push(args[i]!);
  }
  return { values: parsed.values, positionals } as unknown as ParsedFlags<O>;
}

/** True when argv asks for help (`-h`, `--help` or Go's `-help`, before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  return flags.some((a) => a === '-h' || a === '--help' || a === '-help' || a === '--help=true' || a === '-help=true');
}

/** Prints a one-line error prefixed by the command name and returns the exit code. */
export function fail(io: CliIO, command: string, message: string, code: number = EXIT.INVALID): number {
  io.stderr(`${command}: ${message}\n`);
  return code;
}
