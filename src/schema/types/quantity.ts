/** Resource quantities: exact fixed-point numbers with SI and binary suffixes (spec/ace.md#resource-isolators; checklist T-Q-1..6). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';
import { toResult } from '../../issues/issue.js';

/**
 * How a quantity is written, kept from the input so that printing uses the same style:
 * `DecimalSI` (`1k`, `500m`), `BinarySI` (`1Ki`, `2Gi`) or `DecimalExponent` (`1e3`).
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * A parsed quantity: the exact value `unscaled × 10^scale` (never a floating-point number) and
 * the style it was written in. Values are normalised: no trailing zeros in `unscaled` (zero is
 * `0n` with scale 0), and `scale >= -9`, because parsing rounds to nano precision.
 */
export interface Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

/** Codes reported for quantities. */
export const QUANTITY_CODES = {
  QUANTITY_EMPTY: { severity: 'error', summary: 'A quantity is an empty string.', spec: 'T-Q-1' },
  QUANTITY_INVALID_FORMAT: { severity: 'error', summary: 'A quantity is not a number followed by a suffix (sign, digits with an optional point, suffix).', spec: 'T-Q-1' },
  QUANTITY_INVALID_SUFFIX: {
    severity: 'error',
    summary: 'A quantity has an unknown suffix; valid are Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent e±N (upper-case K is rejected as in Go; use k for 1000).',
    spec: 'T-Q-1 §8.6',
  },
  QUANTITY_EXPONENT_OUT_OF_RANGE: { severity: 'error', summary: 'A quantity exponent does not fit in 32 bits (Go wraps it around silently).', spec: 'T-Q-1' },
  QUANTITY_NOT_SPEC_FORM: {
    severity: 'warning',
    summary:
      'A quantity is read by Go but is not one of the forms ace.md lists (digits with an optional decimal fraction, then m, k M G T P E or Ki Mi Gi Ti Pi Ei): for example an exponent, an n or u suffix, a leading +, or surrounding spaces.',
    spec: 'spec/ace.md#resource-isolators T-Q-1',
  },
  QUANTITY_NO_DIGITS: { severity: 'warning', summary: 'A quantity has no digits (such as "." or "-"); Go reads it as 0, the grammar needs at least one digit.', spec: 'T-Q-1' },
} as const satisfies CodeTable;

const report = reporter(QUANTITY_CODES);

/** The quantity zero (what JSON `null` means). */
export const ZERO_QUANTITY: Quantity = Object.freeze({ unscaled: 0n, scale: 0, format: 'DecimalSI' as const });

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));
const SUFFIX_CHARS = 'eEinumkKMGTP';
const MAX_INT64 = (1n << 63n) - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Nano precision: parsed values are rounded up to a multiple of 10^-9. */
const NANO = -9;

type Fail = { readonly ok: false; readonly code: keyof typeof QUANTITY_CODES; readonly message: string };
type Scan = { readonly ok: true; readonly negative: boolean; readonly num: string; readonly denom: string; readonly suffix: string; readonly digits: boolean } | Fail;

/** Splits text into sign, integer digits, fraction digits and suffix, accepting exactly what Go's scanner accepts. */
function scan(text: string): Scan {
  let pos = 0;
  const end = text.length;
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    pos++;
  }
  const numStart = pos;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  const num = text.slice(numStart, pos).replace(/^0+/, '') || '0';
  let digits = pos > numStart;
  let denom = '';
  if (pos < end && text[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
    denom = text.slice(denomStart, pos);
    if (denom !== '') digits = true;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(text[pos]!)) pos++;
  if (pos < end && (text[pos] === '-' || text[pos] === '+')) pos++;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  if (pos < end) {
    return {
      ok: false,
      code: 'QUANTITY_INVALID_FORMAT',
      message: `${quote(text)} is not a quantity: unexpected ${quote(text[pos])} at position ${pos + 1} (expected digits, an optional point, then a suffix such as Ki, M, m or e3)`,
    };
  }
  return { ok: true, negative, num, denom, suffix: text.slice(suffixStart), digits };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** 10^n as a bigint, n >= 0. */
function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Number of decimal digits of |v| (0 has 1). */
function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}

