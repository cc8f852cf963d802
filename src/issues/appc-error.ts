/** Thrown errors: I/O, transport, truncated streams and API misuse. Invalid documents are never thrown. */
import type { Issue } from './issue.js';

/** Extra context for an AppcError. */
export interface AppcErrorOptions {
  readonly cause?: unknown;
  /** Archive member involved. */
  readonly entry?: string;
  /** URL involved, for network failures. */
  readonly url?: string;
  /** File path involved. */
  readonly file?: string;
  /** Byte offset in the (uncompressed) stream. */
  readonly offset?: number;
}

/** An operational failure with a stable code; callers match on `code`, not on the class. */
export class AppcError extends Error {
  override name = 'AppcError';
  readonly code: string;
  readonly entry?: string;
  readonly url?: string;
  readonly file?: string;
  readonly offset?: number;

  constructor(code: string, message: string, options: AppcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.entry !== undefined) this.entry = options.entry;
    if (options.url !== undefined) this.url = options.url;
    if (options.file !== undefined) this.file = options.file;
    if (options.offset !== undefined) this.offset = options.offset;
  }
}

/** Thrown only by `assert*` functions: carries the issues of the failed validation. */
export class AppcValidationError extends AppcError {
  override name = 'AppcValidationError';
  readonly issues: readonly Issue[];

  constructor(message: string, issues: readonly Issue[]) {
    super('VALIDATION_FAILED', message);
    this.issues = issues;
  }
}

/** True when `e` looks like an AppcError (checks shape, so it works across two installed copies). */
export function isAppcError(e: unknown): e is AppcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string' &&
    ((e as { name?: unknown }).name === 'AppcError' || (e as { name?: unknown }).name === 'AppcValidationError')
  );
}
