/** Volume: a pod's empty or host directory, with the `NAME,kind=K,...` string form (spec/pods.md volumes; checklist T-VL-1..7). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { issuesOnly, toResult } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { fieldPointer, readFields } from '../internal/fields.js';
import { readFlagParams } from '../internal/flag-query.js';
import { GO_BOOL_LITERALS, parseGoBool, parseGoInt } from '../internal/go-text.js';
import { checkBooleanField, checkInteger, checkObject, checkStringField } from '../internal/json-types.js';
import type { ACName } from './ac-name.js';
import { checkACName } from './ac-name.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_KIND_SOURCE_READONLY_RECURSIVE_MODE_UID_GID = ['name', 'kind', 'source', 'readOnly', 'recursive', 'mode', 'uid', 'gid'] as const;

/** The two volume kinds: a fresh directory for the pod, or a bind mount of a host directory. */
export type VolumeKind = 'empty' | 'host';

/**
 * A pod volume. The optional fields are tri-state: absent differs from false or 0. After reading,
 * an `empty` volume always has mode, uid and gid (defaults `"0755"`, 0, 0) and a `host` volume has
 * none of them.
 */
export interface Volume {
  readonly name: ACName;
  readonly kind: VolumeKind;
  /** Absolute host path; only for `host` volumes. */
  readonly source?: string;
  readonly readOnly?: boolean;
  /** Only read for `host` volumes; executors SHOULD default to recursive. */
  readonly recursive?: boolean;
  /** Permission bits as octal text; only for `empty` volumes. */
  readonly mode?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Codes reported for volumes. */
export const VOLUME_CODES = {
  VOLUME_NAME_MISSING: { severity: 'error', summary: 'A volume has no name ("name must be set").', spec: 'T-VL-2' },
  VOLUME_KIND_INVALID: { severity: 'error', summary: 'A volume kind is missing or is not "empty" or "host".', spec: 'T-VL-3' },
  VOLUME_SOURCE_NOT_ALLOWED: { severity: 'error', summary: 'An empty volume has a source.', spec: 'T-VL-3' },
  VOLUME_SOURCE_MISSING: { severity: 'error', summary: 'A host volume has no source.', spec: 'T-VL-3' },
  VOLUME_SOURCE_RELATIVE: { severity: 'error', summary: 'A host volume source is not an absolute path.', spec: 'T-VL-3' },
  VOLUME_FIELD_NOT_ALLOWED: { severity: 'error', summary: 'A host volume sets mode, uid or gid (they apply to empty volumes only).', spec: 'T-VL-3' },
  VOLUME_MODE_INVALID: { severity: 'warning', summary: 'An empty volume mode is not octal permission bits such as "0755" (Go does not check).', spec: 'T-VL-4' },
  VOLUME_FLAG_INVALID: { severity: 'error', summary: 'A volume string is malformed: unknown or repeated key, a bad boolean, or a uid/gid that is not an integer in 0..4294967295.', spec: 'T-VL-7' },
} as const satisfies CodeTable;

const report = reporter(VOLUME_CODES);

/** Defaults of an empty volume (T-VL-1). */
export const EMPTY_VOLUME_DEFAULTS = Object.freeze({ mode: '0755', uid: 0, gid: 0 });
/** Largest uid or gid accepted (32-bit ids; larger or negative ones are errors, Go accepts any int). */
const MAX_ID = 4294967295;
const MODE = /^[0-7]{1,5}$/;

interface Draft {
  name: ACName | undefined;
  kind: string;
  source: string;
  readOnly?: boolean;
  recursive?: boolean;
  mode?: string;
  uid?: number;
  gid?: number;
}

/** Where each field's issues go. */
type Paths = Readonly<Record<'self' | 'name' | 'kind' | 'source' | 'mode' | 'uid' | 'gid', string>>;

/** Fills the empty-volume defaults, then applies Go's kind rules (T-VL-1, T-VL-3); returns the volume or undefined. */
function finishVolume(d: Draft, paths: Paths, ctx: CheckContext, nameMissing: boolean): Volume | undefined {
  if (d.kind === 'empty') {
    d.mode ??= EMPTY_VOLUME_DEFAULTS.mode;
    d.uid ??= EMPTY_VOLUME_DEFAULTS.uid;
    d.gid ??= EMPTY_VOLUME_DEFAULTS.gid;
  }
  let ok = d.name !== undefined;
  if (nameMissing) {
    report(ctx, 'VOLUME_NAME_MISSING', paths.self, 'name must be set');
    ok = false;
  }
  if (d.kind === 'empty') {
    if (d.source !== '') {
      report(ctx, 'VOLUME_SOURCE_NOT_ALLOWED', paths.source, `source for empty volume must be empty, got ${quote(d.source)}`, { value: d.source });
      ok = false;
    }
    if (!MODE.test(d.mode!) || parseInt(d.mode!, 8) > 0o7777) {
      report(ctx, 'VOLUME_MODE_INVALID', paths.mode, `mode ${quote(d.mode)} is not octal permission bits such as "0755"`, { value: d.mode! });
    }
  } else if (d.kind === 'host') {
    if (d.source === '') {
      report(ctx, 'VOLUME_SOURCE_MISSING', paths.source === paths.self ? paths.self : paths.source, 'source for host volume cannot be empty');
      ok = false;
    } else if (!d.source.startsWith('/')) {
      report(ctx, 'VOLUME_SOURCE_RELATIVE', paths.source, `source for host volume must be absolute path, got ${quote(d.source)}`, { value: d.source });
      ok = false;
    }
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (d[key] !== undefined) {
        report(ctx, 'VOLUME_FIELD_NOT_ALLOWED', paths[key], `${key} for host volume cannot be set (it applies to empty volumes only)`, { field: key });
        ok = false;
      }
    }
  } else {
    report(ctx, 'VOLUME_KIND_INVALID', paths.kind, `unrecognized volume kind ${quote(d.kind)}: should be one of "empty", "host"`, { value: d.kind });
    ok = false;
  }
  if (!ok || d.name === undefined) return undefined;
  const v: { -readonly [K in keyof Volume]: Volume[K] } = { name: d.name, kind: d.kind as VolumeKind };
  if (d.source !== '') v.source = d.source;
  if (d.readOnly !== undefined) v.readOnly = d.readOnly;
  if (d.recursive !== undefined) v.recursive = d.recursive;
  if (d.mode !== undefined) v.mode = d.mode;
  if (d.uid !== undefined) v.uid = d.uid;
  if (d.gid !== undefined) v.gid = d.gid;
  return v;
}

