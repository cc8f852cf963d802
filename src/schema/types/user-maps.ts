/** userAnnotations and userLabels: free string maps for end users that never change runtime behaviour (spec/aci.md, spec/pods.md; checklist T-AP-5). */
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { runChecker } from '../internal/check.js';
import { checkStringMap } from '../internal/json-types.js';

/** An app's or pod's userAnnotations: any key, string values. */
export type UserAnnotations = Readonly<Record<string, string>>;

/** An app's userLabels: any key, string values. */
export type UserLabels = Readonly<Record<string, string>>;

/**
 * Checks userAnnotations at `path`: a JSON object whose values are all strings (a non-string
 * value is JSON_WRONG_TYPE at its own path). Null or a missing value gives undefined, no issue.
 */
export function checkUserAnnotations(value: unknown, path: string, ctx: CheckContext): UserAnnotations | undefined {
  return checkStringMap(value, path, ctx);
}

/** Checks userLabels at `path`; the same rules as checkUserAnnotations. */
export function checkUserLabels(value: unknown, path: string, ctx: CheckContext): UserLabels | undefined {
  return checkStringMap(value, path, ctx);
}

/** Validates decoded userAnnotations. */
export function validateUserAnnotations(value: unknown, options?: SchemaValidateOptions): Result<UserAnnotations | undefined> {
  return runChecker(checkUserAnnotations, value, options);
}

/** Validates decoded userLabels. */
export function validateUserLabels(value: unknown, options?: SchemaValidateOptions): Result<UserLabels | undefined> {
  return runChecker(checkUserLabels, value, options);
}
