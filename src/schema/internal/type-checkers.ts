/**
 * The type checkers the manifests are built from, in one place. TEMPORARY minimal versions until the
 * full type modules land; the exported names and signatures are the contract.
 */
import type { CheckContext } from './check.js';
import { checkArray, checkObject, checkString, checkStringMap, reportWrongType } from './json-types.js';
import { childPointer } from '../../issues/json-pointer.js';
export { checkACIdentifier } from '../types/ac-identifier.js';
export type { ACIdentifier } from '../types/ac-identifier.js';
export { checkACName } from '../types/ac-name.js';
export type { ACName } from '../types/ac-name.js';

export type ACVersion = string & { readonly __v: 1 };
export type ImageID = string & { readonly __i: 1 };
export interface Label { readonly name: string; readonly value: string }
export type Annotation = Label;
export type EnvironmentVariable = Label;
export type Exec = readonly string[];
export interface EventHandler { readonly name: string; readonly exec?: Exec }
export interface MountPoint { readonly name: string; readonly path: string; readonly readOnly?: boolean }
export interface Port { readonly name: string; readonly protocol: string; readonly port: number; readonly count: number; readonly socketActivated: boolean }
export interface ExposedPort { readonly name: string; readonly hostPort: number }
export interface Isolator { readonly name: string; readonly value: unknown }
export interface Volume { readonly name: string; readonly kind: string }
export interface Dependency { readonly imageName: string }

const pass = <T>(v: unknown, p: string, c: CheckContext): T | undefined => (v === undefined ? undefined : (v as T));
const list = <T>(v: unknown, p: string, c: CheckContext): T[] | undefined => { const a = checkArray(v, p, c); return a === undefined ? undefined : (a as T[]); };

export function checkACKind(value: unknown, path: string, ctx: CheckContext, expected: 'ImageManifest' | 'PodManifest'): 'ImageManifest' | 'PodManifest' | undefined {
  if (value !== expected) { reportWrongType(ctx, path, expected, value); return undefined; }
  return expected;
}
export function checkACVersion(value: unknown, path: string, ctx: CheckContext): ACVersion | undefined { return checkString(value, path, ctx) as ACVersion | undefined; }
export function checkACVersionCompatibility(_v: ACVersion, _p: string, _c: CheckContext): void {}
export function checkImageID(value: unknown, path: string, ctx: CheckContext): ImageID | undefined { return checkString(value, path, ctx) as ImageID | undefined; }
export const checkLabels = (v: unknown, p: string, c: CheckContext): Label[] | undefined => list<Label>(v, p, c);
export const checkAnnotations = (v: unknown, p: string, c: CheckContext, _o?: { nameKind?: 'identifier' | 'name' }): Annotation[] | undefined => list<Annotation>(v, p, c);
export const checkEnvironment = (v: unknown, p: string, c: CheckContext): EnvironmentVariable[] | undefined => list<EnvironmentVariable>(v, p, c);
export const checkExec = (v: unknown, p: string, c: CheckContext): Exec | undefined => list<string>(v, p, c);
export const checkEventHandlers = (v: unknown, p: string, c: CheckContext): EventHandler[] | undefined => list<EventHandler>(v, p, c);
export const checkUserAnnotations = checkStringMap;
export const checkUserLabels = checkStringMap;
export const checkMountPoint = (v: unknown, p: string, c: CheckContext): MountPoint | undefined => checkObject(v, p, c) as MountPoint | undefined;
export const checkPort = (v: unknown, p: string, c: CheckContext): Port | undefined => checkObject(v, p, c) as Port | undefined;
export const checkExposedPort = (v: unknown, p: string, c: CheckContext): ExposedPort | undefined => checkObject(v, p, c) as ExposedPort | undefined;
export const checkVolume = (v: unknown, p: string, c: CheckContext): Volume | undefined => checkObject(v, p, c) as Volume | undefined;
export const checkAppIsolators = (v: unknown, p: string, c: CheckContext): Isolator[] | undefined => list<Isolator>(v, p, c);
export const checkPodIsolators = checkAppIsolators;
export const checkDependencies = (v: unknown, p: string, c: CheckContext): Dependency[] | undefined => list<Dependency>(v, p, c);
void pass; void childPointer;
