/** Assertions on results and issue lists shared by the table-driven tests. */
import assert from 'node:assert/strict';
import type { Issue, Result } from '../../src/issues/issue.js';

/** The codes of a result's issues (errors and warnings), in order. */
export function codesOf(result: Result<unknown>): string[] {
  return (result.ok ? result.warnings : result.issues).map((i) => i.code);
}

/** Asserts that a result failed and reported `code` (at `path` when given). */
export function assertIssue(result: Result<unknown>, code: string, path?: string): Issue {
  const issues = result.ok ? result.warnings : result.issues;
  const found = issues.find((i) => i.code === code && (path === undefined || i.path === path));
  assert.ok(found, `expected ${code}${path === undefined ? '' : ' at ' + path}, got ${JSON.stringify(issues.map((i) => [i.code, i.path]))}`);
  return found;
}
