/** Annotations: the `{name, value}` metadata list of images and pods, and its recognised names (spec/aci.md#image-manifest-schema, spec/pods.md; checklist T-AN-1..4). */
import type { CodeTable } from '../../issues/codes.js';
import type { Result } from '../../issues/issue.js';
import { toResult } from '../../issues/issue.js';
import type { CheckContext, SchemaValidateOptions } from '../internal/check.js';
import { createContext, quote, reporter } from '../internal/check.js';
import { checkString } from '../internal/json-types.js';
import { readObjectList } from '../internal/object-list.js';
import type { ACIdentifier } from './ac-identifier.js';
import { checkACIdentifier, equalACIdentifiers, isACIdentifier } from './ac-identifier.js';
import { checkDate, parseDate } from './date.js';
import type { HttpURL } from './url.js';
import { checkHttpURL, isHttpURL } from './url.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_NAME_VALUE = ['name', 'value'] as const;

/** One annotation: an ACIdentifier name and a free string value. */
export interface Annotation {
  readonly name: ACIdentifier;
  readonly value: string;
}

/** A list of annotations, in document order. */
export type Annotations = readonly Annotation[];

/** The annotation that says an app supports sd_notify (T-AN-3). */
export const SUPPORTS_SYSTEMD_NOTIFY = 'appc.io/executor/supports-systemd-notify';

/** Codes reported for annotation lists. */
export const ANNOTATIONS_CODES = {
  ANNOTATIONS_DUPLICATE_NAME: { severity: 'error', summary: 'Two annotations have the same name.', spec: 'spec/aci.md#image-manifest-schema T-AN-1' },
  ANNOTATIONS_NAME_NOT_ACNAME: {
    severity: 'warning',
    summary: 'A pod annotation name is an ACIdentifier but not an AC Name as the pod spec requires; Go accepts it.',
    spec: 'spec/pods.md#pod-manifest-schema §8.2',
  },
  ANNOTATIONS_BAD_SYSTEMD_NOTIFY: {
    severity: 'warning',
    summary: 'The appc.io/executor/supports-systemd-notify annotation is neither "true" nor "false"; Go does not check it.',
    spec: 'spec/aci.md#image-manifest-schema T-AN-3',
  },
} as const satisfies CodeTable;

const report = reporter(ANNOTATIONS_CODES);

/** Options of checkAnnotations. */
export interface CheckAnnotationsOptions {
  /**
   * What the names must be: `identifier` (the default; image annotations, and what Go checks
   * everywhere), or `name` for pod and pod-app annotations, where the spec asks for AC Names:
   * a name that is an ACIdentifier but not an AC Name is then a warning.
   */
  readonly nameKind?: 'identifier' | 'name';
}

/**
 * Checks a JSON list of annotations at `path` (T-AN-1..3): each item an object with an
 * ACIdentifier `name` and a string `value` (null or missing is `""`); names unique (exact
 * comparison, as Go); `created` an RFC 3339 date, `homepage` and `documentation` http(s) URLs,
 * supports-systemd-notify `"true"` or `"false"` (a warning). Value issues point at the value.
 *
 * @returns the annotations (null or a missing list gives `[]`), or undefined when the value is not a list.
 */
