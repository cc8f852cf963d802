import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDate, isTimestamp, parseDate, validateDate } from '../../../src/schema/types/date.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  cases: (CheckCase & { ms?: number })[];
  format: { rule: string; input: string; output: string }[];
}
const table = readJsonFixture<Table>('types', 'date.json');

describe('Date (timestamps)', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateDate(c.input);
      assertIssues(r, c.issues);
      assert.equal(isTimestamp(c.input), c.issues.length === 0);
      if (typeof c.input === 'string') {
        const d = parseDate(c.input);
        if (c.ms === undefined) assert.equal(d, undefined);
        else assert.equal(d?.getTime(), c.ms);
      }
    });
  }
  for (const c of table.format) {
    it(`${c.rule} prints ${c.input} as ${c.output}`, () => {
      const out = formatDate(parseDate(c.input)!);
      assert.equal(out, c.output);
      assert.ok(validateDate(out).ok);
    });
  }
  it('T-DT-2 formatDate refuses invalid Dates and years beyond 9999', () => {
    assert.equal(formatDate(new Date(NaN)), undefined);
    assert.equal(formatDate(new Date(Date.UTC(10000, 0, 1))), undefined);
  });
});