/**
 * Checks one volume object (T-VL-1..4): defaults first (empty volumes only), then the kind rules.
 * Negative or too large uid/gid are errors here (Go accepts any int); a mode that is not octal is a warning.
 */
export function checkVolume(value: unknown, path: string, ctx: CheckContext): Volume | undefined {
  // Go decodes a null volume as a zero volume, which then has no name and no kind.
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const keys = KEYS_NAME_KIND_SOURCE_READONLY_RECURSIVE_MODE_UID_GID;
  const f = readFields(obj, keys, path, ctx, undefined, ['kind', 'source']);
  const at = (k: string): string => fieldPointer(obj, k, path);
  let typesOk = true;
  const nullable = <T>(v: T | undefined, raw: unknown): T | undefined => {
    if (v === undefined && raw !== undefined && raw !== null) typesOk = false;
    return v;
  };
  const nameMissing = f.name === undefined;
  const name = nameMissing ? ('' as ACName) : checkACName(f.name, at('name'), ctx);
  const kind = nullable(checkStringField(f.kind, obj, 'kind', path, ctx, ''), f.kind);
  const source = nullable(checkStringField(f.source, obj, 'source', path, ctx, ''), f.source);
  const d: Draft = { name, kind: kind ?? '', source: source ?? '' };
  const readOnly = nullable(checkBooleanField(f.readOnly, obj, 'readOnly', path, ctx), f.readOnly);
  if (readOnly !== undefined) d.readOnly = readOnly;
  const recursive = nullable(checkBooleanField(f.recursive, obj, 'recursive', path, ctx), f.recursive);
  if (recursive !== undefined) d.recursive = recursive;
  // JSON null on these pointer fields means absent.
  const mode = f.mode === null ? undefined : nullable(checkStringField(f.mode, obj, 'mode', path, ctx), f.mode);
  if (mode !== undefined) d.mode = mode;
  const uid = nullable(checkInteger(f.uid, at('uid'), ctx, 0, MAX_ID), f.uid);
  if (uid !== undefined) d.uid = uid;
  const gid = nullable(checkInteger(f.gid, at('gid'), ctx, 0, MAX_ID), f.gid);
  if (gid !== undefined) d.gid = gid;
  if (kind === undefined || source === undefined) return undefined;
  const paths: Paths = {
    self: path,
    name: at('name'),
    kind: f.kind === undefined ? path : at('kind'),
    source: f.source === undefined ? path : at('source'),
    mode: f.mode === undefined ? path : at('mode'),
    uid: at('uid'),
    gid: at('gid'),
  };
  const v = finishVolume(d, paths, ctx, nameMissing);
  return typesOk ? v : undefined;
}

