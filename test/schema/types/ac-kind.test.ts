import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ACKind } from '../../../src/schema/types/ac-kind.js';
import { checkACKind, isACKind, validateACKind } from '../../../src/schema/types/ac-kind.js';
import { createContext } from '../../../src/schema/internal/check.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  cases: CheckCase[];
  expected: (CheckCase & { expected: ACKind })[];
}
const table = readJsonFixture<Table>('types', 'ac-kind.json');

describe('ACKind', () => {
  for (const c of table.cases) {
    it(`${c.rule} ${c.issues.length === 0 ? 'accepts' : 'rejects'} ${show(c.input)}`, () => {
      const r = validateACKind(c.input);
      assertIssues(r, c.issues);
      assert.equal(isACKind(c.input), c.issues.length === 0);
      if (r.ok) assert.equal(r.value, c.input);
    });
  }
  for (const c of table.expected) {
    it(`${c.rule} checks ${show(c.input)} against expected ${c.expected}`, () => {
      assertIssues(validateACKind(c.input, { expected: c.expected }), c.issues);
    });
  }
  it('T-KD-2 reports at the given path and returns the valid (wrong) kind', () => {
    const ctx = createContext();
    assert.equal(checkACKind('PodManifest', '/acKind', ctx, 'ImageManifest'), 'PodManifest');
    assert.deepEqual(
      ctx.issues.map((i) => [i.code, i.path]),
      [['MANIFEST_WRONG_KIND', '/acKind']],
    );
  });
});
