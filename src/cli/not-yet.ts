/** A placeholder for commands whose library module has not landed yet. */
import type { Command } from './command.js';
import { EXIT } from './io.js';

/** Makes a command that explains it is not available yet and exits 1. */
export function notYet(name: string, summary: string): Command {
  return {
    name,
    summary,
    help: `Usage: actool ${name}\n\n${summary}.\nThis command is not supported yet.\n`,
    async run(_argv, io) {
      io.stderr(`${name}: not supported yet\n`);
      return EXIT.INVALID;
    },
  };
}
