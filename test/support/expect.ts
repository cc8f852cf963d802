/** Table-row assertions shared by the type tests: an expected outcome and its exact [code, path] issue list. */
import assert from 'node:assert/strict';
import type { Result } from '../../src/issues/issue.js';

/** What a fixture row expects: whether the result is ok, and every issue as [code, path], in order. */
export interface ExpectedIssues {
  readonly ok: boolean;
  readonly issues: readonly (readonly [string, string])[];
}

/** Asserts that a result has exactly the expected outcome and issues. */
export function expectIssues(result: Result<unknown>, want: ExpectedIssues): void {
  const got = (result.ok ? result.warnings : result.issues).map((i) => [i.code, i.path]);
  assert.deepEqual(got, want.issues);
  assert.equal(result.ok, want.ok);
}
