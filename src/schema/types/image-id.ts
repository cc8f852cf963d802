/** Image ID: `sha512-` plus the hex digest of an image's uncompressed tar (spec/types.md#image-id-type; checklist T-HS-1..6). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { AppcError } from '../../issues/appc-error.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A string that passed Image ID validation (the Go-lenient form: `sha512-` and a non-empty value). */
export type ImageID = string & { readonly [brand]: 'ImageID' };

/** Codes reported for Image IDs. */
export const IMAGE_ID_CODES = {
  IMAGEID_BAD_FORMAT: { severity: 'error', summary: 'An image ID does not split into exactly two parts at "-" (empty strings and extra "-" included).', spec: 'spec/types.md#image-id-type T-HS-1' },
  IMAGEID_EMPTY_TYPE: { severity: 'error', summary: 'An image ID has nothing before the "-".', spec: 'T-HS-2' },
  IMAGEID_BAD_TYPE: { severity: 'error', summary: 'An image ID\'s hash type is not "sha512" (case-sensitive).', spec: 'spec/types.md#image-id-type T-HS-2' },
  IMAGEID_EMPTY_VALUE: { severity: 'error', summary: 'An image ID has nothing after the "-".', spec: 'T-HS-2' },
  IMAGEID_NOT_HEX: { severity: 'warning', summary: "An image ID's value is not 128 lower-case hex digits; Go accepts any value.", spec: 'spec/types.md#image-id-type T-HS-3 §8.3' },
  IMAGEID_BAD_DIGEST: { severity: 'error', summary: 'imageIdFromDigest was given something other than a 64-byte digest or 128 hex digits (thrown).', spec: 'T-HS-5' },
} as const satisfies CodeTable;

const report = reporter(IMAGE_ID_CODES);
/** The strict form of an Image ID: `sha512-` and 128 lower-case hex digits. */
export const IMAGE_ID_PATTERN: RegExp = /^sha512-[0-9a-f]{128}$/;
const HEX128 = /^[0-9a-f]{128}$/;
/** Length of a short image ID: `sha512-` plus 32 hex digits (T-HS-6). */
const SHORT_LENGTH = 39;

/**
 * Checks an Image ID at `path` like Go (T-HS-1..3): split on every `-` into exactly two parts,
 * type `sha512`, non-empty value. Null and a missing value count as `""`. A value that is not
 * 128 lower-case hex digits is a warning (Go accepts `sha512-...`).
 */
export function checkImageID(value: unknown, path: string, ctx: CheckContext): ImageID | undefined {
  // The strict form passes every rule below (one "-", type sha512, 128 hex digits): no split, no copies.
  if (isImageID(value)) return value;
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'an image ID string', value);
    return undefined;
  }
  const parts = value.split('-');
  if (parts.length !== 2) {
    report(ctx, 'IMAGEID_BAD_FORMAT', path, `bad image ID ${quote(value)}: expected "sha512-" followed by 128 hex digits, with exactly one "-"`, { value });
    return undefined;
  }
  const [type, digest] = parts as [string, string];
  let ok = true;
  if (type === '') {
    report(ctx, 'IMAGEID_EMPTY_TYPE', path, `image ID ${quote(value)} has no hash type; expected "sha512-..."`, { value });
    ok = false;
  } else if (type !== 'sha512') {
    report(ctx, 'IMAGEID_BAD_TYPE', path, `image ID ${quote(value)} has hash type ${quote(type)}; only "sha512" is allowed`, { value, type });
    ok = false;
  }
  if (digest === '') {
    report(ctx, 'IMAGEID_EMPTY_VALUE', path, `image ID ${quote(value)} has no hash value after "-"`, { value });
    ok = false;
  }
  if (!ok) return undefined;
  if (!HEX128.test(digest)) {
    report(
      ctx,
      'IMAGEID_NOT_HEX',
      path,
      `image ID ${quote(value)}: the value should be 128 lower-case hex digits (a sha512 digest), found ${digest.length} characters${/[A-F]/.test(digest) ? ' with upper-case letters' : ''}`,
      { value },
    );
  }
  return value as ImageID;
}

/** Validates a decoded value as an Image ID (Go-lenient, with warnings for a non-hex value). */
export function validateImageID(value: unknown, options?: SchemaValidateOptions): Result<ImageID> {
  return runChecker(checkImageID, value, options);
}

/** True when `value` is an Image ID in the strict form `sha512-` + 128 lower-case hex digits. */
export function isImageID(value: unknown): value is ImageID {
  return typeof value === 'string' && IMAGE_ID_PATTERN.test(value);
}

/**
 * Builds an Image ID from a sha512 digest (T-HS-5): 64 raw bytes, or 128 hex digits in either case.
 *
 * @throws AppcError IMAGEID_BAD_DIGEST when the digest has the wrong size or is not hex.
 * @example
 * imageIdFromDigest(sha512(tarBytes)); // 'sha512-…'
 */
export function imageIdFromDigest(digest: string | Uint8Array): ImageID {
  let hex: string;
  if (typeof digest === 'string') {
    hex = digest.toLowerCase();
  } else {
    hex = '';
    for (const b of digest) hex += b.toString(16).padStart(2, '0');
  }
  if (!HEX128.test(hex)) {
    const what = typeof digest === 'string' ? `${digest.length} characters` : `${digest.length} bytes`;
    throw new AppcError('IMAGEID_BAD_DIGEST', `a sha512 digest is 64 bytes or 128 hex digits, got ${what}`);
  }
  return ('sha512-' + hex) as ImageID;
}

/** Shortens an image ID to its first 39 characters (`sha512-` + 32 hex), as Go's ShortHash; shorter text is returned unchanged (T-HS-6). */
export function shortImageId(id: string): string {
  return id.length > SHORT_LENGTH ? id.slice(0, SHORT_LENGTH) : id;
}
