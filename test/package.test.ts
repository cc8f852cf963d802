import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_VERSION } from '../src/version.js';
import { repoRoot } from './support/paths.js';

describe('package', () => {
  it('is importable by its own name through the exports map', async () => {
    const root = (await import('appc' as string)) as Record<string, unknown>;
    assert.equal(typeof root['parseManifest'], 'function');
    assert.equal(typeof root['validateACIdentifier'], 'function');
    const aci = (await import('appc/aci' as string)) as Record<string, unknown>;
    assert.equal(typeof aci['validateAci'], 'function');
    const discovery = (await import('appc/discovery' as string)) as Record<string, unknown>;
    assert.equal(typeof discovery['parseAppString'] === 'function' || typeof discovery['discover'] === 'function' || Object.keys(discovery).length > 0, true);
    const signature = (await import('appc/signature' as string)) as Record<string, unknown>;
    assert.ok(Object.keys(signature).length > 0);
    const node = (await import('appc/node' as string)) as Record<string, unknown>;
    assert.ok(Object.keys(node).length > 0);
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'image-manifest.schema.json'), 'utf8')) as { $id: string };
    assert.match(schema.$id, /image-manifest/);
  });

  it('PACKAGE_VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    assert.equal(PACKAGE_VERSION, pkg.version);
    assert.match(pkg.engines.node, /^>=20/);
  });
});
