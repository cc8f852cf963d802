/** Paths of the repository for tests: found from this file, wherever tsc put it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the tests');
    dir = up;
  }
  return dir;
}

/** The repository root. */
export const repoRoot: string = findRoot();

/** Absolute path of a file under fixtures/. */
export function fixturePath(...parts: string[]): string {
  return join(repoRoot, 'fixtures', ...parts);
}

/** Reads and parses a JSON fixture. */
export function readJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** Path of the built (bundled) actool, the file users run. */
export const actoolPath: string = join(repoRoot, 'dist', 'bundle', 'actool.cjs');
