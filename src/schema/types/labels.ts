/** Labels: the `{name, value}` list that describes an image, with the os/arch rules (spec/types.md#labels-type, spec/aci.md; checklist T-LB-1..8). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { toResult } from '../../issues/issue.js';
import { checkString } from '../internal/json-types.js';
import { readObjectList } from '../internal/object-list.js';
import type { ListItem } from '../internal/object-list.js';
import type { ACIdentifier } from './ac-identifier.js';
import { checkACIdentifier, isACIdentifier } from './ac-identifier.js';
import type { OsArchTable } from './os-arch.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_VALUE = ['name', 'value'] as const;

/** One label: an ACIdentifier name and a free string value. */
export interface Label {
  readonly name: ACIdentifier;
  readonly value: string;
}

/** A list of labels, in document order. */
export type Labels = readonly Label[];

/** Codes reported for label lists. */
export const LABELS_CODES = {
  LABELS_FORBIDDEN_NAME: { severity: 'error', summary: 'A label is named "name", which is reserved for the image name.', spec: 'spec/aci.md#image-manifest-schema T-LB-2' },
  LABELS_DUPLICATE_NAME: { severity: 'error', summary: 'Two labels have the same name (two labels without a name collide too).', spec: 'spec/aci.md#image-manifest-schema T-LB-3' },
  LABELS_VALUE_MISSING: { severity: 'warning', summary: 'A label has no "value" or a null one; Go reads it as "", the spec requires a string.', spec: 'spec/types.md#labels-type T-LB-1' },
  LABELS_BAD_OS: { severity: 'error', summary: 'The "os" label is not a known operating system (an empty value included).', spec: 'spec/types.md#labels-type T-LB-4' },
  LABELS_BAD_ARCH: { severity: 'error', summary: 'The "arch" label is not a known architecture for the "os" label.', spec: 'spec/types.md#labels-type T-LB-4' },
} as const satisfies CodeTable;

const report = reporter(LABELS_CODES);

interface Seen {
  readonly value: string | undefined;
  /** The label item, whose value's pointer an issue takes (built only then). */
  readonly item: ListItem<(typeof KEYS_NAME_VALUE)[number]>;
}

/** Checks the os/arch pair against the table (T-LB-4); `arch` is only checked when `os` is present. */
function checkOsArch(os: Seen | undefined, arch: Seen | undefined, table: OsArchTable, ctx: CheckContext): void {
  if (os === undefined || os.value === undefined) return;
  if (!Object.hasOwn(table, os.value)) {
    const oses = Object.keys(table).sort();
    report(ctx, 'LABELS_BAD_OS', os.item.at('value'), `bad os ${quote(os.value)} (must be one of: ${oses.join(', ')})`, { value: os.value });
    return;
  }
  if (arch === undefined || arch.value === undefined) return;
  const archs = table[os.value] ?? [];
  if (!archs.includes(arch.value)) {
    report(ctx, 'LABELS_BAD_ARCH', arch.item.at('value'), `bad arch ${quote(arch.value)} for ${os.value} (must be one of: ${[...archs].sort().join(', ')})`, { value: arch.value, os: os.value });
  }
}

/**
 * Checks a JSON list of labels at `path` (T-LB-1..5): each item an object whose `name` is an
 * ACIdentifier other than `name` and whose `value` is a string (null or missing is `""`); names
 * unique; `os` and `arch` against `ctx.osArch`. Every issue points at the item or field at fault.
 *
 * @returns the labels (null or a missing list gives `[]`), or undefined when the value is not a list.
 */
export function checkLabels(value: unknown, path: string, ctx: CheckContext): Labels | undefined {
  const items = readObjectList(value, path, ctx, KEYS_NAME_VALUE, ['value']);
  if (items === undefined) return undefined;
  const out: Label[] = [];
  const first = new Map<string, string>();
  for (const item of items) {
    const rawName = item.fields.name;
    if (!isACIdentifier(rawName)) checkACIdentifier(rawName, item.at('name'), ctx);
    const name = rawName === null || rawName === undefined ? '' : typeof rawName === 'string' ? rawName : undefined;
    const rawValue = item.fields.value;
    // A string needs no pointer: checkString reports nothing for it.
    const labelValue = typeof rawValue === 'string' ? rawValue : checkString(rawValue, item.at('value'), ctx, '');
    if (item.fields.value === undefined || item.fields.value === null) {
      report(ctx, 'LABELS_VALUE_MISSING', item.fields.value === undefined ? item.path : item.at('value'), `label ${quote(name ?? '')} has no value; it is read as ""`, { name: name ?? '' });
    }
    if (name === 'name') report(ctx, 'LABELS_FORBIDDEN_NAME', item.at('name'), 'a label cannot be named "name"; the image name is the manifest\'s "name" field');
    if (name !== undefined) {
      const before = first.get(name);
      if (before !== undefined) report(ctx, 'LABELS_DUPLICATE_NAME', item.at('name'), `duplicate label ${quote(name)} (first at ${before})`, { name, first: before });
      else first.set(name, item.path);
    }
    out.push({ name: (name ?? '') as ACIdentifier, value: labelValue ?? '' });
  }
  const pick = (n: string): Seen | undefined => {
    const item = items.find((i) => i.fields.name === n);
    if (item === undefined) return undefined;
    const v = item.fields.value;
    return { value: v === null || v === undefined ? '' : typeof v === 'string' ? v : undefined, item };
  };
  checkOsArch(pick('os'), pick('arch'), ctx.osArch, ctx);
  return out;
}

/**
 * Validates a decoded JSON list of labels.
 *
 * @example
 * validateLabels([{ name: 'os', value: 'linux' }, { name: 'arch', value: 'arm64' }]);
 * // fails: LABELS_BAD_ARCH at /1/value (linux uses "aarch64")
 */
export function validateLabels(value: unknown, options?: SchemaValidateOptions): Result<Labels> {
  return runChecker(checkLabels, value, options);
}

/** The value of the first label named exactly `name` (T-LB-7), or undefined. */
export function getLabel(labels: readonly { readonly name: string; readonly value: string }[], name: string): string | undefined {
  return labels.find((l) => l.name === name)?.value;
}

/** The labels as a Map from name to value (a later duplicate overwrites an earlier one, as in Go's ToMap). */
export function labelsToMap(labels: readonly { readonly name: string; readonly value: string }[]): Map<string, string> {
  return new Map(labels.map((l) => [l.name, l.value]));
}

/**
 * Builds labels from a map or a plain object, sorted by name, and validates them (T-LB-7, Go's
 * LabelsFromMap). Issue paths index the sorted list.
 */
export function labelsFromMap(map: ReadonlyMap<string, string> | Readonly<Record<string, string>>, options?: SchemaValidateOptions): Result<Labels> {
  const entries = map instanceof Map ? [...(map as ReadonlyMap<string, string>).entries()] : Object.entries(map);
  const list = entries.map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ctx = createContext(options);
  const labels = checkLabels(list, '', ctx) ?? [];
  return toResult(labels, ctx.issues, options);
}
