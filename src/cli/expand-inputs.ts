/** Expands glob patterns among command-line inputs; plain paths (even missing ones) pass through in order. */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Returns the inputs with each quoted glob pattern replaced by its matches (sorted). A pattern that
 * matches nothing is kept as it is, so the user is told that the path does not exist.
 */
export async function expandInputs(inputs: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const full = isAbsolute(input) ? input : resolve(cwd, input);
    if (!GLOB_CHARS.test(input) || existsSync(full)) {
      out.push(input);
      continue;
    }
    const { default: fg } = await import('fast-glob');
    const matches = await fg(input, { cwd, dot: false, onlyFiles: false, followSymbolicLinks: false });
    if (matches.length === 0) out.push(input);
    else out.push(...matches.sort());
  }
  return out;
}
