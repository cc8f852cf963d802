/** ImageManifest: the manifest inside every ACI (spec/aci.md#image-manifest-schema; checklist M-IM-1..4). */
import type { Result } from '../issues/issue.js';
import { childPointer } from '../issues/json-pointer.js';
import type { App } from './app.js';
import { checkApp } from './app.js';
import type { CheckContext, SchemaValidateOptions } from './internal/check.js';
import { reporter } from './internal/check.js';
import type { DocumentKind, ParseManifestOptions } from './internal/document.js';
import { checkDocument, runDocument } from './internal/document.js';
import { fieldPointer, readFields } from './internal/fields.js';
import { checkArray, checkString, reportMissing } from './internal/json-types.js';
import { reportNotObject } from './internal/json-types.js';
import { finish } from './internal/finish.js';
import { lastDitchImage } from './last-ditch.js';
import { MANIFEST_CODES } from './manifest-codes.js';
import { validateImageManifestSchema } from './generated/validators.js';
import type { ACIdentifier, ACVersion, Annotation, Dependency, Label } from './internal/type-checkers.js';
import { checkACIdentifier, checkACKind, checkACVersion, checkACVersionCompatibility, checkAnnotations, checkDependencies, checkLabels } from './internal/type-checkers.js';

export type { ParseManifestOptions } from './internal/document.js';

/** A validated image manifest, fields in the canonical order of the Go reference (M-IM-3). */
export interface ImageManifest {
  readonly acKind: 'ImageManifest';
  readonly acVersion: ACVersion;
  readonly name: ACIdentifier;
  readonly labels?: readonly Label[];
  readonly app?: App;
  readonly annotations?: readonly Annotation[];
  readonly dependencies?: readonly Dependency[];
  readonly pathWhitelist?: readonly string[];
}

const FIELDS = ['acKind', 'acVersion', 'name', 'labels', 'app', 'annotations', 'dependencies', 'pathWhitelist'] as const;
const report = reporter(MANIFEST_CODES);

/** Lexical clean of an absolute slash path, as Go's path.Clean (`//`, `.`, `..` resolved; no trailing `/`). */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** Whether a ".." of the path climbs above its root (Go's filepath.Join("rootfs", p) then leaves rootfs). */
function climbs(p: string): boolean {
  let depth = 0;
  for (const part of p.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

function checkPathWhitelist(value: unknown, path: string, ctx: CheckContext): string[] | undefined {
  const list = checkArray(value, path, ctx);
  if (list === undefined) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  list.forEach((v, i) => {
    const p = childPointer(path, i);
    const s = checkString(v, p, ctx);
    if (s === undefined) return;
    if (!s.startsWith('/')) report(ctx, 'MANIFEST_PATH_WHITELIST_RELATIVE', p, `${JSON.stringify(s)} is not an absolute path; it is read as /${s}`, { value: s });
    // A trailing "/" (the spec's own example writes "/etc/systemd/system/") is read the same by Go and render.
    // Without "//" and "/." an absolute path is clean but for that trailing "/": nothing to clean.
    const clean = s.startsWith('/') && !s.includes('//') && !s.includes('/.') ? s : cleanPath(s);
    if (s.startsWith('/') && clean !== s && clean + '/' !== s) {
      const why = climbs(s) ? `Go matches no file for it (its ".." leaves rootfs), render reads it as ${JSON.stringify(clean)}` : `it is read as ${JSON.stringify(clean)}`;
      report(ctx, 'MANIFEST_PATH_WHITELIST_UNCLEAN', p, `${JSON.stringify(s)} is not a clean path: ${why}; write ${JSON.stringify(clean)}`, { value: s, clean });
    }
    if (seen.has(s)) report(ctx, 'MANIFEST_PATH_WHITELIST_DUPLICATE', p, `${JSON.stringify(s)} is listed twice`, { value: s });
    seen.add(s);
    out.push(s);
  });
  return out;
}

/** Checks a decoded image manifest; returns the canonical typed value (best effort, even with errors). */
export function checkImageManifest(value: unknown, path: string, ctx: CheckContext): ImageManifest | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reportNotObject(ctx, path, value);
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  const f = readFields(obj, FIELDS, path, ctx, ['app']);
  const at = (name: (typeof FIELDS)[number]): string => fieldPointer(obj, name, path);

  if (f.acKind === undefined) reportMissing(ctx, at('acKind'), 'acKind', 'acKind ("ImageManifest")');
  const acKind = f.acKind === undefined ? undefined : checkACKind(f.acKind, at('acKind'), ctx, 'ImageManifest');
  if (f.acVersion === undefined) reportMissing(ctx, at('acVersion'), 'acVersion', 'acVersion (the spec version, e.g. "0.8.11")');
  const acVersion = f.acVersion === undefined ? undefined : checkACVersion(f.acVersion, at('acVersion'), ctx);
  if (acVersion !== undefined) checkACVersionCompatibility(acVersion, at('acVersion'), ctx);
  if (f.name === undefined) reportMissing(ctx, at('name'), 'name', 'name (the image name, an ACIdentifier)');
  const name = f.name === undefined ? undefined : checkACIdentifier(f.name, at('name'), ctx);
  const labels = f.labels === undefined || f.labels === null ? undefined : checkLabels(f.labels, at('labels'), ctx);
  const app = f.app === undefined || f.app === null ? undefined : checkApp(f.app, at('app'), ctx);
  const annotations = f.annotations === undefined || f.annotations === null ? undefined : checkAnnotations(f.annotations, at('annotations'), ctx);
  const dependencies = f.dependencies === undefined || f.dependencies === null ? undefined : checkDependencies(f.dependencies, at('dependencies'), ctx);
  const pathWhitelist = f.pathWhitelist === undefined ? undefined : checkPathWhitelist(f.pathWhitelist, at('pathWhitelist'), ctx);

  const m: Record<string, unknown> = {
    acKind: acKind ?? (typeof f.acKind === 'string' ? f.acKind : ''),
    acVersion: acVersion ?? (typeof f.acVersion === 'string' ? f.acVersion : ''),
    name: name ?? (typeof f.name === 'string' ? f.name : ''),
  };
  if (labels?.length) m['labels'] = labels;
  if (app !== undefined) m['app'] = app;
  if (annotations?.length) m['annotations'] = annotations;
  if (dependencies?.length) m['dependencies'] = dependencies;
  if (pathWhitelist?.length) m['pathWhitelist'] = pathWhitelist;
  return m as unknown as ImageManifest;
}

/** The image manifest kind for the document pipeline. */
export const IMAGE_MANIFEST_KIND: DocumentKind<ImageManifest> = {
  check: checkImageManifest,
  schema: validateImageManifestSchema,
  lastDitch: lastDitchImage,
};

/**
 * Parses and validates an image manifest from JSON text or UTF-8 bytes. Never throws: bad JSON, wrong
 * types and spec violations are issues with a JSON pointer, line and column.
 * @example
 * const r = parseImageManifest(text);
 * if (!r.ok) for (const i of r.issues) console.log(i.line, i.code, i.message);
 */
export function parseImageManifest(input: string | Uint8Array, options?: ParseManifestOptions): Result<ImageManifest> {
  return runDocument(input, IMAGE_MANIFEST_KIND, options);
}

/** Validates an already decoded image manifest object. */
export function validateImageManifest(value: unknown, options?: SchemaValidateOptions): Result<ImageManifest> {
  const { typed, issues } = checkDocument(value, IMAGE_MANIFEST_KIND, options);
  return finish(typed, issues, value, options, lastDitchImage);
}
