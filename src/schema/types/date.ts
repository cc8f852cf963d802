/** Timestamps: RFC 3339 date-time strings such as the `created` annotation (spec/types.md#timestamps-type; checklist T-DT-1..2). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { quote, reporter, runChecker } from '../internal/check.js';
import { reportWrongType } from '../internal/json-types.js';

declare const brand: unique symbol;
/** A string that passed RFC 3339 date-time validation. */
export type Timestamp = string & { readonly [brand]: 'Timestamp' };

/** Codes reported for timestamps. */
export const DATE_CODES = {
  DATE_INVALID: {
    severity: 'error',
    summary: 'A timestamp is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.frac] then Z or ±hh:mm, upper-case T and Z).',
    spec: 'spec/types.md#timestamps-type T-DT-1',
  },
  DATE_OUT_OF_RANGE: {
    severity: 'error',
    summary: 'A timestamp has a field out of range (month 13, February 30, hour 24, minute or second 60, zone hour above 24 ...).',
    spec: 'spec/types.md#timestamps-type T-DT-1',
  },
  DATE_NOT_STRICT: {
    severity: 'warning',
    summary: 'A timestamp is accepted by Go but is not RFC 3339: a one-digit hour, a comma before the fraction, or a zone offset of hour 24 or minute 60.',
    spec: 'spec/types.md#timestamps-type T-DT-1',
  },
} as const satisfies CodeTable;

const report = reporter(DATE_CODES);
// What Go's time.Parse(time.RFC3339, ...) accepts: also a one-digit hour and a comma before the fraction.
const GO_RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})([.,]\d+)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millis: number;
  /** Zone offset east of UTC, in minutes. */
  readonly offset: number;
}

type Parsed = { readonly fields: Fields; readonly lenient?: string } | { readonly error: 'DATE_INVALID' | 'DATE_OUT_OF_RANGE'; readonly reason: string };

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseFields(text: string): Parsed {
  const m = GO_RFC3339.exec(text);
  if (m === null) {
    let reason = 'expected YYYY-MM-DDThh:mm:ss with a zone, such as "2015-05-18T13:49:28Z" or "2015-05-18T13:49:28.35-04:00"';
    if (/^\d{4}-\d{2}-\d{2} \d/.test(text)) reason = 'the date and time must be separated by an upper-case "T", not a space';
    else if (/^\d{4}-\d{2}-\d{2}t/.test(text) || /\d(z)$/.test(text)) reason = '"T" and "Z" must be upper case';
    else if (/T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) reason = 'the time zone is missing (add "Z" or an offset such as "+01:00")';
    else if (/[+-]\d{4}$/.test(text)) reason = 'the zone offset needs a colon, such as "+01:00"';
    return { error: 'DATE_INVALID', reason };
  }
  const n = (i: number): number => Number(m[i] ?? '0');
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const frac = m[7] ?? '';
  const millis = frac === '' ? 0 : Math.floor(Number('0.' + frac.slice(1)) * 1000);
  const zh = n(10);
  const zm = n(11);
  const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (zh * 60 + zm);
  const out = (field: string, v: number): Parsed => ({ error: 'DATE_OUT_OF_RANGE', reason: `${field} ${v} is out of range` });
  if (month < 1 || month > 12) return out('month', month);
  if (day < 1 || day > daysIn(year, month)) return out('day', day);
  if (hour > 23) return out('hour', hour);
  if (minute > 59) return out('minute', minute);
  // Go rejects the leap second 60, which RFC 3339 allows; we follow Go.
  if (second > 59) return out('second', second);
  // Go allows zone offsets up to 24 hours and 60 minutes; RFC 3339 stops at 23:59.
  if (zh > 24) return out('zone hour', zh);
  if (zm > 60) return out('zone minute', zm);
  const lenient: string[] = [];
  if (m[4]!.length === 1) lenient.push('the hour needs two digits');
  if (frac.startsWith(',')) lenient.push('the fraction needs "." rather than ","');
  if (zh > 23 || zm > 59) lenient.push('the zone offset must be at most 23:59');
  const fields = { year, month, day, hour, minute, second, millis, offset };
  return lenient.length === 0 ? { fields } : { fields, lenient: lenient.join('; ') };
}

/**
 * Checks an RFC 3339 date-time at `path` (T-DT-1): upper-case `T` and `Z`, the zone required,
 * fractional seconds allowed, calendar ranges checked (leap years included). Null and a missing
 * value count as `""`, which is invalid. What Go's parser accepts beyond RFC 3339 (a one-digit
 * hour, `,` before the fraction, zone offsets of 24 hours or 60 minutes) is a warning.
 *
 * @returns the string as written.
 */
export function checkDate(value: unknown, path: string, ctx: CheckContext): Timestamp | undefined {
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') {
    reportWrongType(ctx, path, 'an RFC 3339 date-time string', value);
    return undefined;
  }
  const p = parseFields(value);
  if ('error' in p) {
    report(ctx, p.error, path, `bad date ${quote(value)}: ${p.reason}`, { value });
    return undefined;
  }
  if (p.lenient !== undefined) report(ctx, 'DATE_NOT_STRICT', path, `date ${quote(value)} is not RFC 3339: ${p.lenient}`, { value });
  return value as Timestamp;
}

/** Validates a decoded value as an RFC 3339 date-time string. */
export function validateDate(value: unknown, options?: SchemaValidateOptions): Result<Timestamp> {
  return runChecker(checkDate, value, options);
}

/** True when `value` is a strict RFC 3339 date-time string (no Go leniency). */
export function isTimestamp(value: unknown): value is Timestamp {
  if (typeof value !== 'string') return false;
  const p = parseFields(value);
  return 'fields' in p && p.lenient === undefined;
}

/**
 * Parses an RFC 3339 date-time into a Date (millisecond precision; finer fractions are cut).
 * Accepts what checkDate accepts, warnings included.
 *
 * @returns undefined when the text is not a valid timestamp.
 * @example
 * parseDate('2014-11-14T17:36:54-08:00')?.toISOString(); // '2014-11-15T01:36:54.000Z'
 */
export function parseDate(text: string): Date | undefined {
  const p = parseFields(text);
  if ('error' in p) return undefined;
  const f = p.fields;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute - f.offset, f.second, f.millis);
  return d;
}

/**
 * Prints a Date as an RFC 3339 timestamp in UTC without fractional seconds, as Go prints a Date
 * (T-DT-2). Returns undefined for an invalid Date or a year outside 0..9999.
 */
export function formatDate(date: Date): Timestamp | undefined {
  const t = date.getTime();
  if (Number.isNaN(t)) return undefined;
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const two = (v: number): string => String(v).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}Z` as Timestamp;
}
