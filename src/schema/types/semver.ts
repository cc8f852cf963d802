/** AC Version: the lenient SemVer of the Go reference (spec/types.md#ac-version-type; checklist T-SV-1..7). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

/** The spec version this library implements (T-SV-6). */
export const SPEC_VERSION = '0.8.11';

declare const brand: unique symbol;
/** A string that passed AC Version validation (Go-lenient SemVer, not zero). */
export type ACVersion = string & { readonly [brand]: 'ACVersion' };

/**
 * A parsed version. Numbers are bigints because Go reads them as int64, beyond JavaScript's safe
 * integers. `prerelease` and `metadata` are `''` when absent (or written empty, as in `1.2.3-`).
 */
export interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: string;
  readonly metadata: string;
}

/** Codes reported for AC Version values. */
export const SEMVER_CODES = {
  ACVERSION_INVALID: {
    severity: 'error',
    summary: 'The version is not M.m.p[-pre][+meta] with base-10 int64 numbers (empty and null are invalid too).',
    spec: 'spec/types.md#ac-version-type T-SV-1 T-SV-3',
  },
  ACVERSION_ZERO: { severity: 'error', summary: 'The version is 0.0.0 with no prerelease and no metadata.', spec: 'T-SV-2' },
  ACVERSION_NOT_STRICT: {
    severity: 'warning',
    summary: 'The version is accepted by Go but is not strict SemVer 2.0.0 (leading zeros, empty or malformed prerelease or metadata).',
    spec: 'spec/types.md#ac-version-type T-SV-1 T-SV-3',
  },
  ACVERSION_INCOMPATIBLE_MAJOR: {
    severity: 'warning',
    summary: 'The version has a different major version than the spec version this library implements; Go does not check it.',
    spec: 'spec/types.md#ac-version-type T-SV-7 §8.4',
  },
  ACVERSION_NOT_RELEASED: {
    severity: 'warning',
    summary: 'The version is not a tagged release of the spec (a prerelease, build metadata, or a number such as 0.1.0 that was never tagged); Go accepts it.',
    spec: 'spec/types.md ("must reference a tagged version")',
  },
  ACVERSION_NEWER: { severity: 'warning', summary: 'The version is newer than the spec version this library implements; Go does not check it.', spec: 'spec/types.md#ac-version-type T-SV-7 §8.4' },
} as const satisfies CodeTable;

const report = reporter(SEMVER_CODES);
const INT64_MAX = 9223372036854775807n;
const DIGITS = /^[0-9]+$/;
/** The SemVer 2.0.0 grammar (semver.org), with no length or size limits. */
const STRICT =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * Parses a version the way Go's go-semver does (T-SV-1): metadata is cut at the first `+`, the
 * prerelease at the first `-` of the rest, and three dot-separated base-10 int64 numbers must
 * remain (leading zeros allowed). Returns undefined when Go would fail. Zero is returned as parsed.
 *
 * @example
 * parseSemVer('01.2.3-rc.1+git'); // { major: 1n, minor: 2n, patch: 3n, prerelease: 'rc.1', metadata: 'git' }
 */
export function parseSemVer(text: string): SemVer | undefined {
  let rest = text;
  let metadata = '';
  let prerelease = '';
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    metadata = rest.slice(plus + 1);
    rest = rest.slice(0, plus);
  }
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    prerelease = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
  }
  const parts = rest.split('.');
  // Go splits into at most three parts, so `1.2.3.4` leaves `3.4` as the patch, which is not a number.
  if (parts.length !== 3) return undefined;
  const nums: bigint[] = [];
  for (const p of parts) {
    // No sign can reach here: `+` and `-` were cut off above.
    if (!DIGITS.test(p)) return undefined;
    const n = BigInt(p);
    if (n > INT64_MAX) return undefined;
    nums.push(n);
  }
  return { major: nums[0]!, minor: nums[1]!, patch: nums[2]!, prerelease, metadata };
}

/** Prints a version as Go does (T-SV-4): `M.m.p`, then `-pre` and `+meta` when not empty. */
export function formatSemVer(version: SemVer): string {
  let s = `${version.major}.${version.minor}.${version.patch}`;
  if (version.prerelease !== '') s += '-' + version.prerelease;
  if (version.metadata !== '') s += '+' + version.metadata;
  return s;
}

/** True when the text is strict SemVer 2.0.0 (the spec's format), with no size limits. */
export function isStrictSemVer(text: string): boolean {
  return STRICT.test(text);
}

/** True for the zero version Go rejects: 0.0.0 with empty prerelease and metadata (T-SV-2). */
export function isZeroSemVer(version: SemVer): boolean {
  return version.major === 0n && version.minor === 0n && version.patch === 0n && version.prerelease === '' && version.metadata === '';
}

