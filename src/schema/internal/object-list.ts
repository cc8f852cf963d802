/** Reading JSON lists of small objects (labels, annotations, environment, event handlers) with Go's decoding rules. */
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext } from './check.js';
import { fieldPointer, readFields } from './fields.js';
import { checkArray, checkObject } from './json-types.js';

/** One object item of a list, with its fields read the Go way. */
export interface ListItem<K extends string> {
  readonly index: number;
  /** Pointer of the item. */
  readonly path: string;
  readonly obj: Readonly<Record<string, unknown>>;
  readonly fields: Partial<Record<K, unknown>>;
  /** Pointer of a field of the item: the key as written, or the canonical name when absent. */
  readonly at: (field: K) => string;
}

/**
 * Reads a JSON list of objects: null or a missing list is empty (G-4); a non-list is
 * JSON_WRONG_TYPE at `path` (undefined is returned); a non-object item is JSON_WRONG_TYPE at the
 * item's path and skipped. Fields are matched ignoring case, the last duplicate key wins (G-1..3); a null
 * leaves the `keepOnNull` fields as an earlier occurrence set them (Go strings).
 */
export function readObjectList<K extends string>(value: unknown, path: string, ctx: CheckContext, fields: readonly K[], keepOnNull?: readonly K[]): ListItem<K>[] | undefined {
  if (value === null || value === undefined) return [];
  const list = checkArray(value, path, ctx);
  if (list === undefined) return undefined;
  const items: ListItem<K>[] = [];
  list.forEach((raw, index) => {
    const itemPath = childPointer(path, index);
    // A null item decodes to the zero value in Go: an object with every field missing.
    const obj = raw === null ? {} : checkObject(raw, itemPath, ctx);
    if (obj === undefined) return;
    items.push({ index, path: itemPath, obj, fields: readFields(obj, fields, itemPath, ctx, undefined, keepOnNull), at: (f) => fieldPointer(obj, f, itemPath) });
  });
  return items;
}
