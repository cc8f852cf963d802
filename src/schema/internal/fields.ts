/**
 * Go's object decoding rules (checklist G-1, G-2, G-3): a key matches a field exactly or under Unicode
 * simple case folding (so `ſ` is `s` and the Kelvin sign is `k`), every occurrence is decoded in document
 * order (the last one wins; Go merges objects and maps into what an earlier occurrence left), unknown keys
 * are ignored.
 */
import { JSON_CODES } from '../codes.js';
import { childPointer, escapeToken } from '../../issues/json-pointer.js';
import type { CheckContext } from './check.js';
import { reporter } from './check.js';
import { goFold } from './go-fold.js';
import { nearMiss } from './near-miss.js';

export { goFold } from './go-fold.js';

const report = reporter(JSON_CODES);

interface FieldTable<K extends string> {
  readonly exact: ReadonlySet<string>;
  readonly folded: ReadonlyMap<string, K>;
  /** No field name has a character a JSON pointer escapes (`~`, `/`): a field's token is its name. */
  readonly plain: boolean;
}
const tables = new WeakMap<readonly string[], FieldTable<string>>();
// Field lists written inline at a call site are new arrays on every call: find their table by content.
const tablesByText = new Map<string, FieldTable<string>>();

function tableOf<K extends string>(fields: readonly K[]): FieldTable<K> {
  let t = tables.get(fields);
  if (t === undefined) {
    const text = fields.join('\n');
    t = tablesByText.get(text);
    if (t === undefined) {
      t = { exact: new Set(fields), folded: new Map(fields.map((f) => [f.toLowerCase(), f])), plain: fields.every((f) => escapeToken(f) === f) };
      tablesByText.set(text, t);
    }
    tables.set(fields, t);
  }
  return t as FieldTable<K>;
}

/** The field a key decodes into under Go's rules, or undefined. */
export function matchField<K extends string>(key: string, fields: readonly K[]): K | undefined {
  const t = tableOf(fields);
  return t.exact.has(key) ? (key as K) : t.folded.get(goFold(key));
}

type Occurrence = Member;

interface Member {
  readonly key: string;
  readonly value: unknown;
  readonly keyOffset?: number;
}

/** Members of objects made by merging occurrences, so that nested fields merge the Go way too. */
const merged = new WeakMap<object, readonly Member[]>();
/** Whether any object was ever merged: until then no lookup in `merged` can find anything (it runs for every object read). */
let anyMerged = false;

/** Every member of `obj` in document order, repeated keys included. */
function membersOf(obj: Readonly<Record<string, unknown>>, ctx: CheckContext): readonly Member[] | undefined {
  return ctx.members?.(obj) ?? (anyMerged ? merged.get(obj) : undefined);
}

/**
 * Go decodes a repeated object into the value an earlier occurrence left (maps, structs, App's decoder): the
 * result has the members of both in order, so every field is decoded again by the rules of its own type.
 */
