/** The app's environment: a `{name, value}` list of variables (spec/aci.md#image-manifest-schema; checklist T-EV-1..3). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { checkString, reportWrongType } from '../internal/json-types.js';
import { readObjectList } from '../internal/object-list.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_VALUE = ['name', 'value'] as const;

/** One environment variable. Values are arbitrary and never expanded (T-EV-2). */
export interface EnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** An app's environment, in document order. */
export type Environment = readonly EnvironmentVariable[];

/** Codes reported for environments. */
export const ENVIRONMENT_CODES = {
  ENV_NAME_EMPTY: { severity: 'error', summary: 'An environment variable has an empty or missing name.', spec: 'T-EV-1' },
  ENV_NAME_INVALID: { severity: 'error', summary: 'An environment variable name does not match ^[A-Za-z_][A-Za-z_0-9.-]*$.', spec: 'T-EV-1' },
  ENV_DUPLICATE_NAME: { severity: 'error', summary: 'Two environment variables have the same name (case-sensitive).', spec: 'spec/aci.md#image-manifest-schema T-EV-2' },
} as const satisfies CodeTable;

const report = reporter(ENVIRONMENT_CODES);
/** The name pattern of the Go reference. */
export const ENV_NAME_PATTERN: RegExp = /^[A-Za-z_][A-Za-z_0-9.-]*$/;

/**
 * Checks a JSON list of environment variables at `path` (T-EV-1..2): each item an object with a
 * `name` matching ENV_NAME_PATTERN and a string `value` (null or missing is `""`); names unique,
 * compared case-sensitively.
 *
 * @returns the variables (null or a missing list gives `[]`, T-EV-3), or undefined when the value is not a list.
 */
export function checkEnvironment(value: unknown, path: string, ctx: CheckContext): Environment | undefined {
  const items = readObjectList(value, path, ctx, KEYS_NAME_VALUE, KEYS_NAME_VALUE);
  if (items === undefined) return undefined;
  const out: EnvironmentVariable[] = [];
  const first = new Map<string, string>();
  for (const item of items) {
    const namePath = item.at('name');
    let name = item.fields.name;
    if (name === null || name === undefined) name = '';
    if (typeof name !== 'string') {
      reportWrongType(ctx, namePath, 'a string', name);
    } else if (name === '') {
      report(ctx, 'ENV_NAME_EMPTY', namePath, 'environment variable name must not be empty');
    } else if (!ENV_NAME_PATTERN.test(name)) {
      report(ctx, 'ENV_NAME_INVALID', namePath, `environment variable name ${quote(name)} is not valid: it must start with a letter or _ and hold only letters, digits, _ . and -`, { name });
    }
    const text = checkString(item.fields.value, item.at('value'), ctx, '');
    if (typeof name === 'string') {
      const before = first.get(name);
      if (before !== undefined) report(ctx, 'ENV_DUPLICATE_NAME', namePath, `duplicate environment variable ${quote(name)} (first at ${before})`, { name, first: before });
      else first.set(name, item.path);
    }
    out.push({ name: typeof name === 'string' ? name : '', value: text ?? '' });
  }
  return out;
}

/** Validates a decoded JSON list of environment variables. */
export function validateEnvironment(value: unknown, options?: SchemaValidateOptions): Result<Environment> {
  return runChecker(checkEnvironment, value, options);
}

/** The value of the variable named exactly `name`, or undefined. */
export function getEnvironmentVariable(env: Environment, name: string): string | undefined {
  return env.find((e) => e.name === name)?.value;
}

/** Returns a new list with `name` set to `value`: the first exact match is replaced in place, else the variable is appended. */
export function setEnvironmentVariable(env: Environment, name: string, value: string): EnvironmentVariable[] {
  const out = [...env];
  const i = out.findIndex((e) => e.name === name);
  if (i >= 0) out[i] = { name, value };
  else out.push({ name, value });
  return out;
}
