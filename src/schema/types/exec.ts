/** Exec: the command line of an app or event handler (spec/aci.md#image-manifest-schema; checklist T-EX-1..2). */
import type { Result } from '../../issues/issue.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { runChecker } from '../internal/check.js';
import { checkArray, checkString } from '../internal/json-types.js';
import { mapList } from '../internal/map-list.js';

/**
 * A command and its arguments. No other rule applies (T-EX-1): relative paths, an empty list and
 * `""` arguments are all fine; the executor looks a command without `/` up in PATH (T-EX-2).
 */
export type Exec = readonly string[];

/**
 * Checks an exec list at `path`: a JSON array of strings, or null. A null element is `""` (G-4);
 * any other non-string element is JSON_WRONG_TYPE at its own path, and a non-list is
 * JSON_WRONG_TYPE at `path` (G-5: `"exec": "/a"` is an error).
 *
 * @returns the list; null for null or a missing value; undefined when the value is not a list.
 */
export function checkExec(value: unknown, path: string, ctx: CheckContext): Exec | null | undefined {
  if (value === null || value === undefined) return null;
  const list = checkArray(value, path, ctx);
  if (list === undefined) return undefined;
  return mapList(list, (v, i) => checkString(v, childPointer(path, i), ctx, '') ?? '');
}

/** Validates a decoded exec value (a list of strings, or null). */
export function validateExec(value: unknown, options?: SchemaValidateOptions): Result<Exec | null> {
  return runChecker(checkExec, value, options);
}

/** True when `value` is a list of strings. */
export function isExec(value: unknown): value is Exec {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
