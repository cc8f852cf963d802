/** Detecting a manifest's kind and serializing manifests (checklist M-KD-1, G-9, M-IM-3, M-PM-3). */
import type { Issue, Result } from '../issues/issue.js';
import { AppcValidationError } from '../issues/appc-error.js';
import { extend } from '../internal/extend.js';
import type { SchemaValidateOptions } from './internal/check.js';
import type { ParseManifestOptions } from './internal/document.js';
import { parseDocument, runDocument } from './internal/document.js';
import { finish } from './internal/finish.js';
import { goJsonStringify } from './internal/go-json.js';
import { withPositions } from './internal/positions.js';
import { goFieldValue } from './internal/fields.js';
import type { ImageManifest } from './image-manifest.js';
import { IMAGE_MANIFEST_KIND, validateImageManifest } from './image-manifest.js';
import type { PodManifest } from './pod-manifest.js';
import { POD_MANIFEST_KIND, validatePodManifest } from './pod-manifest.js';
import { MANIFEST_CODES } from './manifest-codes.js';
import { JSON_CODES } from './codes.js';

/** The two manifest kinds. */
export type ManifestKind = 'ImageManifest' | 'PodManifest';

/** A manifest of either kind. */
export type Manifest = ImageManifest | PodManifest;

/** A result that also says which kind the document declared (when it could be told). */
export type ManifestResult = Result<Manifest> & { readonly kind?: ManifestKind };

function findKind(value: unknown): string | undefined {
  const kind = goFieldValue(value, 'acKind');
  return typeof kind === 'string' ? kind : undefined;
}

function unknownKind(value: unknown): Issue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { code: 'JSON_NOT_OBJECT', severity: JSON_CODES.JSON_NOT_OBJECT.severity, path: '', message: 'a manifest must be a JSON object' };
  }
  const kind = findKind(value);
  return {
    code: 'MANIFEST_UNKNOWN_KIND',
    severity: MANIFEST_CODES.MANIFEST_UNKNOWN_KIND.severity,
    path: '/acKind',
    message: kind === undefined ? 'acKind is missing: expected "ImageManifest" or "PodManifest"' : `acKind ${JSON.stringify(kind)} is neither "ImageManifest" nor "PodManifest"`,
  };
}

/**
 * Parses a manifest of either kind: reads acKind, then validates the document as that kind. A missing or
 * unknown kind is an issue (Go panics on it).
 */
export function parseManifest(input: string | Uint8Array, options?: ParseManifestOptions): ManifestResult {
  const pre = parseDocument(input, options);
  const { parsed, issues } = pre;
  if (parsed === undefined) return finish<Manifest>(undefined, issues, undefined, options, () => undefined);
  const kind = findKind(parsed.value);
  // The literal kind, not the decoded string: that may be a slice that keeps the whole document text alive.
  if (kind === 'ImageManifest') return extend(runDocument<Manifest>(input, IMAGE_MANIFEST_KIND, options, pre), { kind: 'ImageManifest' as const });
  if (kind === 'PodManifest') return extend(runDocument<Manifest>(input, POD_MANIFEST_KIND, options, pre), { kind: 'PodManifest' as const });
  return finish<Manifest>(undefined, withPositions([...issues, unknownKind(parsed.value)], parsed), undefined, options, () => undefined);
}

/** Validates a manifest of either kind given as text, bytes or an already decoded object. */
export function validateManifest(input: string | Uint8Array | object, options?: ParseManifestOptions): ManifestResult {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseManifest(input, options);
  const kind = findKind(input);
  if (kind === 'ImageManifest') return extend(validateImageManifest(input, options), { kind: 'ImageManifest' as const });
  if (kind === 'PodManifest') return extend(validatePodManifest(input, options), { kind: 'PodManifest' as const });
  return finish<Manifest>(undefined, [unknownKind(input)], undefined, options as SchemaValidateOptions, () => undefined);
}

/** Options of stringifyManifest. */
export interface StringifyOptions {
  /** Indent with 4 spaces, as `actool cat-manifest --pretty-print` does. */
  readonly pretty?: boolean;
}

/**
 * Serializes a validated manifest as canonical JSON: fields in the Go reference's order, empty optional
 * fields left out, `<` `>` `&` escaped (checklist G-9). Parsing the output gives the same manifest.
 * @throws AppcValidationError when the manifest has errors (Go refuses to encode them too).
 */
export function stringifyManifest(manifest: Manifest, options: StringifyOptions = {}): string {
  // Like Go's MarshalJSON, validate first; the checked value is also the canonical one.
  const result = validateManifest(manifest);
  if (!result.ok)
    throw new AppcValidationError(
      `cannot serialize an invalid manifest: ${result.issues
        .filter((i) => i.severity === 'error')
        .map((i) => `${i.path} ${i.message}`)
        .join('; ')}`,
      result.issues,
    );
  return goJsonStringify(result.value, options.pretty ? 4 : undefined);
}
