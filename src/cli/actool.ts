#!/usr/bin/env node
/** The `actool` entry point: dispatches to a command, and turns any failure into one line and an exit code. */
import { isUsageError, parseGoBool, wantsHelp } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { CliIO } from './io.js';
import { EXIT, processIO } from './io.js';
import { formatError } from './format-error.js';
import { boundGarbage, keepYoungGenerationSmall } from '../aci/garbage.js';
import { beforeNextBundleRuns } from './bundle-loader.js';
import { LONG_BATCH } from './long-batch.js';

/** The global help text, from the command table's summaries (no command module is loaded for it). */
export function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: actool [--help] [--debug] COMMAND [FLAGS] [ARGS]',
    '',
    'Tools for App Container (appc) images, spec v0.8.11.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "actool COMMAND --help" for the flags of a command.',
    'Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error, 3 I/O or network failure.',
    '',
  ].join('\n');
}

/** Runs actool with the given arguments and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const args = [...argv];
  let debug = false;
  // Global flags come before the command, in Go's syntax too: -debug, --debug=false, -help.
  while (args[0]?.startsWith('-') && args[0] !== '-') {
    const flag = args.shift()!;
    if (flag === '--') break;
    const m = /^--?(help|h|debug)(?:=(.*))?$/s.exec(flag);
    const on = m === null ? undefined : m[2] === undefined ? true : parseGoBool(m[2]);
    if (m === null || on === undefined) {
      io.stderr(`actool: ${m === null ? 'unknown flag' : 'invalid boolean value in'} ${JSON.stringify(flag)}\nRun "actool --help" for usage.\n`);
      return EXIT.USAGE;
    }
    if (m[1] === 'debug') debug = on;
    else if (on) {
      io.stdout(globalHelp());
      return EXIT.OK;
    }
  }
  const name = args.shift();
  if (name === undefined) {
    io.stdout(globalHelp());
    return EXIT.OK;
  }
  if (name === 'help') {
    const topic = args[0];
    if (topic === undefined) {
      io.stdout(globalHelp());
      return EXIT.OK;
    }
    const entry = COMMANDS[topic];
    if (entry === undefined) {
      io.stderr(`actool: unknown command ${JSON.stringify(topic)}\n`);
      return EXIT.INVALID;
    }
    io.stdout((await entry.load()).help);
    return EXIT.OK;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    io.stderr(`actool: unknown subcommand: ${JSON.stringify(name)}\nRun "actool --help" for a list of commands.\n`);
    return EXIT.USAGE;
  }
  // A batch keeps V8's young generation at its size from before the command's code runs (loading validate's
  // bundle grew it from 2 to 4 MB; see keepYoungGenerationSmall), but after its code cache was taken.
  const runNow = args.length >= LONG_BATCH ? beforeNextBundleRuns(keepYoungGenerationSmall) : undefined;
  const command = await entry.load();
  runNow?.();
  if (wantsHelp(args)) {
    io.stdout(command.help);
    return EXIT.OK;
  }
  try {
    return await command.run(debug ? ['--debug', ...args] : args, io); // first: after a '--' it would be a file name
  } catch (e) {
    if (isUsageError(e)) {
      io.stderr(`${name}: ${e.message}\nRun "actool ${name} --help" for usage.\n`);
      return EXIT.USAGE;
    }
    io.stderr(`${name}: ${formatError(e)}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
    return EXIT.IO;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /actool(\.[cm]?js)?$/.test(process.argv[1]);
if (invokedDirectly) {
  // If a promise never settles the process would exit 0 silently; assume failure until main says otherwise.
  process.exitCode = EXIT.IO;
  // A CLI process owns its heap: keep the garbage of streaming reads bounded (peak RSS; see aci/garbage.ts).
  boundGarbage();
  main(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`actool: ${formatError(e)}\n`);
      process.exitCode = EXIT.IO;
    },
  );
}