/** Removes trailing decimal zeros from `unscaled` into `scale`; zero becomes (0, 0). */
function normalize(unscaled: bigint, scale: number, format: QuantityFormat): Quantity {
  if (unscaled === 0n) return { unscaled: 0n, scale: 0, format };
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale++;
  }
  return { unscaled, scale, format };
}

/**
 * Rounds `unscaled × 10^scale` to a multiple of 10^target, away from zero.
 * Never builds a power of ten larger than the digits it divides.
 */
function roundAway(unscaled: bigint, scale: number, target: number): { unscaled: bigint; exact: boolean } {
  if (scale >= target) return { unscaled, exact: true };
  const shift = target - scale;
  if (unscaled === 0n) return { unscaled: 0n, exact: true };
  if (digitCount(unscaled) <= shift) return { unscaled: unscaled < 0n ? -1n : 1n, exact: false };
  const div = pow10(shift);
  const q = unscaled / div;
  const r = unscaled % div;
  if (r === 0n) return { unscaled: q, exact: true };
  return { unscaled: unscaled < 0n ? q - 1n : q + 1n, exact: false };
}

/** Go's strconv.ParseInt(text, 10, 64) acceptance for the exponent of `e`/`E` suffixes. */
function parseExponent(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  return v > MAX_INT64 || v < -MAX_INT64 - 1n ? undefined : v;
}

function parseCore(text: string): { ok: true; value: Quantity; noDigits: boolean } | Fail {
  if (text === '') return { ok: false, code: 'QUANTITY_EMPTY', message: 'a quantity cannot be empty' };
  const s = scan(text);
  if (!s.ok) return s;
  let base: 2 | 10;
  let exponent: number;
  let format: QuantityFormat;
  const dec = DECIMAL_SUFFIXES[s.suffix];
  const bin = BINARY_SUFFIXES[s.suffix];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, s.suffix)) {
    [base, exponent, format] = [10, dec, 'DecimalSI'];
  } else if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, s.suffix)) {
    [base, exponent, format] = [2, bin, 'BinarySI'];
  } else if (s.suffix.length > 1 && (s.suffix[0] === 'e' || s.suffix[0] === 'E')) {
    const e = parseExponent(s.suffix.slice(1));
    if (e === undefined) return { ok: false, code: 'QUANTITY_INVALID_SUFFIX', message: `${quote(text)} has an invalid exponent ${quote(s.suffix)}: expected e or E followed by a signed integer` };
    if (e < BigInt(INT32_MIN) || e > BigInt(INT32_MAX)) {
      return { ok: false, code: 'QUANTITY_EXPONENT_OUT_OF_RANGE', message: `${quote(text)} has exponent ${e}, outside the 32-bit range Go can hold` };
    }
    [base, exponent, format] = [10, Number(e), 'DecimalExponent'];
  } else {
    const hint = /K(?!i)/.test(s.suffix) ? ' (upper-case K is not accepted: write k for 1000 or Ki for 1024)' : '';
    return {
      ok: false,
      code: 'QUANTITY_INVALID_SUFFIX',
      message: `${quote(text)} has an unknown suffix ${quote(s.suffix)}; expected one of Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or e followed by an integer${hint}`,
    };
  }
  const digits = BigInt(s.num + s.denom);
  let unscaled = s.negative ? -digits : digits;
  let scale = -s.denom.length;
  if (base === 10) {
    scale += exponent;
    // Go's arbitrary-precision path cannot read a number without digits; it is only taken for tiny scales.
    if (!s.digits && scale < NANO) {
      return { ok: false, code: 'QUANTITY_INVALID_FORMAT', message: `${quote(text)} is not a quantity: it has no digits` };
    }
  } else {
    unscaled <<= BigInt(exponent);
  }
  unscaled = roundAway(unscaled, scale, NANO).unscaled;
  if (scale < NANO) scale = NANO;
  if (format === 'BinarySI') {
    const mag = unscaled < 0n ? -unscaled : unscaled;
    if (scale >= 0 ? mag * pow10(scale) > MAX_INT64 : mag > MAX_INT64 * pow10(-scale)) {
      // Binary values are capped at 2^63-1, as in Go (T-Q-3).
      unscaled = unscaled < 0n ? -MAX_INT64 : MAX_INT64;
      scale = 0;
    }
    // A binary value strictly between 0 and 1 is kept as decimal, so it prints without rounding.
    if (mag !== 0n && scale < 0 && mag < pow10(-scale)) format = 'DecimalSI';
  }
  return { ok: true, value: normalize(unscaled, scale, format), noDigits: !s.digits };
}

