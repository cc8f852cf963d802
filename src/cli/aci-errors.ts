/** Exit codes and messages for the archive commands: damaged or invalid archives exit 1, I/O failures 3. */
import { isAppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { formatError } from './format-error.js';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/** Prints a failure of an archive command and returns its exit code. */
export function reportFailure(io: CliIO, command: string, e: unknown): number {
  io.stderr(`${command}: ${formatError(e)}\n`);
  // AppcErrors describe the input (damaged archive, unsafe entry, bad name), except a failed write; anything else is I/O.
  return isAppcError(e) && e.code !== 'ACI_WRITE_FAILED' ? EXIT.INVALID : EXIT.IO;
}

/** One line per issue: `FILE(ENTRY): severity CODE /path: message`. */
export function formatIssueLine(file: string, i: Issue): string {
  const entry = i.entry !== undefined ? `(${i.entry})` : '';
  const at = i.offset !== undefined ? ` @${i.offset}` : '';
  return `${file}${entry}${at}: ${i.severity} ${i.code} ${i.path || '/'}: ${i.message.replace(/[\r\n]+/g, ' ')}\n`;
}
