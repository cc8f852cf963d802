/** MountPoint: where an app expects a volume, and its `NAME,path=P[,readOnly=B]` string form (spec/aci.md#image-manifest-schema app.mountPoints; checklist T-MP-1..3). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { issuesOnly, toResult } from '../../issues/issue.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { fieldPointer, readFields } from '../internal/fields.js';
import { readFlagParams } from '../internal/flag-query.js';
import { GO_BOOL_LITERALS, parseGoBool } from '../internal/go-text.js';
import { checkArray, checkBooleanField, checkObject, checkStringField } from '../internal/json-types.js';
import type { ACName } from './ac-name.js';
import { checkACName } from './ac-name.js';
import { mapList } from '../internal/map-list.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_PATH_READONLY = ['name', 'path', 'readOnly'] as const;

/**
 * A mount point of an app. A name or path missing from the document (accepted by Go, with a
 * warning here) reads as `""`.
 */
export interface MountPoint {
  /** Refers to a volume of the pod (through a mount or by name). */
  readonly name: ACName;
  /** Where the volume is mounted inside the rootfs. */
  readonly path: string;
  /** Defaults to false; left out when false. */
  readonly readOnly?: boolean;
}

/** Codes reported for mount points. */
export const MOUNT_POINT_CODES = {
  MOUNTPOINT_NAME_MISSING: { severity: 'warning', summary: 'A mount point has no name; the spec requires one, Go accepts it in JSON.', spec: 'T-MP-2 §8.12' },
  MOUNTPOINT_PATH_MISSING: { severity: 'warning', summary: 'A mount point has no path or an empty one; the spec requires one, Go accepts it in JSON.', spec: 'T-MP-2 §8.12' },
  MOUNTPOINT_PATH_RELATIVE: { severity: 'warning', summary: 'A mount point path is not absolute (paths are inside the rootfs; Go does not check).', spec: 'T-MP-2 §8.12' },
  MOUNTPOINT_DUPLICATE_NAME: { severity: 'warning', summary: 'Two mount points of an app have the same name (Go accepts it; a name must identify one mount point).', spec: 'T-MP-2 §8.12' },
  MOUNTPOINT_FLAG_INVALID: {
    severity: 'error',
    summary: 'A mount point string (patch-manifest --mounts) is malformed: missing name or path, unknown or repeated key, or a readOnly that is not a Go boolean.',
    spec: 'T-MP-3',
  },
} as const satisfies CodeTable;

const report = reporter(MOUNT_POINT_CODES);

/**
 * Checks one mount point object (T-MP-1, T-MP-2): Go checks only the name syntax, and only when a
 * name is present; missing name or path and a relative path are warnings.
 */
export function checkMountPoint(value: unknown, path: string, ctx: CheckContext): MountPoint | undefined {
  // Go decodes a null item as an empty mount point.
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_NAME_PATH_READONLY, path, ctx, undefined, ['path', 'readOnly']);
  let name: ACName | undefined = '' as ACName;
  if (f.name === undefined) report(ctx, 'MOUNTPOINT_NAME_MISSING', path, 'mount point has no "name"');
  else name = checkACName(f.name, fieldPointer(obj, 'name', path), ctx);
  const mpPath = checkStringField(f.path, obj, 'path', path, ctx, '');
  if (mpPath === '') report(ctx, 'MOUNTPOINT_PATH_MISSING', f.path === undefined ? path : fieldPointer(obj, 'path', path), 'mount point has no "path"');
  else if (mpPath !== undefined && !mpPath.startsWith('/')) {
    report(ctx, 'MOUNTPOINT_PATH_RELATIVE', fieldPointer(obj, 'path', path), `mount point path ${quote(mpPath)} should be absolute`, { value: mpPath });
  }
  const readOnly = checkBooleanField(f.readOnly, obj, 'readOnly', path, ctx);
  if (name === undefined || mpPath === undefined || (readOnly === undefined && f.readOnly !== undefined && f.readOnly !== null)) return undefined;
  return readOnly ? { name, path: mpPath, readOnly } : { name, path: mpPath };
}

/** Validates one decoded mount point. */
export function validateMountPoint(value: unknown, options?: SchemaValidateOptions): Result<MountPoint> {
  return runChecker(checkMountPoint, value, options);
}

/**
 * Reports mount points that repeat a name (a warning: Go accepts it). `path` is the list's pointer;
 * each repeat is reported at its own `name`. Unnamed items are skipped.
 */
export function reportDuplicateMountPoints(mountPoints: readonly (MountPoint | undefined)[], path: string, ctx: CheckContext): void {
  const seen = new Map<string, number>();
  mountPoints.forEach((mp, i) => {
    if (mp === undefined || mp.name === '') return;
    const first = seen.get(mp.name);
    if (first === undefined) seen.set(mp.name, i);
    else report(ctx, 'MOUNTPOINT_DUPLICATE_NAME', childPointer(path, i, 'name'), `mount point name ${quote(mp.name)} is already used by item ${first}`, { name: mp.name, first });
  });
}

/** Checks `app.mountPoints`: every item, then repeated names. Null or missing is an empty list. */
export function checkMountPoints(value: unknown, path: string, ctx: CheckContext): MountPoint[] | undefined {
  if (value === null || value === undefined) return [];
  const arr = checkArray(value, path, ctx);
  if (arr === undefined) return undefined;
  const items = mapList(arr, (item, i) => checkMountPoint(item, childPointer(path, i), ctx));
  reportDuplicateMountPoints(items, path, ctx);
  return items.every((m) => m !== undefined) ? (items as MountPoint[]) : undefined;
}

/** Validates a decoded mount point list. */
export function validateMountPoints(value: unknown, options?: SchemaValidateOptions): Result<MountPoint[]> {
  return runChecker(checkMountPoints, value, options);
}

/**
 * Parses the string form `NAME,path=P[,readOnly=B]` of `patch-manifest --mounts` (T-MP-3), as Go's
 * MountPointFromString: keys name, path, readOnly, each once; B a Go boolean; name and path set.
 *
 * @example parseMountPointFlag('database,path=/var/lib/db,readOnly=true')
 */
export function parseMountPointFlag(text: string, options?: SchemaValidateOptions): Result<MountPoint> {
  const ctx = createContext(options);
  const fail = (message: string, params?: Record<string, string>): Result<MountPoint> => {
    report(ctx, 'MOUNTPOINT_FLAG_INVALID', '', message, params);
    return issuesOnly<MountPoint>(ctx.issues, options);
  };
  const r = readFlagParams(text);
  if (!r.ok) return fail(`cannot parse mount point ${quote(text)}: ${r.message}`);
  let name: ACName | undefined;
  let mpPath = '';
  let readOnly = false;
  for (const [key, v] of r.params) {
    if (key === 'name') {
      name = checkACName(v, '', ctx);
      if (name === undefined) return issuesOnly<MountPoint>(ctx.issues, options);
    } else if (key === 'path') {
      mpPath = v;
    } else if (key === 'readOnly') {
      const b = parseGoBool(v);
      if (b === undefined) return fail(`readOnly ${quote(v)} is not a boolean (one of ${GO_BOOL_LITERALS})`, { value: v });
      readOnly = b;
    } else {
      return fail(`unknown mountpoint parameter ${quote(key)} (expected name, path, readOnly)`, { key });
    }
  }
  if (name === undefined || name === '') return fail('name must be set');
  if (mpPath === '') return fail('path must be set');
  return toResult(readOnly ? { name, path: mpPath, readOnly } : { name, path: mpPath }, ctx.issues, options);
}
