/** Isolators: the `{name, value}` type, the registry of known isolators, the app and pod list rules (spec/types.md#isolator-type, spec/ace.md#isolators; checklist T-IS-1..9). */
import type { CodeTable } from '../../issues/codes.js';
import type { Issue, Result } from '../../issues/issue.js';
import { issuesOnly, toResult } from '../../issues/issue.js';
import { childPointer } from '../../issues/json-pointer.js';
import { extend } from '../../internal/extend.js';
import { JSON_CODES } from '../codes.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { fieldPointer, readFields } from '../internal/fields.js';
import { goParseQuery } from '../internal/go-text.js';
import { checkArray, checkObject } from '../internal/json-types.js';
import type { ACIdentifier } from './ac-identifier.js';
import { checkACIdentifier, isACIdentifier } from './ac-identifier.js';
import type { IsolatorKind, IsolatorScope } from './isolators/kind.js';
import type { AppArmorProfileValue, CapabilitiesValue, SeccompValue, SELinuxContextValue } from './isolators/linux.js';
import {
  LINUX_CAPABILITIES_REMOVE_SET,
  LINUX_CAPABILITIES_RETAIN_SET,
  LINUX_ISOLATOR_KINDS,
  LINUX_NO_NEW_PRIVILEGES,
  LINUX_OOM_SCORE_ADJ,
  LINUX_SECCOMP_REMOVE_SET,
  LINUX_SECCOMP_RETAIN_SET,
} from './isolators/linux.js';
import type { ResourceValue } from './isolators/resource.js';
import { RESOURCE_ISOLATOR_KINDS, resourceNeedsDefault } from './isolators/resource.js';
import type { SysctlValue } from './isolators/unix.js';
import { UNIX_ISOLATOR_KINDS } from './isolators/unix.js';
import { mapList } from '../internal/map-list.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_VALUE = ['name', 'value'] as const;

/**
 * One isolator as written in a manifest. `value` is the raw JSON value, kept as decoded (extra
 * keys and the original spelling of quantities included) so that re-encoding changes nothing
 * (T-IS-1); read its typed form with {@link isolatorValue}. A name missing from the document
 * (accepted by Go at pod level) reads as `""`, a missing value as `null`.
 */
export interface Isolator {
  readonly name: ACIdentifier;
  readonly value: unknown;
}

/** The typed form of a known isolator's value, by name: see {@link isolatorValue}. */
export type IsolatorValue = ResourceValue | CapabilitiesValue | SeccompValue | SELinuxContextValue | AppArmorProfileValue | SysctlValue | boolean | number;

/** Codes reported for isolators and isolator lists. */
export const ISOLATOR_CODES = {
  ISOLATOR_UNKNOWN: {
    severity: 'error',
    summary: 'An app lists an isolator whose name is unknown or missing; Go rejects it ("invalid isolator"), although the spec lets executors ignore unknown isolators.',
    spec: 'T-IS-4 §8.9',
  },
  ISOLATOR_NAME_MISSING: { severity: 'warning', summary: 'An isolator has no "name"; the spec requires one, Go accepts it at pod level.', spec: 'spec/types.md#isolator-type T-IS-5' },
  ISOLATOR_VALUE_MISSING: { severity: 'error', summary: 'A known isolator has no "value" or a null one (Go crashes on it).', spec: 'T-IS-3 §8.20' },
  ISOLATOR_VALUE_ABSENT: { severity: 'warning', summary: 'An isolator with an unknown name has no "value"; the spec requires one, Go accepts it.', spec: 'spec/types.md#isolator-type' },
  ISOLATOR_TOO_MANY: { severity: 'error', summary: 'An app lists an isolator more than once that may appear only once.', spec: 'T-IS-4' },
  ISOLATOR_CONFLICT: { severity: 'error', summary: 'An app lists two isolators that exclude each other (seccomp-remove-set and seccomp-retain-set).', spec: 'T-IS-4' },
  ISOLATOR_CAPABILITIES_BOTH: {
    severity: 'warning',
    summary: 'An app has both capabilities-retain-set and capabilities-remove-set; the spec forbids it, Go accepts it.',
    spec: 'T-IS capabilities §8.7',
  },
  ISOLATOR_POD_DUPLICATE: {
    severity: 'warning',
    summary: 'A pod lists selinux-context, apparmor-profile or sysctl more than once; the spec allows one per pod, Go does not check pod isolators.',
    spec: 'T-IS-5 T-IS-8 §8.9',
  },
  ISOLATOR_WRONG_SCOPE: { severity: 'warning', summary: 'An app-only isolator appears at pod level, or a pod-only one in an app (Go does not check scopes).', spec: 'T-IS-5' },
  ISOLATOR_FLAG_INVALID: { severity: 'error', summary: 'An isolator given on the command line is malformed (patch-manifest --isolators, --seccomp-mode).', spec: 'actool patch-manifest' },
  ISOLATOR_FLAG_UNSUPPORTED: {
    severity: 'error',
    summary: 'An isolator given on the command line cannot be set that way (only resource/*, no-new-privileges and oom-score-adj can).',
    spec: 'actool patch-manifest',
  },
} as const satisfies CodeTable;

