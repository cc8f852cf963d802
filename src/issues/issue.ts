/** The issue/result model shared by every validator (see docs/design.md, "Issues and results"). */
import { extend } from '../internal/extend.js';

/** How bad an issue is: `error` breaks a MUST (or Go rejects it); `warning` breaks a SHOULD or a MUST that Go lets through. */
export type Severity = 'error' | 'warning';

/** One finding about a document or archive. Code and path are stable; the message is for people. */
export interface Issue {
  /** Stable UPPER_SNAKE code with an area prefix, listed in docs/errors.md. */
  readonly code: string;
  readonly severity: Severity;
  /** RFC 6901 JSON pointer into the document; `''` is the whole document. */
  readonly path: string;
  /** Human-readable explanation: what was found and what was expected. */
  readonly message: string;
  /** 1-based line in the source text, when the document came from text. */
  readonly line?: number;
  /** 1-based column (in UTF-16 code units) in the source text. */
  readonly column?: number;
  /** The archive member the issue concerns, such as `manifest` or `rootfs/etc/hosts`. */
  readonly entry?: string;
  /** Byte offset in the uncompressed archive, for archive issues. */
  readonly offset?: number;
  /** Machine-readable details (the offending value, the limit, ...). */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

/** The outcome of a validation: a typed value plus warnings, or the issues that make it invalid. */
export type Result<T> = { readonly ok: true; readonly value: T; readonly warnings: readonly Issue[] } | { readonly ok: false; readonly issues: readonly Issue[]; readonly partial?: unknown };

/** Options every validator accepts. */
export interface ValidateOptions {
  /** Promote every warning to an error (`actool validate --strict`). */
  readonly strict?: boolean;
}

/** Builds a successful result. */
export function success<T>(value: T, warnings: readonly Issue[] = []): Result<T> {
  return { ok: true, value, warnings };
}

/** Builds a failed result. */
export function failure<T>(issues: readonly Issue[], partial?: unknown): Result<T> {
  return partial === undefined ? { ok: false, issues } : { ok: false, issues, partial };
}

/** Returns all issues of a result (errors and warnings). */
export function issuesOf(result: Result<unknown>): readonly Issue[] {
  return result.ok ? result.warnings : result.issues;
}

/** True when the list holds at least one error. */
export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Returns the issues with every warning promoted to an error (the `strict` option). */
export function promoteWarnings(issues: readonly Issue[]): Issue[] {
  return issues.map((i) => (i.severity === 'warning' ? extend(i, { severity: 'error' as const }) : i));
}

/**
 * Turns collected issues and a value into a result: failed when any issue is an error
 * (after promoting warnings if `strict`).
 */
export function toResult<T>(value: T, issues: readonly Issue[], options?: ValidateOptions): Result<T> {
  const final = options?.strict ? promoteWarnings(issues) : issues;
  return hasErrors(final) ? failure(final, value) : success(value, final);
}

/**
 * The result of a check that stopped before it had a value: failed with the collected issues (warnings
 * promoted if `strict`), as {@link toResult} gives for an undefined value. The issues must hold an error (the
 * callers report one first); without one the check would have a value to return.
 */
export function issuesOnly<T>(issues: readonly Issue[], options?: ValidateOptions): Result<T> {
  return failure(options?.strict ? promoteWarnings(issues) : issues);
}
