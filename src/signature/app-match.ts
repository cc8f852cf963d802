/** Checks a fetched image's manifest against the name and labels used to discover it (spec/discovery.md#validation). */
import type { Issue } from '../issues/issue.js';
import { SIGNATURE_CODES } from './codes.js';

/** The app that was discovered: its name and the labels to check (e.g. version, os, arch). */
export interface AppToMatch {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The parts of a manifest that discovery validation reads. */
export interface ManifestToMatch {
  readonly name: string;
  readonly labels?: readonly { readonly name: string; readonly value: string }[];
}

/**
 * Returns the issues that make a manifest not match the app it was discovered as: a different name
 * (`FETCH_NAME_MISMATCH`), or a discovery label that the manifest lacks or has with another value
 * (`FETCH_LABEL_MISMATCH`). Labels the manifest has but discovery did not use match with any value.
 */
export function matchManifestToApp(manifest: ManifestToMatch, app: AppToMatch): Issue[] {
  const issues: Issue[] = [];
  if (manifest.name !== app.name) {
    issues.push({
      code: 'FETCH_NAME_MISMATCH',
      severity: SIGNATURE_CODES.FETCH_NAME_MISMATCH.severity,
      path: '/name',
      entry: 'manifest',
      message: `the image is named ${JSON.stringify(manifest.name)}, but ${JSON.stringify(app.name)} was discovered`,
      params: { expected: app.name, actual: manifest.name },
    });
  }
  const labels = manifest.labels ?? [];
  for (const [name, value] of Object.entries(app.labels)) {
    const index = labels.findIndex((l) => l.name === name);
    const found = labels[index];
    if (found === undefined) {
      issues.push({
        code: 'FETCH_LABEL_MISMATCH',
        severity: SIGNATURE_CODES.FETCH_LABEL_MISMATCH.severity,
        path: '/labels',
        entry: 'manifest',
        message: `the image has no label ${JSON.stringify(name)}, but it was discovered with ${name}=${value}`,
        params: { label: name, expected: value },
      });
    } else if (found.value !== value) {
      issues.push({
        code: 'FETCH_LABEL_MISMATCH',
        severity: SIGNATURE_CODES.FETCH_LABEL_MISMATCH.severity,
        path: `/labels/${index}/value`,
        entry: 'manifest',
        message: `the image has ${name}=${found.value}, but it was discovered with ${name}=${value}`,
        params: { label: name, expected: value, actual: found.value },
      });
    }
  }
  return issues;
}