/** Validates one decoded volume. */
export function validateVolume(value: unknown, options?: SchemaValidateOptions): Result<Volume> {
  return runChecker(checkVolume, value, options);
}

/**
 * Parses the string form `NAME,kind=K[,source=S][,readOnly=B][,recursive=B][,mode=M][,uid=N][,gid=N]`
 * (T-VL-7), as Go's VolumeFromString: B a Go boolean, uid and gid decimal integers; empty-volume
 * defaults are filled, then the kind rules apply.
 *
 * @example parseVolumeFlag('database,kind=host,source=/tmp,readOnly=true,recursive=true')
 */
export function parseVolumeFlag(text: string, options?: SchemaValidateOptions): Result<Volume> {
  const ctx = createContext(options);
  const fail = (message: string, params?: Record<string, string>): Result<Volume> => {
    report(ctx, 'VOLUME_FLAG_INVALID', '', message, params);
    return issuesOnly<Volume>(ctx.issues, options);
  };
  const r = readFlagParams(text);
  if (!r.ok) return fail(`cannot parse volume ${quote(text)}: ${r.message}`);
  const d: Draft = { name: undefined, kind: '', source: '' };
  for (const [key, v] of r.params) {
    switch (key) {
      case 'name':
        d.name = checkACName(v, '', ctx);
        if (d.name === undefined) return issuesOnly<Volume>(ctx.issues, options);
        break;
      case 'kind':
        d.kind = v;
        break;
      case 'source':
        d.source = v;
        break;
      case 'mode':
        d.mode = v;
        break;
      case 'readOnly':
      case 'recursive': {
        const b = parseGoBool(v);
        if (b === undefined) return fail(`${key} ${quote(v)} is not a boolean (one of ${GO_BOOL_LITERALS})`, { key, value: v });
        d[key] = b;
        break;
      }
      case 'uid':
      case 'gid': {
        const n = parseGoInt(v);
        if (n === undefined || n < 0 || n > MAX_ID) return fail(`${key} ${quote(v)} is not an integer in 0..${MAX_ID}`, { key, value: v });
        d[key] = n;
        break;
      }
      default:
        return fail(`unknown volume parameter ${quote(key)} (expected name, kind, source, readOnly, recursive, mode, uid, gid)`, { key });
    }
  }
  const all = '';
  const v = finishVolume(d, { self: all, name: all, kind: all, source: all, mode: all, uid: all, gid: all }, ctx, false);
  return toResult(v as Volume, ctx.issues, options);
}

/**
 * Prints a volume in its string form, as Go's `Volume.String()`: name, kind, then source,
 * readOnly and recursive when set, then (empty volumes) mode, uid and gid when not the default.
 * parseVolumeFlag reads it back (for values without commas).
 */
export function formatVolumeFlag(volume: Volume): string {
  let s = `${volume.name},kind=${volume.kind}`;
  if (volume.source !== undefined && volume.source !== '') s += `,source=${volume.source}`;
  if (volume.readOnly !== undefined) s += `,readOnly=${volume.readOnly}`;
  if (volume.recursive !== undefined) s += `,recursive=${volume.recursive}`;
  if (volume.kind === 'empty') {
    if (volume.mode !== undefined && volume.mode !== EMPTY_VOLUME_DEFAULTS.mode) s += `,mode=${volume.mode}`;
    if (volume.uid !== undefined && volume.uid !== EMPTY_VOLUME_DEFAULTS.uid) s += `,uid=${volume.uid}`;
    if (volume.gid !== undefined && volume.gid !== EMPTY_VOLUME_DEFAULTS.gid) s += `,gid=${volume.gid}`;
  }
  return s;
}
