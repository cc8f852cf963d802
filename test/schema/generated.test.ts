import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths.js';

describe('precompiled schema validators', () => {
  it('src/schema/generated/validators.ts matches schemas/*.schema.json (run `npm run schemas`)', async () => {
    const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'compile-schemas.mjs')).href)) as { generate(): string };
    assert.equal(readFileSync(join(repoRoot, 'src', 'schema', 'generated', 'validators.ts'), 'utf8'), tool.generate());
  });
});
