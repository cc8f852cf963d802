import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useBatchJit } from '../../src/node/batch-jit.js';
import { restoreV8Flags } from '../../src/node/v8-flags.js';
import { validateMany } from '../../src/node/validate-many.js';
import { fixturePath } from '../support/paths.js';

const manifests = ['image', 'pod', 'any'].flatMap((kind) =>
  ['valid', 'invalid'].flatMap((verdict) => {
    const dir = fixturePath('manifests', kind, verdict);
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  }),
);

describe('useBatchJit', () => {
  it('sets the compiler flags once, at run time, and the reports stay the same', async () => {
    // Many rounds, so the checkers get optimized under the flags as in a long batch.
    const paths = Array.from({ length: 20 }, () => manifests).flat();
    const before = await validateMany(paths, { concurrency: 1 });
    assert.equal(useBatchJit(), true);
    assert.equal(useBatchJit(), true);
    restoreV8Flags();
    const after = await validateMany(paths, { concurrency: 1 });
    assert.deepEqual(after, before);
  });
});
