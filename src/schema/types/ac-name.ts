/** ACName: app, volume, mount point and port names (spec/types.md#ac-name-type; checklist T-NM-1..5). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A string that passed ACName validation. */
export type ACName = string & { readonly [brand]: 'ACName' };

/** Codes reported for ACName values. */
export const AC_NAME_CODES = {
  ACNAME_EMPTY: { severity: 'error', summary: 'An ACName is empty.', spec: 'T-NM-2' },
  ACNAME_INVALID_CHAR: { severity: 'error', summary: 'An ACName holds a character other than a-z, 0-9 and -.', spec: 'T-NM-1 T-NM-2' },
  ACNAME_INVALID_EDGE: { severity: 'error', summary: 'An ACName starts or ends with -.', spec: 'T-NM-2' },
  ACNAME_REPEATED_SEPARATOR: { severity: 'warning', summary: 'An ACName has two - in a row; the spec pattern forbids it, Go accepts it.', spec: 'T-NM-1 T-NM-2 §8.1' },
} as const satisfies CodeTable;

const report = reporter(AC_NAME_CODES);
/** The spec's pattern for an ACName. */
export const AC_NAME_PATTERN: RegExp = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Checks an ACName at `path`; null counts as `""` (checklist G-4). */
export function checkACName(value: unknown, path: string, ctx: CheckContext): ACName | undefined {
  // The spec pattern implies every rule below (non-empty, a-z 0-9 and -, no - at an edge or twice in a row).
  if (isACName(value)) return value;
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'an ACName string', value);
    return undefined;
  }
  if (value === '') {
    report(ctx, 'ACNAME_EMPTY', path, 'ACName cannot be empty');
    return undefined;
  }
  if (!/^[a-z0-9-]*$/.test(value)) {
    report(ctx, 'ACNAME_INVALID_CHAR', path, `${quote(value)} is not a valid ACName: only a-z, 0-9 and - are allowed`, { value });
    return undefined;
  }
  if (value.startsWith('-') || value.endsWith('-')) {
    report(ctx, 'ACNAME_INVALID_EDGE', path, `${quote(value)} is not a valid ACName: it must start and end with a-z or 0-9`, { value });
    return undefined;
  }
  if (value.includes('--')) {
    report(ctx, 'ACNAME_REPEATED_SEPARATOR', path, `${quote(value)} has "--", which the spec pattern forbids`, { value });
  }
  return value as ACName;
}

/** Validates a decoded value as an ACName. */
export function validateACName(value: unknown, options?: SchemaValidateOptions): Result<ACName> {
  return runChecker(checkACName, value, options);
}

/** True when `value` matches the spec's ACName pattern. */
export function isACName(value: unknown): value is ACName {
  return typeof value === 'string' && AC_NAME_PATTERN.test(value);
}

/** Suggests an ACName: lower-case, invalid characters become `-`, leading and trailing `-` are trimmed (T-NM-4). */
export function sanitizeACName(text: string): ACName | undefined {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? undefined : (cleaned as ACName);
}
