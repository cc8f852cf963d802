/** PodManifest: a pod of apps and volumes (spec/pods.md#pod-manifest-schema; checklist M-PM-1..5). */
import type { Result } from '../issues/issue.js';
import { childPointer } from '../issues/json-pointer.js';
import type { App } from './app.js';
import { checkApp } from './app.js';
import type { CheckContext, SchemaValidateOptions } from './internal/check.js';
import { reporter } from './internal/check.js';
import type { DocumentKind, ParseManifestOptions } from './internal/document.js';
import { checkDocument, runDocument } from './internal/document.js';
import { fieldPointer, goFieldValue, readFields } from './internal/fields.js';
import { finish } from './internal/finish.js';
import { checkBooleanField, checkList, checkObject, checkStringField } from './internal/json-types.js';
import { reportNotObject } from './internal/json-types.js';
import { lastDitchPod } from './last-ditch.js';
import { MANIFEST_CODES } from './manifest-codes.js';
import { validatePodManifestSchema } from './generated/validators.js';
import type { ACIdentifier, ACName, ACVersion, Annotation, ExposedPort, ImageID, Isolator, Label, Volume } from './internal/type-checkers.js';
import {
  checkACIdentifier,
  checkACKind,
  checkACName,
  checkACVersion,
  checkACVersionCompatibility,
  checkAnnotations,
  checkExposedPort,
  checkImageID,
  checkLabels,
  checkPodIsolators,
  checkUserAnnotations,
  checkUserLabels,
  checkVolume,
} from './internal/type-checkers.js';
import { mapList } from './internal/map-list.js';

/** The image a pod app runs: `id` is required for a runnable (reified) pod. */
export interface RuntimeImage {
  readonly name?: ACIdentifier;
  /** Missing in a pod template. */
  readonly id?: ImageID;
  readonly labels?: readonly Label[];
}

/** A volume mounted into one app. */
export interface Mount {
  readonly volume?: ACName;
  readonly path?: string;
  readonly appVolume?: Volume;
}

/** One app of a pod. */
export interface RuntimeApp {
  readonly name?: ACName;
  readonly image: RuntimeImage;
  readonly app?: App;
  readonly readOnlyRootFS?: boolean;
  readonly mounts?: readonly Mount[];
  readonly annotations?: readonly Annotation[];
}

/** A validated pod manifest, fields in the canonical order of the Go reference (M-PM-3). */
export interface PodManifest {
  readonly acVersion?: ACVersion;
  readonly acKind: 'PodManifest';
  readonly apps: readonly RuntimeApp[] | null;
  readonly volumes: readonly Volume[] | null;
  readonly isolators: readonly Isolator[] | null;
  readonly annotations: readonly Annotation[] | null;
  readonly ports: readonly ExposedPort[] | null;
  readonly userAnnotations?: Readonly<Record<string, string>>;
  readonly userLabels?: Readonly<Record<string, string>>;
}

const FIELDS = ['acVersion', 'acKind', 'apps', 'volumes', 'isolators', 'annotations', 'ports', 'userAnnotations', 'userLabels'] as const;
const APP_FIELDS = ['name', 'image', 'app', 'readOnlyRootFS', 'mounts', 'annotations'] as const;
const IMAGE_FIELDS = ['name', 'id', 'labels'] as const;
const MOUNT_FIELDS = ['volume', 'path', 'appVolume'] as const;
const report = reporter(MANIFEST_CODES);

function checkMount(value: unknown, path: string, ctx: CheckContext): Mount | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, MOUNT_FIELDS, path, ctx, undefined, ['path']);
  const volume = f.volume === undefined ? undefined : checkACName(f.volume, fieldPointer(obj, 'volume', path), ctx);
  const mountPath = checkStringField(f.path, obj, 'path', path, ctx);
  if (f.volume === undefined || !mountPath) {
    report(ctx, 'POD_MOUNT_MISSING_FIELD', path, `a mount needs ${f.volume === undefined ? '"volume"' : ''}${f.volume === undefined && !mountPath ? ' and ' : ''}${!mountPath ? '"path"' : ''}`);
  }
  const appVolume = f.appVolume === undefined || f.appVolume === null ? undefined : checkVolume(f.appVolume, fieldPointer(obj, 'appVolume', path), ctx);
  // Missing fields stay missing, so the output parses back to the same value.
  const m: Record<string, unknown> = {};
  if (volume !== undefined) m['volume'] = volume;
  if (mountPath !== undefined) m['path'] = mountPath;
  if (appVolume !== undefined) m['appVolume'] = appVolume;
  return m as unknown as Mount;
}

