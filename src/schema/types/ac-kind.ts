/** ACKind: the `acKind` field naming the kind of manifest (spec/types.md#ac-kind-type; checklist T-KD-1..2). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';
import { toResult } from '../../issues/issue.js';

/** The kinds the spec defines; comparison is case-sensitive. */
export type ACKind = 'ImageManifest' | 'PodManifest';

/** Every defined ACKind, in the spec's order. */
export const AC_KINDS: readonly ACKind[] = Object.freeze(['ImageManifest', 'PodManifest'] as const);

/** Codes reported for ACKind values. */
export const AC_KIND_CODES = {
  ACKIND_EMPTY: { severity: 'error', summary: 'The acKind is missing, null or empty.', spec: 'spec/types.md#ac-kind-type T-KD-1' },
  ACKIND_INVALID: { severity: 'error', summary: 'The acKind is neither "ImageManifest" nor "PodManifest" (case-sensitive).', spec: 'spec/types.md#ac-kind-type T-KD-1' },
  MANIFEST_WRONG_KIND: { severity: 'error', summary: 'The acKind is a valid kind, but not the kind of document being validated.', spec: 'T-KD-2' },
} as const satisfies CodeTable;

const report = reporter(AC_KIND_CODES);

/**
 * Checks an ACKind at `path`. Null and a missing value count as `""` (checklist G-4).
 *
 * @param expected when given, a valid kind other than this one is MANIFEST_WRONG_KIND (T-KD-2).
 * @returns the kind when it is a defined kind (even when it is not `expected`), else undefined.
 */
export function checkACKind(value: unknown, path: string, ctx: CheckContext, expected?: ACKind): ACKind | undefined {
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'an ACKind string', value);
    return undefined;
  }
  if (value === '') {
    report(ctx, 'ACKIND_EMPTY', path, `acKind must be set${expected === undefined ? '' : ` to "${expected}"`}`);
    return undefined;
  }
  if (!isACKind(value)) {
    const hint = AC_KINDS.find((k) => k.toLowerCase() === value.toLowerCase());
    report(ctx, 'ACKIND_INVALID', path, `bad acKind ${quote(value)}: expected "ImageManifest" or "PodManifest"${hint === undefined ? '' : ` (case matters: write "${hint}")`}`, { value });
    return undefined;
  }
  if (expected !== undefined && value !== expected) {
    report(ctx, 'MANIFEST_WRONG_KIND', path, `acKind is "${value}", expected "${expected}"`, { value, expected });
  }
  return value;
}

/** Options of validateACKind. */
export interface ValidateACKindOptions extends SchemaValidateOptions {
  /** The kind the document must have. */
  readonly expected?: ACKind;
}

/**
 * Validates a decoded value as an ACKind.
 *
 * @example
 * validateACKind('PodManifest', { expected: 'ImageManifest' }); // fails with MANIFEST_WRONG_KIND
 */
export function validateACKind(value: unknown, options?: ValidateACKindOptions): Result<ACKind> {
  const ctx = createContext(options);
  const kind = checkACKind(value, '', ctx, options?.expected);
  return toResult(kind as ACKind, ctx.issues, options);
}

/** True when `value` is one of the defined kinds. */
export function isACKind(value: unknown): value is ACKind {
  return value === 'ImageManifest' || value === 'PodManifest';
}