const report = reporter(ISOLATOR_CODES);
const reportJson = reporter(JSON_CODES);

/** Every isolator the library understands, by name (T-IS-2). */
export const ISOLATOR_KINDS: ReadonlyMap<string, IsolatorKind> = new Map<string, IsolatorKind>(
  [...RESOURCE_ISOLATOR_KINDS, ...LINUX_ISOLATOR_KINDS, ...UNIX_ISOLATOR_KINDS].map((k) => [k.name, k as IsolatorKind]),
);

/** The registry entry of an isolator name, or undefined when the name is unknown. */
export function isolatorKind(name: string): IsolatorKind | undefined {
  return ISOLATOR_KINDS.get(name);
}

interface CheckedItem {
  readonly isolator: Isolator;
  readonly kind: IsolatorKind | undefined;
  readonly nameMissing: boolean;
}

function checkItem(value: unknown, path: string, ctx: CheckContext): CheckedItem | undefined {
  // Go decodes a null item as an isolator with neither name nor value.
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_NAME_VALUE, path, ctx);
  const nameMissing = !('name' in f);
  let name: ACIdentifier | undefined = '' as ACIdentifier;
  if (nameMissing) {
    report(ctx, 'ISOLATOR_NAME_MISSING', path, 'isolator has no "name"');
  } else {
    name = isACIdentifier(f.name) ? f.name : checkACIdentifier(f.name, fieldPointer(obj, 'name', path), ctx);
  }
  const kind = name === undefined || name === '' ? undefined : isolatorKind(name);
  const raw = f.value;
  if (kind !== undefined) {
    if (raw === undefined || raw === null) {
      report(ctx, 'ISOLATOR_VALUE_MISSING', raw === undefined ? path : fieldPointer(obj, 'value', path), `isolator ${quote(name)} needs a value, got ${raw === undefined ? 'none' : 'null'}`, {
        name: kind.name,
      });
    } else {
      kind.check(raw, fieldPointer(obj, 'value', path), ctx);
    }
  } else if (raw === undefined) {
    report(ctx, 'ISOLATOR_VALUE_ABSENT', path, `isolator ${quote(name ?? '')} has no "value"`);
  }
  if (name === undefined) return undefined;
  return { isolator: { name, value: raw === undefined ? null : raw }, kind, nameMissing };
}

/**
 * Checks one isolator (T-IS-1..3): the name is an ACIdentifier, a known name gets its value read
 * and validated, an unknown name keeps its value as it is. List rules live in
 * {@link checkAppIsolators} and {@link checkPodIsolators}.
 */
export function checkIsolator(value: unknown, path: string, ctx: CheckContext): Isolator | undefined {
  return checkItem(value, path, ctx)?.isolator;
}

/** Validates one decoded isolator object. */
export function validateIsolator(value: unknown, options?: SchemaValidateOptions): Result<Isolator> {
  return runChecker(checkIsolator, value, options);
}

/** Checks every item; the result keeps the list's indexes (undefined where an item is unusable). */
function checkList(value: unknown, path: string, ctx: CheckContext): (CheckedItem | undefined)[] | undefined {
  if (value === null || value === undefined) return [];
  const arr = checkArray(value, path, ctx);
  if (arr === undefined) return undefined;
  return mapList(arr, (item, i) => checkItem(item, childPointer(path, i), ctx));
}

function isolatorsOf(items: readonly (CheckedItem | undefined)[]): Isolator[] {
  // A loop, not flatMap: no array per item (this runs for every isolator list).
  const out: Isolator[] = [];
  for (const c of items) if (c !== undefined) out.push(c.isolator);
  return out;
}

function scopeWarning(ctx: CheckContext, path: string, kind: IsolatorKind, where: IsolatorScope): void {
  if (kind.scope.length > 0 && !kind.scope.includes(where)) {
    const other = where === 'app' ? 'pod' : 'app';
    report(ctx, 'ISOLATOR_WRONG_SCOPE', path, `${kind.name} is a ${other}-level isolator; it has no effect in ${where === 'app' ? 'an app' : 'a pod'}`, { name: kind.name, scope: where });
  }
}

