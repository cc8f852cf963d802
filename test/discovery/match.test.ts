import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiscoveryApp } from '../../src/discovery/app-string.js';
import { checkManifestMatchesApp } from '../../src/discovery/match.js';

const app = (labels: Record<string, string>): DiscoveryApp => ({ name: 'example.com/app', labels }) as DiscoveryApp;
const manifest = {
  acKind: 'ImageManifest',
  acVersion: '0.8.11',
  name: 'example.com/app',
  labels: [
    { name: 'version', value: '1.0.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ],
};

describe('checkManifestMatchesApp', () => {
  it('D-SP-1 accepts the same name and labels, and extra manifest labels', () => {
    assert.deepEqual(checkManifestMatchesApp(manifest, app({ version: '1.0.0', os: 'linux' })), []);
  });
  it('D-SP-1 does not require the defaulted version=latest (unless asked)', () => {
    assert.deepEqual(checkManifestMatchesApp(manifest, app({ version: 'latest' })), []);
    assert.deepEqual(
      checkManifestMatchesApp(manifest, app({ version: 'latest' }), { requireLatest: true }).map((i) => i.code),
      ['DISCOVERY_MANIFEST_LABEL_MISMATCH'],
    );
  });
  it('D-SP-1 reports a name mismatch, a label mismatch and a missing label, with manifest paths', () => {
    const issues = checkManifestMatchesApp({ ...manifest, name: 'example.com/other' }, app({ version: '2.0.0', channel: 'beta', arch: 'amd64' }), { strict: true });
    assert.deepEqual(
      issues.map((i) => [i.code, i.path]),
      [
        ['DISCOVERY_MANIFEST_NAME_MISMATCH', '/name'],
        ['DISCOVERY_MANIFEST_LABEL_MISMATCH', '/labels/0/value'],
        ['DISCOVERY_MANIFEST_LABEL_MISSING', '/labels'],
      ],
    );
    assert.match(issues[1]!.message, /"1\.0\.0".*"2\.0\.0"/);
  });
  it('D-SP-1 treats a manifest without labels as having none', () => {
    assert.deepEqual(
      checkManifestMatchesApp({ name: 'example.com/app' }, app({ os: 'linux' })).map((i) => i.code),
      ['DISCOVERY_MANIFEST_LABEL_MISSING'],
    );
  });
});
