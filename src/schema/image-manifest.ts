/** ImageManifest (spec/aci.md#image-manifest-schema; checklist M-IM-*). PLACEHOLDER: the lead is replacing this with the full validator; the exported signatures stay. */
import type { Result } from '../issues/issue.js';
import type { SchemaValidateOptions } from './internal/check.js';

/** A validated image manifest (fields typed loosely until the full module lands). */
export interface ImageManifest {
  readonly acKind: 'ImageManifest';
  readonly acVersion: string;
  readonly name: string;
  readonly labels?: readonly { readonly name: string; readonly value: string }[];
  readonly app?: Readonly<Record<string, unknown>> | null;
  readonly annotations?: readonly { readonly name: string; readonly value: string }[];
  readonly dependencies?: readonly Readonly<Record<string, unknown>>[];
  readonly pathWhitelist?: readonly string[];
}

/** Options for parsing manifests from text. */
export interface ParseManifestOptions extends SchemaValidateOptions {
  /** Largest document accepted, in bytes (default 1 MiB... see docs/manifests.md). */
  readonly maxBytes?: number;
  /** Deepest nesting of arrays and objects accepted (default 64). */
  readonly maxDepth?: number;
}

/** Parses and validates an image manifest from JSON text or UTF-8 bytes. Never throws on bad input. */
export function parseImageManifest(input: string | Uint8Array, options?: ParseManifestOptions): Result<ImageManifest> {
  void options;
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  try {
    const v = JSON.parse(text) as ImageManifest;
    if (v?.acKind !== 'ImageManifest') return { ok: false, issues: [{ code: 'MANIFEST_WRONG_KIND', severity: 'error', path: '/acKind', message: 'expected "ImageManifest"' }] };
    return { ok: true, value: v, warnings: [] };
  } catch (e) {
    return { ok: false, issues: [{ code: 'JSON_SYNTAX', severity: 'error', path: '', message: String(e) }] };
  }
}

/** Serializes a manifest as canonical compact JSON (or indented with `pretty`). */
export function stringifyManifest(manifest: unknown, options?: { readonly pretty?: boolean }): string {
  return JSON.stringify(manifest, null, options?.pretty ? 4 : undefined);
}