function checkRuntimeImage(value: unknown, path: string, ctx: CheckContext, appPath: string): RuntimeImage {
  const obj = checkObject(value, path, ctx) ?? {};
  const f = readFields(obj, IMAGE_FIELDS, path, ctx);
  const name = f.name === undefined || f.name === null ? undefined : checkACIdentifier(f.name, fieldPointer(obj, 'name', path), ctx);
  let id: ImageID | undefined;
  if (f.id === undefined) report(ctx, 'POD_APP_MISSING_IMAGE_ID', childPointer(path, 'id'), `the app at ${appPath} has no image id, so the pod is only a template`);
  else id = checkImageID(f.id, fieldPointer(obj, 'id', path), ctx);
  const labels = f.labels === undefined || f.labels === null ? undefined : checkLabels(f.labels, fieldPointer(obj, 'labels', path), ctx);
  const img: Record<string, unknown> = {};
  if (name !== undefined) img['name'] = name;
  if (id !== undefined) img['id'] = id;
  if (labels?.length) img['labels'] = labels;
  return img as unknown as RuntimeImage;
}

function checkRuntimeApp(value: unknown, path: string, ctx: CheckContext): RuntimeApp | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, APP_FIELDS, path, ctx, ['image', 'app'], ['image', 'readOnlyRootFS']);
  const at = (n: (typeof APP_FIELDS)[number]): string => fieldPointer(obj, n, path);
  let name: ACName | undefined;
  if (f.name === undefined) report(ctx, 'POD_APP_MISSING_NAME', childPointer(path, 'name'), 'the app has no name');
  else name = checkACName(f.name, at('name'), ctx);
  const image = checkRuntimeImage(f.image, at('image'), ctx, path);
  const app = f.app === undefined || f.app === null ? undefined : checkApp(f.app, at('app'), ctx);
  const readOnlyRootFS = checkBooleanField(f.readOnlyRootFS, obj, 'readOnlyRootFS', path, ctx);
  const mounts = checkList(f.mounts, at('mounts'), ctx, checkMount);
  const annotations = f.annotations === undefined || f.annotations === null ? undefined : checkAnnotations(f.annotations, at('annotations'), ctx, { nameKind: 'name' });
  const ra: Record<string, unknown> = {};
  if (name !== undefined) ra['name'] = name;
  ra['image'] = image;
  if (app !== undefined) ra['app'] = app;
  if (readOnlyRootFS) ra['readOnlyRootFS'] = true;
  if (mounts?.length) ra['mounts'] = mounts;
  if (annotations?.length) ra['annotations'] = annotations;
  return ra as unknown as RuntimeApp;
}

function reportDuplicates(
  names: readonly (string | undefined)[],
  path: string,
  field: string,
  ctx: CheckContext,
  code: 'POD_DUPLICATE_APP' | 'POD_DUPLICATE_VOLUME' | 'POD_DUPLICATE_EXPOSED_PORT',
  what: string,
): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (n === undefined) return;
    if (seen.has(n)) report(ctx, code, childPointer(path, i, field), `duplicate ${what} name ${JSON.stringify(n)}`, { name: n });
    seen.add(n);
  });
}