/**
 * Parses quantity text (or a number) exactly as Go's `resource.ParseQuantity`: no surrounding
 * whitespace is allowed here (checkQuantity trims JSON strings first).
 *
 * @example parseQuantity('1.5Gi') // ok, value 1610612736, format BinarySI
 * @returns the quantity, or the issue that makes the text invalid (at path `''`).
 */
export function parseQuantity(input: string | number, options?: SchemaValidateOptions): Result<Quantity> {
  const ctx = createContext(options);
  const q = parseInto(input, '', ctx);
  return toResult(q as Quantity, ctx.issues, options);
}

function parseInto(input: string | number, path: string, ctx: CheckContext): Quantity | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      report(ctx, 'QUANTITY_INVALID_FORMAT', path, `${String(input)} is not a quantity`);
      return undefined;
    }
    // JSON numbers reach us as doubles; String() gives digits with an optional e±N exponent, which the grammar reads.
    text = String(input);
  } else {
    text = input;
  }
  const r = parseCore(text);
  if (!r.ok) {
    report(ctx, r.code, path, r.message, { value: text });
    return undefined;
  }
  if (r.noDigits) report(ctx, 'QUANTITY_NO_DIGITS', path, `${quote(text)} has no digits and is read as 0; write 0`, { value: text });
  return r.value;
}

