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
 * The pointer of a field for issues: the key as written in the document when it differs
 * from the canonical name only in case, so that line and column can be found.
 */
export function fieldPointer(obj: Readonly<Record<string, unknown>>, field: string, path: string): string {
  if (Object.hasOwn(obj, field)) return childPointer(path, field);
  const lower = field.toLowerCase();
  let found = field;
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) found = key;
  return childPointer(path, found);
}
