/** UUIDs as the Go reference reads them: 32 hex digits with any `-` anywhere (checklist T-UU-1..3; used by the executor, not by manifests). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A UUID in canonical form: lower-case 8-4-4-4-12 hex digits. */
export type UUID = string & { readonly [brand]: 'UUID' };

/** Codes reported for UUIDs. */
export const UUID_CODES = {
  UUID_INVALID: { severity: 'error', summary: 'A UUID does not hold exactly 32 hex digits once every "-" is removed (Go panics on this in JSON).', spec: 'T-UU-1 T-UU-2 §8.20' },
  UUID_EMPTY: { severity: 'error', summary: 'A UUID is all zeros, which Go reads as unset.', spec: 'T-UU-2' },
} as const satisfies CodeTable;

const report = reporter(UUID_CODES);
const HEX32 = /^[0-9a-fA-F]{32}$/;
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Parses a UUID like Go's NewUUID (T-UU-1): every `-` is removed wherever it is, then exactly 32
 * hex digits (either case) must remain. No version or variant checks; all-zero parses.
 *
 * @returns the 16 bytes, or undefined when the text is not a UUID.
 */
export function parseUUID(text: string): Uint8Array | undefined {
  const hex = text.replaceAll('-', '');
  if (!HEX32.test(hex)) return undefined;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Prints 16 bytes as a lower-case 8-4-4-4-12 UUID (T-UU-2).
 *
 * @returns undefined when `bytes` is not 16 bytes long.
 */
export function formatUUID(bytes: Uint8Array): UUID | undefined {
  if (bytes.length !== 16) return undefined;
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as UUID;
}

/**
 * Checks a UUID at `path` as Go reads one from JSON (T-UU-2): it must parse, and all-zero is
 * rejected. Null and a missing value count as `""`, which is invalid.
 *
 * @returns the canonical (lower-case 8-4-4-4-12) form.
 */
export function checkUUID(value: unknown, path: string, ctx: CheckContext): UUID | undefined {
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'a UUID string', value);
    return undefined;
  }
  const bytes = parseUUID(value);
  if (bytes === undefined) {
    report(ctx, 'UUID_INVALID', path, `bad UUID ${quote(value)}: expected 32 hex digits such as "6733c088-a507-4694-aabf-edbe4fc5266f"`, { value });
    return undefined;
  }
  if (bytes.every((b) => b === 0)) {
    report(ctx, 'UUID_EMPTY', path, `UUID ${quote(value)} is all zeros, which means unset`, { value });
    return undefined;
  }
  return formatUUID(bytes);
}

/** Validates a decoded value as a UUID; the value of a successful result is the canonical form. */
export function validateUUID(value: unknown, options?: SchemaValidateOptions): Result<UUID> {
  return runChecker(checkUUID, value, options);
}

/** True when `value` is a UUID in canonical form (lower-case 8-4-4-4-12), not all zeros. */
export function isUUID(value: unknown): value is UUID {
  return typeof value === 'string' && CANONICAL.test(value) && /[1-9a-f]/.test(value);
}
