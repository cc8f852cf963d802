/** Flags of the commands that download (fetch, discover, trust): sizes, time-outs and `--auth-config`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AuthConfig } from '../discovery/auth.js';
import { parseAuthConfig } from '../discovery/auth.js';
import { UsageError } from './command.js';
import { formatError } from './format-error.js';
import { formatIssues } from './format-issues.js';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
};

/** Parses a size such as `8GiB`, `500MB`, `64k` or `1048576` (bytes); K, M, G, T alone are binary units. */
export function parseSize(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  const bytes = m === null || unit === undefined ? NaN : Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`${flag} must be a positive size such as 8GiB, 500MB, 64KiB or a number of bytes (got ${JSON.stringify(text)})`);
  }
  return bytes;
}

/** Parses a positive number of seconds into milliseconds. */
export function parseSeconds(flag: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds (got ${JSON.stringify(text)})`);
  return Math.max(1, Math.round(n * 1000));
}

/**
 * Reads `--auth-config=FILE` (credentials per host, docs/discovery.md#authentication). Returns the config,
 * or the exit code after printing why it cannot be used (3 unreadable, 1 invalid).
 */
export async function readAuthConfigFlag(command: string, file: string | undefined, io: CliIO): Promise<{ auth: AuthConfig | undefined } | { exit: number }> {
  if (file === undefined) return { auth: undefined };
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    io.stderr(`${command}: cannot read --auth-config: ${formatError(e, file)}\n`);
    return { exit: EXIT.IO };
  }
  const parsed = parseAuthConfig(text);
  if (!parsed.ok) {
    io.stderr(formatIssues(`${command}: ${file}`, parsed.issues));
    return { exit: EXIT.INVALID };
  }
  return { auth: parsed.value };
}