function compareIdentifiers(a: string, b: string): number {
  const an = DIGITS.test(a);
  const bn = DIGITS.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Numeric identifiers have lower precedence than alphanumeric ones (SemVer 2.0.0 §11.4.3).
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two versions by SemVer precedence (T-SV-5): numbers first, then a release beats its
 * prereleases, then prerelease identifiers in order (numeric ones numerically and below
 * alphanumeric ones, a shorter list first when all else is equal). Metadata is ignored.
 *
 * @returns -1, 0 or 1.
 */
export function compareSemVer(a: SemVer, b: SemVer): -1 | 0 | 1 {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  const pa = a.prerelease.split('.');
  const pb = b.prerelease.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareIdentifiers(pa[i]!, pb[i]!);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/**
 * Checks an AC Version at `path`: errors when Go rejects it (null and missing count as `""`, which
 * is invalid; zero is invalid), a warning when Go accepts it but it is not strict SemVer 2.0.0.
 * Compatibility with this library's spec version is a separate check, checkACVersionCompatibility.
 *
 * @returns the version as written.
 */
export function checkACVersion(value: unknown, path: string, ctx: CheckContext): ACVersion | undefined {
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'a version string such as "0.8.11"', value);
    return undefined;
  }
  // The version nearly every manifest gives: strict and not zero (a test pins it), nothing to parse.
  if (value === SPEC_VERSION) return value as ACVersion;
  const parsed = parseSemVer(value);
  if (parsed === undefined) {
    report(ctx, 'ACVERSION_INVALID', path, `bad version ${quote(value)}: expected SemVer such as "${SPEC_VERSION}"`, { value });
    return undefined;
  }
  if (isZeroSemVer(parsed)) {
    report(ctx, 'ACVERSION_ZERO', path, `version ${quote(value)} is zero; use the spec version, such as "${SPEC_VERSION}"`, { value });
    return undefined;
  }
  if (!isStrictSemVer(value)) {
    report(ctx, 'ACVERSION_NOT_STRICT', path, `version ${quote(value)} is not strict SemVer 2.0.0; write "${formatSemVer(parsed)}"${/(^|\.)0[0-9]/.test(value) ? ' (no leading zeros)' : ''}`, {
      value,
    });
  }
  return value as ACVersion;
}

/** Validates a decoded value as an AC Version (syntax only; see checkACVersionCompatibility). */
export function validateACVersion(value: unknown, options?: SchemaValidateOptions): Result<ACVersion> {
  return runChecker(checkACVersion, value, options);
}

/** True when `value` is a strict SemVer 2.0.0 string other than 0.0.0. */
export function isACVersion(value: unknown): value is ACVersion {
  if (typeof value !== 'string' || !isStrictSemVer(value)) return false;
  const v = parseSemVer(value);
  return v !== undefined && !isZeroSemVer(v);
}

const SPEC_SEMVER: SemVer = parseSemVer(SPEC_VERSION)!;

/**
 * Warns when a manifest's version is not compatible with this library (T-SV-7): the spec wants
 * the same major version and nothing newer than the implementation; Go checks neither. A version
 * that does not parse is ignored here (checkACVersion reports it).
 */
export function checkACVersionCompatibility(version: string | SemVer, path: string, ctx: CheckContext): void {
  // The spec version itself is compatible by definition (a test pins it).
  if (version === SPEC_VERSION) return;
  const v = typeof version === 'string' ? parseSemVer(version) : version;
  if (v === undefined) return;
  const text = formatSemVer(v);
  if (v.major !== SPEC_SEMVER.major) {
    report(
      ctx,
      'ACVERSION_INCOMPATIBLE_MAJOR',
      path,
      `version ${quote(text)} has major version ${v.major}; this library implements ${SPEC_VERSION} and reads major version ${SPEC_SEMVER.major} only`,
      { value: text, supported: SPEC_VERSION },
    );
  } else if (compareSemVer(v, SPEC_SEMVER) > 0) {
    report(ctx, 'ACVERSION_NEWER', path, `version ${quote(text)} is newer than ${SPEC_VERSION}, the spec version this library implements`, { value: text, supported: SPEC_VERSION });
  } else if (v.prerelease !== '' || v.metadata !== '' || !SPEC_RELEASES.has(`${v.major}.${v.minor}.${v.patch}`)) {
    report(ctx, 'ACVERSION_NOT_RELEASED', path, `version ${quote(text)} is not a tagged release of the spec (the spec says acVersion must reference one, such as ${SPEC_VERSION})`, {
      value: text,
      supported: SPEC_VERSION,
    });
  }
}

/** The tagged releases of the appc spec (git tags v0.1.1 .. v0.8.11 of appc/spec; there was no v0.1.0). */
const SPEC_RELEASES = new Set([
  '0.1.1',
  '0.2.0',
  '0.3.0',
  '0.4.0',
  '0.4.1',
  '0.5.0',
  '0.5.1',
  '0.5.2',
  '0.6.0',
  '0.6.1',
  '0.7.0',
  '0.7.1',
  '0.7.2',
  '0.7.3',
  '0.7.4',
  ...Array.from({ length: 12 }, (_, n) => `0.8.${n}`),
]);
