/** Checking a fetched image manifest against the name and labels used to discover it (spec/discovery.md#validation; checklist D-SP-1). */
import type { Issue } from '../issues/issue.js';
import { promoteWarnings } from '../issues/issue.js';
import { pointer } from '../issues/json-pointer.js';
import type { DiscoveryApp } from './app-string.js';
import { DEFAULT_VERSION } from './app-string.js';
import type { DiscoveryCode } from './codes.js';
import { DISCOVERY_CODES } from './codes.js';

/** The part of an image manifest the check reads (an ImageManifest fits). */
export interface ManifestIdentity {
  readonly name: string;
  readonly labels?: readonly { readonly name: string; readonly value: string }[] | null;
}

/** Options of checkManifestMatchesApp. */
export interface ManifestMatchOptions {
  /**
   * Require `version=latest` to match too. Off by default: `latest` is what discovery uses when no version
   * is given (D-WK-2), and manifests name a real version, so the spec's recommendation is not to require it.
   */
  readonly requireLatest?: boolean;
  /** Promote warnings to errors (there are none today; kept for a uniform API). */
  readonly strict?: boolean;
}

const issue = (code: DiscoveryCode, path: string, message: string, params: Readonly<Record<string, string>>): Issue => ({ code, severity: DISCOVERY_CODES[code].severity, path, message, params });

/**
 * Checks that an image manifest is the image that was asked for: its name equals the app name, and
 * every label of the app is in the manifest with the same value. Labels the manifest has but the app
 * did not ask for are fine. Pass the app the templates were rendered with (`DiscoveryResult.app`, which
 * includes default labels such as os and arch); its `version=latest` default is not required to match.
 * An empty list means the image matches. Paths point into the manifest.
 *
 * @example
 * const issues = checkManifestMatchesApp(manifest, parsedApp);
 * if (issues.length) throw new Error(issues.map((i) => i.message).join('\n'));
 * @see spec/discovery.md#validation
 */
export function checkManifestMatchesApp(manifest: ManifestIdentity, app: DiscoveryApp, options: ManifestMatchOptions = {}): Issue[] {
  const issues: Issue[] = [];
  if (manifest.name !== app.name) {
    issues.push(
      issue('DISCOVERY_MANIFEST_NAME_MISMATCH', '/name', `the image manifest is named ${JSON.stringify(manifest.name)}, but ${JSON.stringify(app.name)} was discovered`, {
        expected: app.name,
        actual: String(manifest.name),
      }),
    );
  }
  const labels = manifest.labels ?? [];
  for (const [key, want] of Object.entries(app.labels)) {
    if (key === 'version' && want === DEFAULT_VERSION && options.requireLatest !== true) continue;
    const index = labels.findIndex((l) => l.name === key);
    if (index < 0) {
      issues.push(
        issue('DISCOVERY_MANIFEST_LABEL_MISSING', '/labels', `label ${key}=${JSON.stringify(want)} was used for discovery, but the image manifest has no ${key} label`, { label: key, expected: want }),
      );
      continue;
    }
    const got = labels[index]!.value;
    if (got !== want) {
      issues.push(
        issue(
          'DISCOVERY_MANIFEST_LABEL_MISMATCH',
          pointer('labels', index, 'value'),
          `label ${key} is ${JSON.stringify(got)} in the image manifest, but ${JSON.stringify(want)} was used for discovery`,
          { label: key, expected: want, actual: got },
        ),
      );
    }
  }
  return options.strict ? promoteWarnings(issues) : issues;
}
