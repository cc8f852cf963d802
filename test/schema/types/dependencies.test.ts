import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dependency, RetrievedDependency } from '../../../src/schema/types/dependencies.js';
import { validateDependencies, validateDependency, verifyDependency } from '../../../src/schema/types/dependencies.js';
import type { ExpectedIssues } from '../../support/expect.js';
import { expectIssues } from '../../support/expect.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  json: (ExpectedIssues & { input: unknown; value?: unknown })[];
  lists: (ExpectedIssues & { input: unknown; names?: string[] })[];
  verify: (ExpectedIssues & { dependency: Dependency; retrieved: RetrievedDependency })[];
}
const table = readJsonFixture<Table>('types', 'dependencies.json');

describe('Dependency JSON (Go TestEmptyHash; T-DP-1, T-DP-2)', () => {
  for (const row of table.json) {
    it(`T-DP-1 T-DP-2 ${row.ok ? 'accepts' : 'rejects'} ${JSON.stringify(row.input).slice(0, 120)}`, () => {
      const r = validateDependency(row.input);
      expectIssues(r, row);
      if (r.ok) assert.deepEqual(r.value, row.value);
    });
  }
  it('T-DP-2 a dependency without imageID reads back the same after encoding (Go TestEmptyHash)', () => {
    const r = validateDependency({ imageName: 'example.com/reduce-worker-base' });
    assert.ok(r.ok);
    const again = validateDependency(JSON.parse(JSON.stringify(r.value)));
    assert.ok(again.ok);
    assert.deepEqual(again.value, r.value);
    assert.equal('imageID' in again.value, false);
  });
  for (const row of table.lists) {
    it(`T-DP-1 checks the list ${JSON.stringify(row.input)} (order kept)`, () => {
      const r = validateDependencies(row.input);
      expectIssues(r, row);
      if (r.ok)
        assert.deepEqual(
          r.value.map((d) => d.imageName),
          row.names,
        );
    });
  }
});

describe('Retrieved dependency checks (T-DP-3)', () => {
  for (const row of table.verify) {
    it(`T-DP-3 ${row.ok && row.issues.length === 0 ? 'accepts' : 'flags'} ${JSON.stringify(row.retrieved).slice(0, 40)}… for ${JSON.stringify(row.dependency).slice(0, 40)}…`, () => {
      expectIssues(verifyDependency(row.dependency, row.retrieved), row);
    });
  }
});
