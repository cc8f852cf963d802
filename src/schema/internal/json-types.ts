/** Small checkers for plain JSON types, reporting the shared JSON_* codes (checklist G-4, G-5). */
import { JSON_CODES } from '../codes.js';
import type { CheckContext } from './check.js';
import { jsonTypeOf, reporter } from './check.js';
import { fieldPointer } from './fields.js';

const report = reporter(JSON_CODES);

/** Reports a wrong JSON type at `path`. */
export function reportWrongType(ctx: CheckContext, path: string, expected: string, value: unknown): void {
  report(ctx, 'JSON_WRONG_TYPE', path, `expected ${expected}, got ${jsonTypeOf(value)}`, { expected, got: jsonTypeOf(value) });
}

/** A string, or undefined (with an issue) when the value is another type. `null` is treated as missing (G-4) and gives `nullAs`. */
export function checkString(value: unknown, path: string, ctx: CheckContext, nullAs?: string): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return nullAs;
  reportWrongType(ctx, path, 'a string', value);
  return undefined;
}

/**
 * checkString for the field `field` of `obj` at `path`: the field's pointer is built only when there is
 * something to report (a string, null and a missing value need none; this runs for every such field).
 */
export function checkStringField(value: unknown, obj: Readonly<Record<string, unknown>>, field: string, path: string, ctx: CheckContext, nullAs?: string): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return nullAs;
  return checkString(value, fieldPointer(obj, field, path), ctx, nullAs);
}

/** checkBoolean for the field `field` of `obj` at `path`, building the field's pointer only to report. */
export function checkBooleanField(value: unknown, obj: Readonly<Record<string, unknown>>, field: string, path: string, ctx: CheckContext): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return undefined;
  return checkBoolean(value, fieldPointer(obj, field, path), ctx);
}

/** A boolean, or undefined when missing/null/wrong (wrong type is reported). */
export function checkBoolean(value: unknown, path: string, ctx: CheckContext): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value !== null && value !== undefined) reportWrongType(ctx, path, 'a boolean', value);
  return undefined;
}

/** A plain JSON object, or undefined (wrong type is reported; null is silently missing). */
export function checkObject(value: unknown, path: string, ctx: CheckContext): Record<string, unknown> | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (value !== null && value !== undefined) reportWrongType(ctx, path, 'an object', value);
  return undefined;
}

/** A JSON array, or undefined (wrong type is reported; null is silently missing). */
export function checkArray(value: unknown, path: string, ctx: CheckContext): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value !== null && value !== undefined) reportWrongType(ctx, path, 'an array', value);
  return undefined;
}

/**
 * An integer within [min, max], or undefined. Fractions are JSON_NOT_INTEGER, values outside the
 * range JSON_NUMBER_OUT_OF_RANGE (the policy makes negative or out-of-range numbers errors). Like Go's
 * decoder, the number must be written as an integer (`80.0` and `8e1` are refused, checklist G-5), and
 * `unsigned` fields (Go's uint types) refuse `-0`.
 */
export function checkInteger(value: unknown, path: string, ctx: CheckContext, min: number, max: number, unsigned = false): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number') {
    reportWrongType(ctx, path, 'an integer', value);
    return undefined;
  }
  const text = ctx.numberText?.(path);
  if (!Number.isInteger(value) || (text !== undefined && /[.eE]/.test(text))) {
    report(ctx, 'JSON_NOT_INTEGER', path, `expected an integer, got ${text ?? value}${Number.isInteger(value) ? ' (Go refuses a fraction or exponent for an integer field)' : ''}`, {
      value: text ?? value,
    });
    return undefined;
  }
  if (unsigned && text === '-0') {
    report(ctx, 'JSON_NUMBER_OUT_OF_RANGE', path, '-0 is not an unsigned integer (Go refuses a minus sign here)', { value: text, min, max });
    return undefined;
  }
  if (value < min || value > max) {
    const shown = text ?? String(value);
    report(ctx, 'JSON_NUMBER_OUT_OF_RANGE', path, `${shown} is outside the range ${min}..${max}`, { value: text ?? value, min, max });
    return undefined;
  }
  return value;
}

