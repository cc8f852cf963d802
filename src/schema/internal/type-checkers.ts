/**
 * The type checkers the manifests are built from, in one place. The ones from the types-b batch are
 * TEMPORARY minimal versions until those modules land; the exported names and signatures are the contract.
 */
import type { CheckContext } from './check.js';
import { checkArray, checkObject } from './json-types.js';
export { checkACIdentifier } from '../types/ac-identifier.js';
export type { ACIdentifier } from '../types/ac-identifier.js';
export { checkACName } from '../types/ac-name.js';
export type { ACName } from '../types/ac-name.js';
export { checkACKind } from '../types/ac-kind.js';
export { checkACVersion, checkACVersionCompatibility } from '../types/semver.js';
export type { ACVersion } from '../types/semver.js';
export { checkImageID } from '../types/image-id.js';
export type { ImageID } from '../types/image-id.js';
export { checkLabels } from '../types/labels.js';
export type { Label } from '../types/labels.js';
export { checkAnnotations } from '../types/annotations.js';
export type { Annotation } from '../types/annotations.js';
export { checkEnvironment } from '../types/environment.js';
export type { EnvironmentVariable } from '../types/environment.js';
export { checkExec } from '../types/exec.js';
export type { Exec } from '../types/exec.js';
export { checkEventHandlers } from '../types/event-handlers.js';
export type { EventHandler } from '../types/event-handlers.js';
export { checkUserAnnotations, checkUserLabels } from '../types/user-maps.js';
export { checkMountPoint } from '../types/mount-point.js';
export type { MountPoint } from '../types/mount-point.js';
export { checkAppIsolators, checkPodIsolators } from '../types/isolator.js';
export type { Isolator } from '../types/isolator.js';

export interface Port { readonly name: string; readonly protocol: string; readonly port: number; readonly count: number; readonly socketActivated: boolean }
export interface ExposedPort { readonly name: string; readonly hostPort: number }
export interface Volume { readonly name: string; readonly kind: string }
export interface Dependency { readonly imageName: string }

const list = <T>(v: unknown, p: string, c: CheckContext): T[] | undefined => { const a = checkArray(v, p, c); return a === undefined ? undefined : (a as T[]); };
export const checkPort = (v: unknown, p: string, c: CheckContext): Port | undefined => checkObject(v, p, c) as Port | undefined;
export const checkExposedPort = (v: unknown, p: string, c: CheckContext): ExposedPort | undefined => checkObject(v, p, c) as ExposedPort | undefined;
export const checkVolume = (v: unknown, p: string, c: CheckContext): Volume | undefined => checkObject(v, p, c) as Volume | undefined;
export const checkDependencies = (v: unknown, p: string, c: CheckContext): Dependency[] | undefined => list<Dependency>(v, p, c);
