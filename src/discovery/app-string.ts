/** The app to discover and its command-line form `NAME[:VERSION][,LABEL=VALUE]...` (spec/discovery.md; checklist D-AP-1..3). */
import type { Result, ValidateOptions } from '../issues/issue.js';
import { issuesOnly, toResult } from '../issues/issue.js';
import { pointer } from '../issues/json-pointer.js';
import { createContext, quote, reporter } from '../schema/internal/check.js';
import type { CheckContext } from '../schema/internal/check.js';
import type { ACIdentifier } from '../schema/types/ac-identifier.js';
import { checkACIdentifier } from '../schema/types/ac-identifier.js';
import { DISCOVERY_CODES } from './codes.js';

/**
 * An image name plus the labels that pick one image (version, os, arch and any other label).
 * Labels are a plain object from label name to value; read them with `Object.hasOwn`.
 */
export interface DiscoveryApp {
  /** The image name, such as `example.com/reduce-worker`. */
  readonly name: ACIdentifier;
  /** Label values by name, in the order given. An empty value is allowed. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The label every discovery gets when it is missing or empty (as the Go reference does). */
export const DEFAULT_VERSION = 'latest';

const report = reporter(DISCOVERY_CODES);

/**
 * Parses an app string such as `example.com/reduce-worker:1.0.0,os=linux`, collecting every issue.
 *
 * The rules are Go's `NewAppFromString`: at most one `:`, which must come before the first `,` and stands
 * for `,version=`; every other part is `LABEL=VALUE` (the value may be empty and keeps any further `=`);
 * label names and the image name must be ACIdentifiers; a label may not appear twice nor be called `name`.
 * Label names are taken literally (Go percent-decodes them; see docs/discovery.md).
 *
 * @example
 * const r = parseAppString('example.com/app:1.2.3,channel=beta');
 * if (r.ok) r.value.labels['version']; // '1.2.3'
 * @see spec/discovery.md
 */
export function parseAppString(text: string, options?: ValidateOptions): Result<DiscoveryApp> {
  const ctx = createContext();
  if (typeof text !== 'string') {
    report(ctx, 'DISCOVERY_APP_WRONG_TYPE', '', `expected an app string, got ${text === null ? 'null' : typeof text}`);
    return issuesOnly<DiscoveryApp>(ctx.issues, options);
  }
  const firstComma = text.indexOf(',');
  const firstColon = text.indexOf(':');
  if (firstComma >= 0 && firstColon > firstComma) {
    report(ctx, 'DISCOVERY_APP_COLON_AFTER_LABEL', '', `${quote(text)}: the colon may only follow the name directly (NAME:VERSION,LABEL=VALUE)`, { column: firstColon + 1 });
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) report(ctx, 'DISCOVERY_APP_MULTIPLE_COLONS', '', `${quote(text)} has ${colons} colons; at most one is allowed (NAME:VERSION)`, { count: colons });

  const prepared = firstColon >= 0 ? text.slice(0, firstColon) + ',version=' + text.slice(firstColon + 1) : text;
  const parts = prepared.split(',');
  const nameText = parts[0] ?? '';
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  let versionFromColon: string | undefined;
  parts.slice(1).forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      report(ctx, 'DISCOVERY_APP_LABEL_WITHOUT_VALUE', '', `${quote(part)} in ${quote(text)} has no "=": labels are written LABEL=VALUE`, { part });
      return;
    }
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const at = pointer('labels', key);
    if (key === 'name') {
      report(ctx, 'DISCOVERY_APP_DUPLICATE_LABEL', at, `a label cannot be called "name": the name is the text before the first ":" or ","`, { label: key });
      return;
    }
    if (seen.has(key)) {
      const hint = key === 'version' && firstColon >= 0 ? ' (":VERSION" already sets it)' : '';
      report(ctx, 'DISCOVERY_APP_DUPLICATE_LABEL', at, `label ${quote(key)} is given more than once${hint}`, { label: key });
      return;
    }
    seen.add(key);
    if (checkACIdentifier(key, at, ctx) === undefined) return;
    labels[key] = value;
    if (index === 0 && firstColon >= 0 && key === 'version') versionFromColon = value;
  });
  const name = checkACIdentifier(nameText, '/name', ctx);
  if (versionFromColon?.includes('/')) {
    report(
      ctx,
      'DISCOVERY_APP_PORT_IN_NAME',
      pointer('labels', 'version'),
      `${quote(text)} is read as name ${quote(nameText)} with version ${quote(versionFromColon)}; a port cannot be part of an app name (use the port option)`,
      { version: versionFromColon },
    );
  }
  return toResult({ name: (name ?? nameText) as ACIdentifier, labels }, ctx.issues, options);
}

/**
 * Checks an app given as an object: the name and every label name must be ACIdentifiers and every value a string.
 * A label called `name` is accepted here (Go ignores it when rendering templates).
 */
export function validateDiscoveryApp(value: unknown, options?: ValidateOptions): Result<DiscoveryApp> {
  const ctx = createContext();
  const app = checkDiscoveryApp(value, ctx);
  return toResult(app as DiscoveryApp, ctx.issues, options);
}

function checkDiscoveryApp(value: unknown, ctx: CheckContext): DiscoveryApp | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(ctx, 'DISCOVERY_APP_WRONG_TYPE', '', 'expected an object {name, labels}');
    return undefined;
  }
  const v = value as { name?: unknown; labels?: unknown };
  const name = checkACIdentifier(v.name, '/name', ctx);
  const labels: Record<string, string> = {};
  if (v.labels !== undefined && v.labels !== null) {
    if (typeof v.labels !== 'object' || Array.isArray(v.labels)) {
      report(ctx, 'DISCOVERY_APP_WRONG_TYPE', '/labels', 'labels must be an object from label name to string value');
    } else {
      for (const [key, val] of Object.entries(v.labels as Record<string, unknown>)) {
        const at = pointer('labels', key);
        const ok = checkACIdentifier(key, at, ctx) !== undefined;
        if (typeof val !== 'string') {
          report(ctx, 'DISCOVERY_APP_WRONG_TYPE', at, `the value of label ${quote(key)} must be a string`);
        } else if (ok) labels[key] = val;
      }
    }
  }
  return name === undefined ? undefined : { name, labels };
}

/**
 * Writes an app as `NAME,LABEL=VALUE...` (labels in their order), which parseAppString reads back to the
 * same app as long as no value holds `,` or `:` (the format has no escaping, as in Go).
 */
export function formatAppString(app: DiscoveryApp): string {
  return (
    app.name +
    Object.entries(app.labels)
      .map(([k, v]) => `,${k}=${v}`)
      .join('')
  );
}

/**
 * Returns the app with defaults filled in: each label of `defaults` that is missing or empty, then
 * `version=latest` when the version is still missing or empty (Go's rule, D-WK-2).
 */
export function withDefaultLabels(app: DiscoveryApp, defaults: Readonly<Record<string, string>> = {}): DiscoveryApp {
  const labels: Record<string, string> = { ...app.labels };
  for (const [k, v] of Object.entries(defaults)) {
    if (!Object.hasOwn(labels, k) || labels[k] === '') labels[k] = v;
  }
  if (!Object.hasOwn(labels, 'version') || labels['version'] === '') labels['version'] = DEFAULT_VERSION;
  return { name: app.name, labels };
}
