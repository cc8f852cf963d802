/** Golden files beside fixtures: `x.json` has `x.expected.json`; `UPDATE_GOLDEN=1 npm test` rewrites them. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Compares `actual` with the JSON golden file at `path` (or writes it when UPDATE_GOLDEN=1). */
export function assertGolden(path: string, actual: unknown): void {
  const text = JSON.stringify(actual, null, 2) + '\n';
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, text);
    return;
  }
  assert.ok(existsSync(path), `missing golden file ${path} (run UPDATE_GOLDEN=1 npm test)`);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}