/** Checks a decoded pod manifest; returns the canonical typed value (best effort, even with errors). */
export function checkPodManifest(value: unknown, path: string, ctx: CheckContext): PodManifest | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reportNotObject(ctx, path, value);
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  const f = readFields(obj, FIELDS, path, ctx, ['userAnnotations', 'userLabels']);
  const at = (n: (typeof FIELDS)[number]): string => fieldPointer(obj, n, path);

  let acVersion: ACVersion | undefined;
  if (f.acVersion === undefined) report(ctx, 'POD_MISSING_ACVERSION', at('acVersion'), 'acVersion is required (the spec version, e.g. "0.8.11")');
  else {
    acVersion = checkACVersion(f.acVersion, at('acVersion'), ctx);
    if (acVersion !== undefined) checkACVersionCompatibility(acVersion, at('acVersion'), ctx);
  }
  const acKind = checkACKind(f.acKind ?? '', at('acKind'), ctx, 'PodManifest');
  if (f.apps === undefined || f.apps === null) report(ctx, 'POD_MISSING_APPS', at('apps'), 'apps is required (a list of the apps of the pod)');
  const apps = checkList(f.apps, at('apps'), ctx, checkRuntimeApp);
  // Names must be unique; compare by position in the input list so the pointer is right.
  const rawApps = Array.isArray(f.apps) ? f.apps : [];
  const nameOf = (item: unknown): string | undefined => {
    const n = goFieldValue(item, 'name');
    return typeof n === 'string' ? n : undefined;
  };
  // Go's AppList decoder compares names as decoded: an app without a name has the name "", so two are duplicates.
  const appNames = rawApps.map((item) => {
    const n = goFieldValue(item, 'name');
    return n === undefined || n === null ? '' : typeof n === 'string' ? n : undefined;
  });
  reportDuplicates(appNames, at('apps'), 'name', ctx, 'POD_DUPLICATE_APP', 'app');
  const volumes = checkList(f.volumes, at('volumes'), ctx, checkVolume);
  const rawVolumes = Array.isArray(f.volumes) ? f.volumes : [];
  const volumeNames = mapList(rawVolumes, nameOf);
  reportDuplicates(volumeNames, at('volumes'), 'name', ctx, 'POD_DUPLICATE_VOLUME', 'volume');
  const isolators = f.isolators === undefined || f.isolators === null ? undefined : checkPodIsolators(f.isolators, at('isolators'), ctx);
  const annotations = f.annotations === undefined || f.annotations === null ? undefined : checkAnnotations(f.annotations, at('annotations'), ctx, { nameKind: 'name' });
  const ports = checkList(f.ports, at('ports'), ctx, checkExposedPort);
  if (ports)
    reportDuplicates(
      ports.map((p) => p.name),
      at('ports'),
      'name',
      ctx,
      'POD_DUPLICATE_EXPOSED_PORT',
      'exposed port',
    );
  const userAnnotations = f.userAnnotations === undefined ? undefined : checkUserAnnotations(f.userAnnotations, at('userAnnotations'), ctx);
  const userLabels = f.userLabels === undefined ? undefined : checkUserLabels(f.userLabels, at('userLabels'), ctx);

  // Mounts must name a volume of the pod unless they carry their own appVolume (spec; Go does not check).
  const defined = new Set(volumeNames.filter((n): n is string => n !== undefined));
  for (const [i, app] of (apps ?? []).entries()) {
    for (const [j, m] of (app.mounts ?? []).entries()) {
      // An inline appVolume is used instead of finding the pod volume by name (pods.md).
      if (m.volume !== undefined && m.appVolume === undefined && !defined.has(m.volume))
        report(ctx, 'POD_MOUNT_UNKNOWN_VOLUME', childPointer(at('apps'), i, 'mounts', j, 'volume'), `mount refers to volume ${JSON.stringify(m.volume)}, which the pod does not define`, {
          volume: m.volume,
        });
    }
  }

  const pm: Record<string, unknown> = {};
  if (acVersion !== undefined) pm['acVersion'] = acVersion;
  Object.assign(pm, {
    acKind: acKind ?? 'PodManifest',
    apps: apps ?? null,
    volumes: volumes ?? null,
    isolators: isolators ?? null,
    annotations: annotations ?? null,
    ports: ports ?? null,
  });
  if (userAnnotations && Object.keys(userAnnotations).length) pm['userAnnotations'] = userAnnotations;
  if (userLabels && Object.keys(userLabels).length) pm['userLabels'] = userLabels;
  return pm as unknown as PodManifest;
}

/** The pod manifest kind for the document pipeline. */
export const POD_MANIFEST_KIND: DocumentKind<PodManifest> = {
  check: checkPodManifest,
  schema: validatePodManifestSchema,
  lastDitch: lastDitchPod,
};

/** Parses and validates a pod manifest from JSON text or UTF-8 bytes. Never throws on bad input. */
export function parsePodManifest(input: string | Uint8Array, options?: ParseManifestOptions): Result<PodManifest> {
  return runDocument(input, POD_MANIFEST_KIND, options);
}

/** Validates an already decoded pod manifest object. */
export function validatePodManifest(value: unknown, options?: SchemaValidateOptions): Result<PodManifest> {
  const { typed, issues } = checkDocument(value, POD_MANIFEST_KIND, options);
  return finish(typed, issues, value, options, lastDitchPod);
}

/** Finds an app by name, ignoring case (M-PM-4). */
export function getPodApp(pod: PodManifest, name: string): RuntimeApp | undefined {
  const lower = name.toLowerCase();
  return pod.apps?.find((a) => a.name?.toLowerCase() === lower);
}
