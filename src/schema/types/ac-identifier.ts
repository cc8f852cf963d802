/** ACIdentifier: image names, label and annotation names, isolator names (spec/types.md#ac-identifier-type; checklist T-ID-1..7). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A string that passed ACIdentifier validation. */
export type ACIdentifier = string & { readonly [brand]: 'ACIdentifier' };

/** Codes reported for ACIdentifier values. */
export const AC_IDENTIFIER_CODES = {
  ACIDENTIFIER_EMPTY: { severity: 'error', summary: 'An ACIdentifier is empty.', spec: 'T-ID-2' },
  ACIDENTIFIER_INVALID_CHAR: { severity: 'error', summary: 'An ACIdentifier holds a character other than a-z, 0-9 and the separators - . _ ~ /.', spec: 'T-ID-1 T-ID-3' },
  ACIDENTIFIER_INVALID_EDGE: { severity: 'error', summary: 'An ACIdentifier starts or ends with a separator.', spec: 'T-ID-2' },
  ACIDENTIFIER_REPEATED_SEPARATOR: { severity: 'warning', summary: 'An ACIdentifier has two separators in a row; the spec pattern forbids it, Go accepts it.', spec: 'T-ID-1 T-ID-2 §8.1' },
} as const satisfies CodeTable;

const report = reporter(AC_IDENTIFIER_CODES);
const VALID_CHARS = /^[a-z0-9\-._~/]*$/;
const SEPARATOR = /[-._~/]/;
// `/~` is allowed although the spec regex forbids it: the spec's own example `example.com/~user/app_v1` uses it.
const REPEATED = /(?!\/~)[-._~/]{2}/;
/**
 * The spec's pattern for an ACIdentifier, widened by `/~` which the spec's own examples use
 * (`example.com/~user/app_v1`); see docs/compatibility.md.
 */
export const AC_IDENTIFIER_PATTERN: RegExp = /^[a-z0-9]+(?:(?:[-._~/]|\/~)[a-z0-9]+)*$/;

/** Checks an ACIdentifier at `path`; null counts as `""` (checklist G-4). */
export function checkACIdentifier(value: unknown, path: string, ctx: CheckContext): ACIdentifier | undefined {
  // One pattern instead of the four tests below, for the values that pass them all.
  if (isACIdentifier(value)) return value;
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'an ACIdentifier string', value);
    return undefined;
  }
  if (value === '') {
    report(ctx, 'ACIDENTIFIER_EMPTY', path, 'ACIdentifier cannot be empty');
    return undefined;
  }
  if (!VALID_CHARS.test(value)) {
    report(ctx, 'ACIDENTIFIER_INVALID_CHAR', path, `${quote(value)} is not a valid ACIdentifier: only a-z, 0-9 and - . _ ~ / are allowed`, { value });
    return undefined;
  }
  if (SEPARATOR.test(value[0]!) || SEPARATOR.test(value[value.length - 1]!)) {
    report(ctx, 'ACIDENTIFIER_INVALID_EDGE', path, `${quote(value)} is not a valid ACIdentifier: it must start and end with a-z or 0-9`, { value });
    return undefined;
  }
  if (REPEATED.test(value)) {
    report(ctx, 'ACIDENTIFIER_REPEATED_SEPARATOR', path, `${quote(value)} has two separators in a row, which the spec pattern forbids`, { value });
  }
  return value as ACIdentifier;
}

/** Validates a decoded value as an ACIdentifier. */
export function validateACIdentifier(value: unknown, options?: SchemaValidateOptions): Result<ACIdentifier> {
  return runChecker(checkACIdentifier, value, options);
}

/**
 * True when `value` is an ACIdentifier by the spec pattern (no Go leniency). The pattern implies every rule
 * checkACIdentifier checks (only a-z 0-9 and separators, alphanumeric edges, no two separators in a row but
 * `/~`), so the checker reports nothing for such a value and a caller may skip building its pointer.
 */
export function isACIdentifier(value: unknown): value is ACIdentifier {
  return typeof value === 'string' && AC_IDENTIFIER_PATTERN.test(value);
}

/**
 * Suggests an ACIdentifier for arbitrary text: lower-cases it, turns each invalid character into `_`
 * and strips leading and trailing separators (T-ID-6). Returns undefined when nothing is left.
 */
export function sanitizeACIdentifier(text: string): ACIdentifier | undefined {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9\-._~/]/g, '_')
    .replace(/^[-._~/]+|[-._~/]+$/g, '')
    // Go keeps runs of separators; a suggestion should pass the spec pattern, so keep only the first (or `/~`).
    .replace(/[-._~/]{2,}/g, (run) => (run.startsWith('/~') ? '/~' : run[0]!));
  return cleaned === '' ? undefined : (cleaned as ACIdentifier);
}

/** Compares two identifiers ignoring case (T-ID-5). */
export function equalACIdentifiers(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
