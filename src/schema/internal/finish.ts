/** Turns a checked value and its issues into a Result, with Go's lastditch value as `partial` on failure. */
import type { Issue, Result } from '../../issues/issue.js';
import { failure, hasErrors, promoteWarnings, success } from '../../issues/issue.js';
import type { SchemaValidateOptions } from './check.js';

/** Builds the result: failed when any issue is an error (after `strict`), with a best-effort partial value. */
export function finish<T>(typed: T | undefined, issues: readonly Issue[], raw: unknown, options: SchemaValidateOptions | undefined, lastDitch: (v: unknown) => unknown): Result<T> {
  const final = options?.strict ? promoteWarnings(issues) : issues;
  if (typed === undefined || hasErrors(final)) return failure(final, raw === undefined ? undefined : lastDitch(raw));
  return success(typed, final);
}