// Go trims Unicode white space from the raw JSON text between the quotes; characters that JSON
// must escape (tab, newline, ...) reach Go as backslash escapes and are therefore not trimmed.
const JSON_RAW_SPACE = /^[ \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[ \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * Checks a decoded JSON value as a quantity: a string (surrounding white space trimmed, T-Q-2)
 * or a bare number; `null` is zero.
 */
export function checkQuantity(value: unknown, path: string, ctx: CheckContext): Quantity | undefined {
  if (value === null || value === undefined) return ZERO_QUANTITY;
  let q: Quantity | undefined;
  let written: string;
  if (typeof value === 'number') {
    q = parseInto(value, path, ctx);
    written = ctx.numberText?.(path) ?? String(value);
  } else if (typeof value === 'string') {
    q = parseInto(value.replace(JSON_RAW_SPACE, ''), path, ctx);
    written = value;
  } else {
    reportWrongType(ctx, path, 'a quantity (string or number)', value);
    return undefined;
  }
  if (q !== undefined && !SPEC_FORM.test(written)) {
    report(
      ctx,
      'QUANTITY_NOT_SPEC_FORM',
      path,
      `${quote(written)} is not a quantity form the spec lists (such as "128974848", "0.3", "300m", "125952Ki", "123M"); Go reads it as ${formatQuantity(q)}`,
      { value: written },
    );
  }
  return q;
}

/** The quantity forms spec/ace.md lists: unsuffixed or decimal, milli, metric, binary (a minus sign is reported elsewhere). */
const SPEC_FORM = /^-?[0-9]+(?:\.[0-9]+)?(?:m|k|[MGTPE]i?|Ki)?$/;

/** Validates a decoded JSON value as a quantity (see checkQuantity). */
export function validateQuantity(value: unknown, options?: SchemaValidateOptions): Result<Quantity> {
  return runChecker(checkQuantity, value, options);
}

/**
 * Builds the quantity `unscaled × 10^scale` in the given style, exactly (no rounding); for
 * constructing values in code. Parsing is the only way input text becomes a quantity.
 */
export function makeQuantity(unscaled: bigint, scale = 0, format: QuantityFormat = 'DecimalSI'): Quantity {
  return normalize(unscaled, Number.isSafeInteger(scale) ? scale : 0, format);
}

/** True when `text` parses as a quantity without any issue. */
export function isQuantityText(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const r = parseCore(text);
  return r.ok && !r.noDigits;
}

/** Compares two quantities by value (the format does not matter): -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const sa = sign(a.unscaled);
  const sb = sign(b.unscaled);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Same sign: compare orders of magnitude first, so huge exponents never build huge numbers.
  const ma = digitCount(a.unscaled) + a.scale;
  const mb = digitCount(b.unscaled) + b.scale;
  if (ma !== mb) return ma < mb === sa > 0 ? -1 : 1;
  const s = Math.min(a.scale, b.scale);
  const va = a.unscaled * pow10(a.scale - s);
  const vb = b.unscaled * pow10(b.scale - s);
  return va === vb ? 0 : va < vb ? -1 : 1;
}

function sign(v: bigint): -1 | 0 | 1 {
  return v === 0n ? 0 : v < 0n ? -1 : 1;
}

/** True when two quantities have the same value (T-Q-6: `123Mi` equals `128974848`). */
export function equalQuantities(a: Quantity, b: Quantity): boolean {
  return compareQuantities(a, b) === 0;
}

/**
 * The value at 10^scale, rounded away from zero, clamped to ±(2^63-1) (Go's int64 overflows there).
 */
function scaledValue(q: Quantity, scale: number): bigint {
  if (q.unscaled === 0n) return 0n;
  const limit = q.unscaled < 0n ? -MAX_INT64 : MAX_INT64;
  if (q.scale >= scale) {
    if (digitCount(q.unscaled) + q.scale - scale > 19) return limit;
    const v = q.unscaled * pow10(q.scale - scale);
    return v > MAX_INT64 || v < -MAX_INT64 ? limit : v;
  }
  const v = roundAway(q.unscaled, q.scale, scale).unscaled;
  return v > MAX_INT64 || v < -MAX_INT64 ? limit : v;
}

/**
 * The value rounded up to an integer (T-Q-4: `1.5` gives 2n, `0.1m` gives 1n); negative values
 * round away from zero, as Go does for values it parsed. Results beyond ±(2^63-1) are clamped.
 */
export function quantityValue(q: Quantity): bigint {
  return scaledValue(q, 0);
}

/** The value in thousandths, rounded up (T-Q-4: cpu `30m` gives 30n, `2Gi` gives 2147483648000n). */
export function quantityMilliValue(q: Quantity): bigint {
  return scaledValue(q, -3);
}

/**
 * The canonical text of a quantity (T-Q-5): the input's style, no fraction, the largest suffix
 * that keeps the value exact (`1.5` → `1500m`, `1.5Gi` → `1536Mi`, `1000M` → `1G`). Binary values
 * below 1024 in magnitude or with a fraction print in decimal style; zero prints `0`.
 */
export function formatQuantity(quantity: Quantity): string {
  const q = normalize(quantity.unscaled, quantity.scale, quantity.format);
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareQuantities(q, { unscaled: -1024n, scale: 0, format }) > 0 && compareQuantities(q, { unscaled: 1024n, scale: 0, format }) < 0;
    if (small || q.scale < 0) {
      format = 'DecimalSI';
    } else {
      let n = q.unscaled * pow10(q.scale);
      let e = 0;
      while (e < 6 && n % 1024n === 0n) {
        n /= 1024n;
        e++;
      }
      return n.toString() + (BINARY_BY_EXPONENT.get(e * 10) ?? '');
    }
  }
  let m = q.unscaled;
  let e = q.scale;
  while (((e % 3) + 3) % 3 !== 0) {
    m *= 10n;
    e--;
  }
  if (format === 'DecimalExponent') return m.toString() + (e === 0 ? '' : 'e' + e);
  // Past E (10^18) there is no suffix; Go then drops the exponent (printing a wrong value), we keep
  // the largest suffix and a longer number.
  while (e > 18) {
    m *= 1000n;
    e -= 3;
  }
  return m.toString() + (DECIMAL_BY_EXPONENT.get(e) ?? '');
}