/**
 * Checks `app.isolators` (T-IS-4): each item as {@link checkIsolator}, then in order: an unknown or
 * missing name is an error (as in Go), a repeated name that allows one instance is an error, and so
 * is a name that conflicts with an earlier one. Spec-only rules give warnings: retain and remove
 * capability sets together, pod-only isolators in an app.
 */
export function checkAppIsolators(value: unknown, path: string, ctx: CheckContext): Isolator[] | undefined {
  const items = checkList(value, path, ctx);
  if (items === undefined) return undefined;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (item === undefined) return;
    const { isolator, kind, nameMissing } = item;
    const p = childPointer(path, i);
    if (kind === undefined) {
      if (isolator.name !== '' || nameMissing) {
        const what = nameMissing ? 'an isolator without a name' : `unknown isolator ${quote(isolator.name)}`;
        report(ctx, 'ISOLATOR_UNKNOWN', p, `invalid isolator: ${what} (known: ${[...ISOLATOR_KINDS.keys()].join(', ')})`, { name: isolator.name });
      }
      return;
    }
    if (seen.has(kind.name) && !kind.multipleAllowed) {
      report(ctx, 'ISOLATOR_TOO_MANY', p, `isolators set contains too many instances of type ${kind.name}`, { name: kind.name });
    }
    for (const c of kind.conflicts) {
      if (seen.has(c)) report(ctx, 'ISOLATOR_CONFLICT', p, `isolators set contains incompatible types: ${kind.name} cannot be used with ${c}`, { name: kind.name, conflict: c });
    }
    const otherCaps = kind.name === LINUX_CAPABILITIES_RETAIN_SET ? LINUX_CAPABILITIES_REMOVE_SET : kind.name === LINUX_CAPABILITIES_REMOVE_SET ? LINUX_CAPABILITIES_RETAIN_SET : undefined;
    if (otherCaps !== undefined && seen.has(otherCaps) && !seen.has(kind.name)) {
      report(ctx, 'ISOLATOR_CAPABILITIES_BOTH', p, `${kind.name} cannot be used together with ${otherCaps}`, { name: kind.name, conflict: otherCaps });
    }
    scopeWarning(ctx, p, kind, 'app');
    seen.add(kind.name);
  });
  return isolatorsOf(items);
}

/**
 * Checks pod-level `isolators` (T-IS-5): each item as {@link checkIsolator}; unknown names are
 * accepted. Spec-only rules give warnings: at most one selinux-context, apparmor-profile and sysctl
 * per pod, and no app-only isolators.
 */
export function checkPodIsolators(value: unknown, path: string, ctx: CheckContext): Isolator[] | undefined {
  const items = checkList(value, path, ctx);
  if (items === undefined) return undefined;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const kind = item?.kind;
    if (kind === undefined) return;
    const p = childPointer(path, i);
    if (kind.onePerPod && seen.has(kind.name)) {
      report(ctx, 'ISOLATOR_POD_DUPLICATE', p, `only one ${kind.name} isolator may be given per pod`, { name: kind.name });
    }
    scopeWarning(ctx, p, kind, 'pod');
    seen.add(kind.name);
  });
  return isolatorsOf(items);
}

/** Validates a decoded `app.isolators` list. */
export function validateAppIsolators(value: unknown, options?: SchemaValidateOptions): Result<Isolator[]> {
  return runChecker(checkAppIsolators, value, options);
}

/** Validates a decoded pod-level `isolators` list. */
export function validatePodIsolators(value: unknown, options?: SchemaValidateOptions): Result<Isolator[]> {
  return runChecker(checkPodIsolators, value, options);
}

/**
 * The typed value of a known isolator (a ResourceValue for `resource/*`, a boolean for
 * no-new-privileges, ...), or undefined when the name is unknown or the value invalid.
 *
 * @example isolatorValue({ name: 'resource/memory', value: { limit: '1G' } }) // { default: false, limit: Quantity }
 */
export function isolatorValue(isolator: Isolator): IsolatorValue | undefined {
  const kind = isolatorKind(isolator.name);
  if (kind === undefined || isolator.value === null || isolator.value === undefined) return undefined;
  const ctx = createContext();
  const typed = kind.check(isolator.value, '', ctx);
  return ctx.issues.some((i) => i.severity === 'error') ? undefined : (typed as IsolatorValue | undefined);
}

