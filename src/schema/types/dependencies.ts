/** Dependencies: the images an image is rendered on top of (spec/aci.md#image-manifest-schema dependencies; checklist T-DP-1..3). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { toResult } from '../../issues/issue.js';
import { childPointer } from '../../issues/json-pointer.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter, runChecker } from '../internal/check.js';
import { fieldPointer, readFields } from '../internal/fields.js';
import { checkArray, checkObject, checkUint64 } from '../internal/json-types.js';
import type { ACIdentifier } from './ac-identifier.js';
import { checkACIdentifier } from './ac-identifier.js';
import type { ImageID } from './image-id.js';
import { checkImageID } from './image-id.js';
import type { Labels } from './labels.js';
import { checkLabels } from './labels.js';
import { mapList } from '../internal/map-list.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_IMAGENAME_IMAGEID_LABELS_SIZE = ['imageName', 'imageID', 'labels', 'size'] as const;

/** One dependency of an image; the order of the list is the order of rendering. */
export interface Dependency {
  /** Name of the dependent image. */
  readonly imageName: ACIdentifier;
  /** If given, the retrieved image MUST have this ID. */
  readonly imageID?: ImageID;
  /** Labels to match when resolving the dependency by name. */
  readonly labels?: Labels;
  /** Size in bytes; the ACE SHOULD check it when retrieving (against endless data). */
  /** Size in bytes (Go's uint64): a number up to 2^53-1, a bigint above, so no value is rounded. */
  readonly size?: number | bigint;
}

/** Codes reported for dependencies. */
export const DEPENDENCY_CODES = {
  DEPENDENCY_IMAGE_NAME_MISSING: { severity: 'error', summary: 'A dependency has no imageName ("imageName cannot be empty").', spec: 'T-DP-1' },
  DEPENDENCY_IMAGE_ID_MISMATCH: { severity: 'error', summary: 'A retrieved dependency does not have the image ID the dependency requires.', spec: 'T-DP-3' },
  DEPENDENCY_SIZE_MISMATCH: { severity: 'warning', summary: 'A retrieved dependency does not have the size the dependency gives (the ACE SHOULD check it).', spec: 'T-DP-3' },
} as const satisfies CodeTable;

const report = reporter(DEPENDENCY_CODES);

/**
 * Checks one dependency object (T-DP-1, T-DP-2): imageName is a required ACIdentifier; imageID,
 * when present and not null, an Image ID (so `""` is an error); labels as image labels; size an
 * unsigned integer (a negative size is an error).
 */
export function checkDependency(value: unknown, path: string, ctx: CheckContext): Dependency | undefined {
  // Go decodes a null item as an empty dependency, which then has no imageName.
  const obj = value === null ? {} : checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_IMAGENAME_IMAGEID_LABELS_SIZE, path, ctx, undefined, ['size']);
  let ok = true;
  let imageName: ACIdentifier | undefined;
  if (f.imageName === undefined) {
    report(ctx, 'DEPENDENCY_IMAGE_NAME_MISSING', path, 'imageName cannot be empty');
    ok = false;
  } else {
    imageName = checkACIdentifier(f.imageName, fieldPointer(obj, 'imageName', path), ctx);
  }
  let imageID: ImageID | undefined;
  if (f.imageID !== undefined && f.imageID !== null) {
    imageID = checkImageID(f.imageID, fieldPointer(obj, 'imageID', path), ctx);
    if (imageID === undefined) ok = false;
  }
  let labels: Labels | undefined;
  if (f.labels !== undefined && f.labels !== null) {
    const before = ctx.issues.length;
    labels = checkLabels(f.labels, fieldPointer(obj, 'labels', path), ctx);
    if (labels === undefined || ctx.issues.slice(before).some((i) => i.severity === 'error')) ok = false;
  }
  let size: number | bigint | undefined;
  if (f.size !== undefined && f.size !== null) {
    size = checkUint64(f.size, fieldPointer(obj, 'size', path), ctx);
    if (size === undefined) ok = false;
  }
  if (!ok || imageName === undefined) return undefined;
  const out: { -readonly [K in keyof Dependency]: Dependency[K] } = { imageName };
  if (imageID !== undefined) out.imageID = imageID;
  if (labels !== undefined && labels.length > 0) out.labels = labels;
  if (size !== undefined && size !== 0) out.size = size;
  return out;
}

/** Validates one decoded dependency. */
export function validateDependency(value: unknown, options?: SchemaValidateOptions): Result<Dependency> {
  return runChecker(checkDependency, value, options);
}

/** Checks a dependency list (order kept; null or missing is an empty list). */
export function checkDependencies(value: unknown, path: string, ctx: CheckContext): Dependency[] | undefined {
  if (value === null || value === undefined) return [];
  const arr = checkArray(value, path, ctx);
  if (arr === undefined) return undefined;
  const items = mapList(arr, (item, i) => checkDependency(item, childPointer(path, i), ctx));
  return items.every((d) => d !== undefined) ? (items as Dependency[]) : undefined;
}

/** Validates a decoded dependency list. */
export function validateDependencies(value: unknown, options?: SchemaValidateOptions): Result<Dependency[]> {
  return runChecker(checkDependencies, value, options);
}

/** What was actually retrieved for a dependency. */
export interface RetrievedDependency {
  /** The image ID of the retrieved image (`sha512-` + hex of the uncompressed tar). */
  readonly imageID?: string;
  /** The size in bytes of the retrieved image. */
  readonly size?: number;
}

/**
 * The checks an executor makes on a retrieved dependency (T-DP-3; Go makes neither): the image
 * ID MUST match a required imageID, and the size SHOULD match a given size.
 *
 * @example verifyDependency(dep, { imageID: 'sha512-…', size: 22017258 })
 */
export function verifyDependency(dependency: Dependency, retrieved: RetrievedDependency, options?: SchemaValidateOptions): Result<Dependency> {
  const ctx = createContext(options);
  if (dependency.imageID !== undefined && retrieved.imageID !== undefined && retrieved.imageID !== dependency.imageID) {
    report(
      ctx,
      'DEPENDENCY_IMAGE_ID_MISMATCH',
      '/imageID',
      `dependency ${quote(dependency.imageName)} requires image ID ${quote(dependency.imageID)}, the retrieved image has ${quote(retrieved.imageID)}`,
      { expected: dependency.imageID, got: retrieved.imageID },
    );
  }
  if (dependency.size !== undefined && retrieved.size !== undefined && BigInt(retrieved.size) !== BigInt(dependency.size)) {
    report(ctx, 'DEPENDENCY_SIZE_MISMATCH', '/size', `dependency ${quote(dependency.imageName)} gives size ${dependency.size}, the retrieved image has ${retrieved.size} bytes`, {
      expected: dependency.size.toString(),
      got: retrieved.size,
    });
  }
  return toResult(dependency, ctx.issues, options);
}