const UINT64_MAX = 18446744073709551615n;

/**
 * An unsigned 64-bit integer (Go's uint64), exact: a plain number up to 2^53-1, a bigint above it (the
 * decimal text is read, never the rounded JS number). Same syntax rules as checkInteger.
 */
export function checkUint64(value: unknown, path: string, ctx: CheckContext): number | bigint | undefined {
  if (typeof value === 'bigint') {
    if (value >= 0n && value <= UINT64_MAX) return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    report(ctx, 'JSON_NUMBER_OUT_OF_RANGE', path, `${value} is outside the range 0..${UINT64_MAX} (uint64)`, { value: value.toString(), min: 0, max: UINT64_MAX.toString() });
    return undefined;
  }
  if (typeof value !== 'number' || value <= Number.MAX_SAFE_INTEGER) return checkInteger(value, path, ctx, 0, Number.MAX_SAFE_INTEGER, true);
  const text = ctx.numberText?.(path);
  if (text === undefined && Number.isInteger(value) && value <= 2 ** 64) {
    // An object decoded elsewhere (JSON.parse) has already rounded the number: take it as rounded.
    const rounded = BigInt(value);
    return rounded > UINT64_MAX ? UINT64_MAX : rounded;
  }
  if (text === undefined || !/^[0-9]+$/.test(text)) return checkInteger(value, path, ctx, 0, Number.MAX_SAFE_INTEGER, true);
  const big = BigInt(text);
  if (big > UINT64_MAX) {
    report(ctx, 'JSON_NUMBER_OUT_OF_RANGE', path, `${text} is outside the range 0..${UINT64_MAX} (uint64)`, { value: text, min: 0, max: UINT64_MAX.toString() });
    return undefined;
  }
  return big;
}

/** Checks a JSON list item by item with `item`; returns the items that checked out (null/missing list: undefined). */
export function checkList<T>(value: unknown, path: string, ctx: CheckContext, item: (v: unknown, p: string, c: CheckContext) => T | undefined): T[] | undefined {
  const list = checkArray(value, path, ctx);
  if (list === undefined) return undefined;
  const out: T[] = [];
  list.forEach((v, i) => {
    const t = item(v, `${path}/${i}`, ctx);
    if (t !== undefined) out.push(t);
  });
  return out;
}

/** Reports that a document is not a JSON object (a manifest must be one; `null` is not). */
export function reportNotObject(ctx: CheckContext, path: string, value: unknown): void {
  report(ctx, 'JSON_NOT_OBJECT', path, `a manifest must be a JSON object, got ${jsonTypeOf(value)}`, { got: jsonTypeOf(value) });
}

/** Reports a missing required field `name` of the object at `path`. */
export function reportMissing(ctx: CheckContext, path: string, name: string, what?: string): void {
  report(ctx, 'JSON_MISSING_FIELD', path, `${what ?? `"${name}"`} is required`, { field: name });
}

/**
 * An object whose values must all be strings (userAnnotations, userLabels, sysctl; checklist T-AP-5).
 * Non-string values are reported at their own path and left out; `null` is read as "" with a warning, as
 * Go decodes it.
 */
export function checkStringMap(value: unknown, path: string, ctx: CheckContext): Readonly<Record<string, string>> | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    // defineProperty: a "__proto__" key must stay data, not reach the prototype setter.
    const at = path + '/' + k.replace(/~/g, '~0').replace(/\//g, '~1');
    if (v === null) report(ctx, 'JSON_NULL_IN_MAP', at, `null is read as "" (as Go does); write a string`);
    if (typeof v === 'string' || v === null) Object.defineProperty(out, k, { value: v ?? '', enumerable: true, writable: true, configurable: true });
    else reportWrongType(ctx, at, 'a string', v);
  }
  return out;
}