/** The last isolator with this name, as Go's `GetByName` (T-IS-6). */
export function getIsolatorByName(isolators: readonly Isolator[], name: string): Isolator | undefined {
  for (let i = isolators.length - 1; i >= 0; i--) if (isolators[i]!.name === name) return isolators[i];
  return undefined;
}

/** A new list without every isolator named in `names`, with `replacement` appended (T-IS-6). */
export function replaceIsolatorsByName(isolators: readonly Isolator[], replacement: Isolator, names: readonly string[]): Isolator[] {
  return [...isolators.filter((i) => !names.includes(i.name)), replacement];
}

/** The isolators that have no typed form because their name is unknown or missing (Go's `Unrecognized`). */
export function unrecognizedIsolators(isolators: readonly Isolator[]): Isolator[] {
  return isolators.filter((i) => isolatorKind(i.name) === undefined);
}

// ---- Constructors (patch-manifest) ---------------------------------------------------------------

/** Builds an isolator from a value and validates it as one item. */
function build(name: string, value: unknown, options?: SchemaValidateOptions, extra: readonly Issue[] = []): Result<Isolator> {
  const ctx = createContext(options);
  ctx.issues.push(...extra);
  const iso = checkIsolator({ name, value }, '', ctx);
  return toResult(iso as Isolator, ctx.issues, options);
}

/** The names of the resource isolators, for {@link makeResourceIsolator}. */
export type ResourceIsolatorName = 'resource/cpu' | 'resource/memory' | 'resource/block-bandwidth' | 'resource/block-iops' | 'resource/network-bandwidth';

/** Parameters of {@link makeResourceIsolator}; quantities are kept as written. */
export interface ResourceIsolatorParams {
  readonly request?: string | number;
  readonly limit?: string | number;
  /** Defaults to what the isolator requires: true for bandwidth and IOPS, false for cpu and memory. */
  readonly default?: boolean;
}

/**
 * Builds a resource isolator, validated like one read from a manifest.
 *
 * @example makeResourceIsolator('resource/memory', { request: '1G', limit: '2Gi' })
 */
export function makeResourceIsolator(name: ResourceIsolatorName, params: ResourceIsolatorParams, options?: SchemaValidateOptions): Result<Isolator> {
  if (!name.startsWith('resource/') || isolatorKind(name) === undefined) {
    const ctx = createContext(options);
    report(ctx, 'ISOLATOR_UNKNOWN', '', `${quote(name)} is not a resource isolator`, { name });
    return issuesOnly<Isolator>(ctx.issues, options);
  }
  const value: Record<string, unknown> = { default: params.default ?? resourceNeedsDefault(name) };
  if (params.request !== undefined) value.request = params.request;
  if (params.limit !== undefined) value.limit = params.limit;
  return build(name, value, options);
}

/** Builds `os/linux/capabilities-retain-set` (`retain`) or `-remove-set` (`remove`); the set must not be empty. */
export function makeCapabilitiesIsolator(kind: 'retain' | 'remove', capabilities: readonly string[], options?: SchemaValidateOptions): Result<Isolator> {
  return build(kind === 'retain' ? LINUX_CAPABILITIES_RETAIN_SET : LINUX_CAPABILITIES_REMOVE_SET, { set: [...capabilities] }, options);
}

/** Builds `os/linux/seccomp-remove-set` or `-retain-set`; errno `""` (the default) means SIGSYS. */
export function makeSeccompIsolator(mode: 'remove' | 'retain', set: readonly string[], errno = '', options?: SchemaValidateOptions): Result<Isolator> {
  return build(mode === 'remove' ? LINUX_SECCOMP_REMOVE_SET : LINUX_SECCOMP_RETAIN_SET, { set: [...set], errno }, options);
}

function flagFailure(code: 'ISOLATOR_FLAG_INVALID' | 'ISOLATOR_FLAG_UNSUPPORTED', message: string, options?: SchemaValidateOptions, params?: Record<string, string>): Result<Isolator> {
  const ctx = createContext(options);
  report(ctx, code, '', message, params);
  return issuesOnly<Isolator>(ctx.issues, options);
}

/**
 * Builds the isolator of one `patch-manifest --isolators` item, accepting exactly what Go's actool
 * does: `resource/NAME,key=value,...` (values become JSON strings, so `default` cannot be set), or
 * `os/linux/no-new-privileges,VALUE` / `os/linux/oom-score-adj,VALUE` with VALUE a JSON literal.
 *
 * @example makeIsolatorFromFlag('resource/cpu,request=50m,limit=100m')
 */
