/** Table-driven checks shared by the type tests: compare a result's issues with `[code, path]` rows from a fixture. */
import assert from 'node:assert/strict';
import type { Issue, Result } from '../../src/issues/issue.js';

/** One expected issue as written in fixtures: `[code, path]`. */
export type IssueRow = readonly [code: string, path: string];

/** One row of a fixture table: an input and every issue it must give (none for a clean value). */
export interface CheckCase<I = unknown> {
  /** Checklist rule IDs the row pins, used in the test name. */
  readonly rule: string;
  readonly input: I;
  readonly issues: readonly IssueRow[];
  /** Why the row exists (Go test, probe, spec example ...). */
  readonly note?: string;
}

function rows(issues: readonly Issue[]): string[] {
  return issues.map((i) => `${i.code} ${i.path}`).sort();
}

/**
 * Asserts that `result` reports exactly `expected` (order ignored) and that `ok` matches:
 * a result is ok exactly when no expected issue is an error.
 */
export function assertIssues(result: Result<unknown>, expected: readonly IssueRow[]): void {
  const got = result.ok ? result.warnings : result.issues;
  assert.deepEqual(rows(got), expected.map(([c, p]) => `${c} ${p}`).sort());
  assert.equal(result.ok, !got.some((i) => i.severity === 'error'));
  for (const i of got) {
    assert.equal(typeof i.message, 'string');
    assert.ok(i.message.length > 0);
  }
}

/** A short printable form of a fixture input for test names. */
export function show(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input) ?? String(input);
  } catch {
    text = String(input);
  }
  return text.length > 70 ? text.slice(0, 69) + '…' : text;
}
