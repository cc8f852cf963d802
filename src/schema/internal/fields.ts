/** Go's object decoding rules: keys match fields ignoring case, the last occurrence wins, unknown keys are ignored (checklist G-1, G-2, G-3). */
import { JSON_CODES } from '../codes.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext } from './check.js';
import { reporter } from './check.js';

const report = reporter(JSON_CODES);

/**
 * Reads the fields of a JSON object the way Go's encoding/json does: each key is matched to a
 * canonical field name exactly or, failing that, ignoring case; keys are taken in document order,
 * so the last one wins; unknown keys are ignored. A key that only matches ignoring case is
 * reported as JSON_KEY_CASE (a warning) at its own path.
 *
 * @returns a map from canonical field name to value, holding only the fields present.
 */
export function readFields<K extends string>(
  obj: Readonly<Record<string, unknown>>,
  fields: readonly K[],
  path: string,
  ctx: CheckContext,
): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of Object.keys(obj)) {
    let field: K | undefined = fields.find((f) => f === key);
    if (field === undefined) {
      const lower = key.toLowerCase();
      field = fields.find((f) => f.toLowerCase() === lower);
      if (field !== undefined) {
        report(ctx, 'JSON_KEY_CASE', childPointer(path, key), `key "${key}" is read as "${field}"; write "${field}"`, { key, field });
      }
    }
    if (field !== undefined) out[field] = obj[key];
  }
  return out;
}

/**
 * The key under which Go reads `field` from `obj`: the last key, in document order, equal to it or equal
 * ignoring case (the same rule as readFields). Undefined when there is none.
 */
export function goFieldKey(obj: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const lower = field.toLowerCase();
  let found: string | undefined;
  for (const key of Object.keys(obj)) if (key === field || key.toLowerCase() === lower) found = key;
  return found;
}

/** The value Go reads for `field` from a decoded value (undefined when it is not an object or lacks it). */
export function goFieldValue(value: unknown, field: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const key = goFieldKey(value as Record<string, unknown>, field);
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}

/**
 * The pointer of a field for issues: the key as written in the document (it may differ from the canonical
 * name in case), so that line and column point at the value Go actually read.
 */
export function fieldPointer(obj: Readonly<Record<string, unknown>>, field: string, path: string): string {
  return childPointer(path, goFieldKey(obj, field) ?? field);
}