export function checkAnnotations(value: unknown, path: string, ctx: CheckContext, options?: CheckAnnotationsOptions): Annotations | undefined {
  const items = readObjectList(value, path, ctx, KEYS_NAME_VALUE, ['value']);
  if (items === undefined) return undefined;
  const out: Annotation[] = [];
  const first = new Map<string, string>();
  for (const item of items) {
    // Pointers are built when something is reported or checked further, not for every annotation.
    const rawName = item.fields.name;
    const id = isACIdentifier(rawName) ? rawName : checkACIdentifier(rawName, item.at('name'), ctx);
    // Only the separators . _ ~ / make an ACIdentifier a non-ACName; a repeated - already has its own warning.
    if (id !== undefined && options?.nameKind === 'name' && /[._~/]/.test(id)) {
      report(ctx, 'ANNOTATIONS_NAME_NOT_ACNAME', item.at('name'), `pod annotation name ${quote(id)} should be an AC Name (a-z, 0-9 and -), as the pod spec requires`, { name: id });
    }
    const name = rawName === null || rawName === undefined ? '' : typeof rawName === 'string' ? rawName : undefined;
    const rawValue = item.fields.value;
    const text = typeof rawValue === 'string' ? rawValue : checkString(rawValue, item.at('value'), ctx, '');
    if (name !== undefined) {
      const before = first.get(name);
      if (before !== undefined) report(ctx, 'ANNOTATIONS_DUPLICATE_NAME', item.at('name'), `duplicate annotation ${quote(name)} (first at ${before})`, { name, first: before });
      else first.set(name, item.path);
    }
    if (text !== undefined) {
      if (name === 'created') checkDate(text, item.at('value'), ctx);
      else if (name === 'homepage' || name === 'documentation') checkHttpURL(text, item.at('value'), ctx);
      else if (name === SUPPORTS_SYSTEMD_NOTIFY && text !== 'true' && text !== 'false') {
        report(ctx, 'ANNOTATIONS_BAD_SYSTEMD_NOTIFY', item.at('value'), `${SUPPORTS_SYSTEMD_NOTIFY} is ${quote(text)}; expected "true" or "false" (unset means "false")`, { value: text });
      }
    }
    out.push({ name: (name ?? '') as ACIdentifier, value: text ?? '' });
  }
  return out;
}

/** Options of validateAnnotations. */
export interface ValidateAnnotationsOptions extends SchemaValidateOptions, CheckAnnotationsOptions {}

/**
 * Validates a decoded JSON list of annotations.
 *
 * @example
 * validateAnnotations([{ name: 'homepage', value: 'ftp://example.com' }]); // fails: URL_BAD_SCHEME at /0/value
 */
export function validateAnnotations(value: unknown, options?: ValidateAnnotationsOptions): Result<Annotations> {
  const ctx = createContext(options);
  const list = checkAnnotations(value, '', ctx, options);
  return toResult(list as Annotations, ctx.issues, options);
}

/** The value of the first annotation named exactly `name` (T-AN-4), or undefined. */
export function getAnnotation(annotations: readonly { readonly name: string; readonly value: string }[], name: string): string | undefined {
  return annotations.find((a) => a.name === name)?.value;
}

/**
 * Returns a new list with `name` set to `value` (T-AN-4, Go's Set): the first entry whose name
 * matches ignoring case is replaced (taking the new spelling of the name) in place; otherwise
 * the annotation is appended. The input list is not changed.
 */
export function setAnnotation(annotations: Annotations, name: ACIdentifier, value: string): Annotation[] {
  const out = [...annotations];
  const i = out.findIndex((a) => equalACIdentifiers(a.name, name));
  if (i >= 0) out[i] = { name, value };
  else out.push({ name, value });
  return out;
}

/** The recognised annotations of the spec, typed (T-AN-2, T-AN-3). */
export interface KnownAnnotations {
  /** When the image was built (`created`), when it is a valid timestamp. */
  readonly created?: Date;
  /** `homepage`, when it is an http(s) URL. */
  readonly homepage?: HttpURL;
  /** `documentation`, when it is an http(s) URL. */
  readonly documentation?: HttpURL;
  /** `authors`: free text. */
  readonly authors?: string;
  /** `appc.io/executor/supports-systemd-notify` is `"true"` (anything else, or unset, is false). */
  readonly supportsSystemdNotify: boolean;
}

/**
 * Reads the recognised annotations into typed values; invalid values are left out (validate the
 * list to learn why).
 *
 * @example
 * readKnownAnnotations(manifest.annotations ?? []).created?.getUTCFullYear();
 */
export function readKnownAnnotations(annotations: readonly { readonly name: string; readonly value: string }[]): KnownAnnotations {
  const created = getAnnotation(annotations, 'created');
  const homepage = getAnnotation(annotations, 'homepage');
  const documentation = getAnnotation(annotations, 'documentation');
  const authors = getAnnotation(annotations, 'authors');
  const date = created === undefined ? undefined : parseDate(created);
  return {
    ...(date === undefined ? {} : { created: date }),
    ...(isHttpURL(homepage) ? { homepage } : {}),
    ...(isHttpURL(documentation) ? { documentation } : {}),
    ...(authors === undefined ? {} : { authors }),
    supportsSystemdNotify: getAnnotation(annotations, SUPPORTS_SYSTEMD_NOTIFY) === 'true',
  };
}