export function makeIsolatorFromFlag(text: string, options?: SchemaValidateOptions): Result<Isolator> {
  // Go reads the item as a URL query after prefixing "name=" and turning commas into ampersands.
  const q = goParseQuery('name=' + text.replace(/,/g, '&'));
  if (!q.ok) return flagFailure('ISOLATOR_FLAG_INVALID', `cannot parse isolator ${quote(text)}: ${q.message}`, options);
  const counts = new Map<string, number>();
  for (const [k] of q.pairs) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const [k, n] of counts) {
    if (n > 1) return flagFailure('ISOLATOR_FLAG_INVALID', `cannot parse isolator ${quote(text)}: ${quote(k)} is given ${n} times`, options, { key: k });
  }
  const name = q.pairs.find(([k]) => k === 'name')![1];
  const nameCtx = createContext(options);
  if (checkACIdentifier(name, '', nameCtx) === undefined) return issuesOnly<Isolator>(nameCtx.issues, options);
  let json: string;
  if (name === LINUX_NO_NEW_PRIVILEGES || name === LINUX_OOM_SCORE_ADJ) {
    const parts = text.split(',');
    if (parts.length !== 2) return flagFailure('ISOLATOR_FLAG_INVALID', `isolator ${name}: invalid format, expected ${name},VALUE`, options, { name });
    json = `{ "name": "${name}", "value": ${parts[1]} }`;
  } else if (isolatorKind(name) !== undefined && name.startsWith('resource/')) {
    const fields = q.pairs.filter(([k]) => k !== 'name').map(([k, v]) => `"${k}": "${v}"`);
    json = `{ "name": "${name}", "value": { ${fields.join(', ')} } }`;
  } else {
    return flagFailure('ISOLATOR_FLAG_UNSUPPORTED', `isolator ${name} is not supported for patching (use resource/*, ${LINUX_NO_NEW_PRIVILEGES} or ${LINUX_OOM_SCORE_ADJ})`, options, { name });
  }
  let decoded: { value?: unknown };
  try {
    decoded = JSON.parse(json) as { value?: unknown };
  } catch {
    return flagFailure('ISOLATOR_FLAG_INVALID', `cannot read isolator ${quote(text)}: the value is not valid JSON (${quote(json, 120)})`, options);
  }
  const extra: Issue[] = [];
  if (name === LINUX_OOM_SCORE_ADJ && typeof decoded.value === 'number' && !/^[\t\n\r ]*-?(0|[1-9][0-9]*)[\t\n\r ]*$/.test(text.split(',')[1]!)) {
    // Go decodes into an int, which refuses a fraction or exponent even when the number is whole.
    const ctx = createContext(options);
    reportJson(ctx, 'JSON_NOT_INTEGER', '/value', `expected an integer literal, got ${text.split(',')[1]}`, { value: decoded.value });
    extra.push(...ctx.issues);
  }
  return build(name, decoded.value, options, extra);
}

/** Builds every isolator of a `--isolators` flag (`item[:item...]`); issues of item i are under `/i`. */
export function makeIsolatorsFromFlag(text: string, options?: SchemaValidateOptions): Result<Isolator[]> {
  const issues: Issue[] = [];
  const out: Isolator[] = [];
  text.split(':').forEach((item, i) => {
    const r = makeIsolatorFromFlag(item, options);
    const found = r.ok ? r.warnings : r.issues;
    issues.push(...found.map((x) => extend(x, { path: childPointer('', i) + x.path })));
    if (r.ok) out.push(r.value);
  });
  return toResult(out, issues, options);
}

/**
 * Builds the seccomp isolator of `patch-manifest --seccomp-mode=remove|retain[,errno=E]
 * --seccomp-set=a,b`, as Go's actool does (an empty set flag gives the set `[""]`).
 */
export function makeSeccompIsolatorFromFlags(modeFlag: string, setFlag: string, options?: SchemaValidateOptions): Result<Isolator> {
  let mode = '';
  let errno = '';
  for (const arg of modeFlag.split(',')) {
    const kv = arg.split('=');
    if (kv.length === 1) mode = kv[0]!;
    else if (kv.length === 2 && kv[0] === 'errno') errno = kv[1]!;
    else if (kv.length === 2) return flagFailure('ISOLATOR_FLAG_INVALID', `invalid seccomp-mode optional argument: ${arg} (only errno=E is allowed)`, options);
    else return flagFailure('ISOLATOR_FLAG_INVALID', `cannot parse seccomp-mode argument: ${arg}`, options);
  }
  if (mode !== 'remove' && mode !== 'retain') return flagFailure('ISOLATOR_FLAG_INVALID', `unknown seccomp mode ${quote(mode)}: expected remove or retain`, options);
  return makeSeccompIsolator(mode, setFlag.split(','), errno, options);
}