function mergeObjects(a: unknown, b: unknown, ctx: CheckContext): unknown {
  if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const list = (o: Readonly<Record<string, unknown>>): readonly Member[] => membersOf(o, ctx) ?? Object.keys(o).map((key) => ({ key, value: o[key] }));
  const members = [...list(a as Record<string, unknown>), ...list(b as Record<string, unknown>)];
  const out: Record<string, unknown> = {};
  for (const m of members) {
    delete out[m.key]; // keep the order of the last occurrences
    Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  merged.set(out, members);
  anyMerged = true;
  return out;
}

/**
 * Objects whose every key readFields found either exactly as a field of this table or matching no field (no
 * repeated key, none matched by case folding): for them the key Go reads a field of the table from is the
 * field's own name, so {@link fieldPointer} need not look at the keys again (it runs for every checked field).
 */
const exactlyKeyed = new WeakMap<object, FieldTable<string>>();

/**
 * Reads the fields of a JSON object the way Go's encoding/json does. A key that matches only ignoring case
 * is reported as JSON_KEY_CASE (a warning); an unknown key close to a field name as JSON_UNKNOWN_KEY (a
 * warning, "did you mean"). When a field occurs more than once, the last occurrence wins (or, for the fields
 * in `merge`, the occurrences are merged as Go merges objects and maps), and every earlier occurrence is
 * recorded in `ctx.earlier` so the document pipeline can decode it as Go does. For the fields in
 * `keepOnNull` (Go strings, numbers, booleans and structs), a `null` occurrence leaves the value an earlier
 * occurrence gave, as Go's decoder ignores null for those types.
 *
 * @returns a map from canonical field name to value, holding only the fields present.
 */
export function readFields<K extends string>(
  obj: Readonly<Record<string, unknown>>,
  fields: readonly K[],
  path: string,
  ctx: CheckContext,
  merge?: readonly K[],
  keepOnNull?: readonly K[],
): Partial<Record<K, unknown>> {
  const table = tableOf(fields);
  const members = membersOf(obj, ctx);
  if (members === undefined && ctx.plainJson === true && allExact(obj, table)) {
    // Each key is a field's own name, once, and each property plain data: the object holds exactly what the
    // field map would, so it is the map. No copy, no issue to report.
    exactlyKeyed.set(obj, table);
    return obj as Partial<Record<K, unknown>>;
  }
  const out: Partial<Record<K, unknown>> = {};
  let repeated: Set<K> | undefined;
  let folded = false;
  const keys = members === undefined ? Object.keys(obj) : members.map((m) => m.key);
  for (let n = 0; n < keys.length; n++) {
    const key = keys[n]!;
    let field: K | undefined;
    if (table.exact.has(key)) field = key as K;
    else {
      field = table.folded.get(goFold(key));
      if (field === undefined) {
        const hint = nearMiss(key, fields);
        if (hint !== undefined) report(ctx, 'JSON_UNKNOWN_KEY', childPointer(path, key), `unknown key "${key}" is ignored; did you mean "${hint}"?`, { key, field: hint });
        continue;
      }
      folded = true;
      report(ctx, 'JSON_KEY_CASE', childPointer(path, key), `key "${key}" is read as "${field}"; write "${field}"`, { key, field });
    }
    const value = members === undefined ? obj[key] : members[n]!.value;
    // The keys of a plain object are distinct: until one folded onto a field, no field can be set twice.
    if ((folded || members !== undefined) && Object.hasOwn(out, field)) {
      if (value === null && keepOnNull?.includes(field) === true && out[field] !== null) continue;
      (repeated ??= new Set()).add(field);
    }
    out[field] = value;
  }
  if (members === undefined && !folded) exactlyKeyed.set(obj, table);
  if (repeated !== undefined) recordEarlier(obj, fields, path, ctx, merge, keepOnNull, out, repeated);
  return out;
}

/** Whether every own key of `obj` is a field of the table exactly as named. */
function allExact(obj: Readonly<Record<string, unknown>>, table: FieldTable<string>): boolean {
  // for-in with hasOwn visits the keys Object.keys lists without building the array (a parser's objects
  // use their map's enumeration cache); an inherited key fails the test, so it is never taken for a field.
  for (const key in obj) if (!Object.hasOwn(obj, key) || !table.exact.has(key)) return false;
  return true;
}

function recordEarlier<K extends string>(
  obj: Readonly<Record<string, unknown>>,
  fields: readonly K[],
  path: string,
  ctx: CheckContext,
  merge: readonly K[] | undefined,
  keepOnNull: readonly K[] | undefined,
  out: Partial<Record<K, unknown>>,
  repeated: ReadonlySet<K>,
): void {
  const members = membersOf(obj, ctx);
  for (const field of repeated) {
    const all: Occurrence[] = [];
    const ignoresNull = keepOnNull?.includes(field) === true;
    const add = (m: Occurrence): void => {
      // Go ignores a null for this field once it holds a value (the same rule as in readFields).
      if (m.value === null && ignoresNull && all.length > 0 && all[all.length - 1]!.value !== null) return;
      all.push(m);
    };
    if (members === undefined)
      for (const key of Object.keys(obj)) {
        if (matchField(key, fields) === field) add({ key, value: obj[key] });
      }
    else for (const m of members) if (matchField(m.key, fields) === field) add(m);
    const winner = all[all.length - 1]!;
    // Where checkers report the field (fieldPointer: the last key, even a null Go ignores) is where the
    // earlier value is tried.
    const winnerPath = childPointer(path, goFieldKey(obj, field) ?? winner.key);
    const merges = merge?.includes(field) === true;
    let acc: unknown;
    all.forEach((occ, n) => {
      acc = merges && n > 0 ? mergeObjects(acc, occ.value, ctx) : occ.value;
      if (n === all.length - 1) return;
      ctx.earlier?.push({
        path: winnerPath,
        value: acc,
        ...(occ.keyOffset === undefined ? {} : { keyOffset: occ.keyOffset }),
        ...(occ.key === winner.key ? {} : { keyPath: childPointer(path, occ.key) }),
      });
    });
    out[field] = acc;
  }
}

/** Field names in lower case, made once: this runs for every field of every object checked (a new string each time). */
const LOWER = new Map<string, string>();
/** Names kept at most (field names are a few dozen; a caller's own keys must not grow it without bound). */
const LOWER_MAX = 512;

function lowerCase(field: string): string {
  let lower = LOWER.get(field);
  if (lower === undefined) {
    lower = field.toLowerCase();
    if (LOWER.size < LOWER_MAX) LOWER.set(field, lower);
  }
  return lower;
}

/**
 * The key under which Go reads `field` from `obj`: the last key, in document order, that matches it
 * (the same rule as readFields). Undefined when there is none.
 */
export function goFieldKey(obj: Readonly<Record<string, unknown>>, field: string): string | undefined {
  // No key folds to a field of the table readFields used: the field's own key or none (as in fieldPointer).
  if (exactlyKeyed.get(obj)?.exact.has(field) === true) return Object.hasOwn(obj, field) ? field : undefined;
  // A key that folds to an ASCII field name has the field's length (the only non-ASCII folds are 1:1).
  const folded = lowerCase(field);
  const first = folded.charCodeAt(0);
  const letter = first >= 0x61 && first <= 0x7a;
  let found: string | undefined;
  // for-in with hasOwn visits what Object.keys lists, in its order, without building an array (this runs
  // for every field of every object checked).
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (key === field) found = key;
    else if (key.length === field.length) {
      // An ASCII first character that is not the field's first letter in either case rules the key out.
      const c = key.charCodeAt(0);
      if (letter && c < 0x80 && (c | 0x20) !== first) continue;
      if (goFold(key) === folded) found = key;
    }
  }
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
  // No key folds to a field of the table readFields used: goFieldKey would give the field or nothing.
  const table = exactlyKeyed.get(obj);
  if (table?.exact.has(field) === true) return path + '/' + (table.plain ? field : escapeToken(field));
  return path + '/' + escapeToken(goFieldKey(obj, field) ?? field);
}
