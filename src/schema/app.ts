/** App: what an image runs (spec/aci.md#image-manifest-schema "app"; checklist T-AP-1..7). */
import type { Result } from '../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from './internal/check.js';
import { reporter, runChecker } from './internal/check.js';
import { fieldPointer, readFields } from './internal/fields.js';
import { checkInteger, checkList, checkObject, checkStringField } from './internal/json-types.js';
import { MANIFEST_CODES } from './manifest-codes.js';
import { reportDuplicateMountPoints } from './types/mount-point.js';
import { reportDuplicatePorts } from './types/port.js';
import type { EnvironmentVariable, EventHandler, Exec, Isolator, MountPoint, Port } from './internal/type-checkers.js';
import { checkAppIsolators, checkEnvironment, checkEventHandlers, checkExec, checkMountPoint, checkPort, checkUserAnnotations, checkUserLabels } from './internal/type-checkers.js';

/** The app an image runs, with the canonical field order of the Go reference. */
export interface App {
  readonly exec: Exec | null;
  readonly eventHandlers?: readonly EventHandler[];
  readonly user: string;
  readonly group: string;
  readonly supplementaryGIDs?: readonly number[];
  readonly workingDirectory?: string;
  readonly environment?: readonly EnvironmentVariable[];
  readonly mountPoints?: readonly MountPoint[];
  readonly ports?: readonly Port[];
  readonly isolators?: readonly Isolator[];
  readonly userAnnotations?: Readonly<Record<string, string>>;
  readonly userLabels?: Readonly<Record<string, string>>;
}

const FIELDS = ['exec', 'eventHandlers', 'user', 'group', 'supplementaryGIDs', 'workingDirectory', 'environment', 'mountPoints', 'ports', 'isolators', 'userAnnotations', 'userLabels'] as const;

const report = reporter(MANIFEST_CODES);

/**
 * Checks an App object. `null` and a missing app are "no app" (returns undefined without issues);
 * `{}` is invalid because user and group are required (T-AP-1).
 */
export function checkApp(value: unknown, path: string, ctx: CheckContext): App | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, FIELDS, path, ctx, ['userAnnotations', 'userLabels'], ['user', 'group', 'workingDirectory']);
  const at = (name: (typeof FIELDS)[number]): string => fieldPointer(obj, name, path);

  const exec = f.exec === undefined || f.exec === null ? null : (checkExec(f.exec, at('exec'), ctx) ?? null);
  const eventHandlers = f.eventHandlers === undefined ? undefined : checkEventHandlers(f.eventHandlers, at('eventHandlers'), ctx);
  const user = checkStringField(f.user, obj, 'user', path, ctx, '');
  const group = checkStringField(f.group, obj, 'group', path, ctx, '');
  // A wrong type was reported already; "required" is only for a missing or empty value.
  if (user === '') report(ctx, 'APP_USER_REQUIRED', at('user'), 'user is required: a user name, a numeric uid, or an absolute path whose owner is used');
  if (group === '') report(ctx, 'APP_GROUP_REQUIRED', at('group'), 'group is required: a group name, a numeric gid, or an absolute path whose group is used');
  // GIDs are unsigned in the spec; Go takes negatives, which our policy makes an error.
  const supplementaryGIDs = checkList(f.supplementaryGIDs, at('supplementaryGIDs'), ctx, (v, p, c) => checkInteger(v, p, c, 0, 4294967295));
  const workingDirectory = checkStringField(f.workingDirectory, obj, 'workingDirectory', path, ctx);
  if (workingDirectory === '') report(ctx, 'APP_WORKING_DIRECTORY_EMPTY', at('workingDirectory'), 'workingDirectory is empty; leave it out or give an absolute path');
  if (workingDirectory !== undefined && workingDirectory !== '' && !workingDirectory.startsWith('/')) {
    report(ctx, 'APP_WORKING_DIRECTORY_RELATIVE', at('workingDirectory'), `workingDirectory ${JSON.stringify(workingDirectory)} must be an absolute path`, { value: workingDirectory });
  }
  const environment = f.environment === undefined ? undefined : checkEnvironment(f.environment, at('environment'), ctx);
  const mountPoints = checkList(f.mountPoints, at('mountPoints'), ctx, checkMountPoint);
  if (mountPoints) reportDuplicateMountPoints(mountPoints, at('mountPoints'), ctx);
  const ports = checkList(f.ports, at('ports'), ctx, checkPort);
  if (ports) reportDuplicatePorts(ports, at('ports'), ctx);
  const isolators = f.isolators === undefined || f.isolators === null ? undefined : checkAppIsolators(f.isolators, at('isolators'), ctx);
  const userAnnotations = f.userAnnotations === undefined ? undefined : checkUserAnnotations(f.userAnnotations, at('userAnnotations'), ctx);
  const userLabels = f.userLabels === undefined ? undefined : checkUserLabels(f.userLabels, at('userLabels'), ctx);

  // Build in canonical order, leaving out empty optional fields (Go's omitempty).
  const ordered: Record<string, unknown> = { exec };
  if (eventHandlers?.length) ordered['eventHandlers'] = eventHandlers;
  ordered['user'] = user ?? '';
  ordered['group'] = group ?? '';
  if (supplementaryGIDs?.length) ordered['supplementaryGIDs'] = supplementaryGIDs;
  if (workingDirectory) ordered['workingDirectory'] = workingDirectory;
  if (environment?.length) ordered['environment'] = environment;
  if (mountPoints?.length) ordered['mountPoints'] = mountPoints;
  if (ports?.length) ordered['ports'] = ports;
  if (isolators?.length) ordered['isolators'] = isolators;
  if (userAnnotations && Object.keys(userAnnotations).length) ordered['userAnnotations'] = userAnnotations;
  if (userLabels && Object.keys(userLabels).length) ordered['userLabels'] = userLabels;
  return ordered as unknown as App;
}

/** Validates a decoded App object. */
export function validateApp(value: unknown, options?: SchemaValidateOptions): Result<App> {
  return runChecker(checkApp, value, options);
}
