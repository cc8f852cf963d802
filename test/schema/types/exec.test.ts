import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isExec, validateExec } from '../../../src/schema/types/exec.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[] }>('types', 'exec.json');

describe('Exec', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateExec(c.input);
      assertIssues(r, c.issues);
      if (r.ok) {
        if (c.input === null) assert.equal(r.value, null);
        else
          assert.deepEqual(
            r.value,
            (c.input as unknown[]).map((v) => v ?? ''),
          );
      }
      assert.equal(isExec(c.input), Array.isArray(c.input) && c.input.every((v) => typeof v === 'string'));
    });
  }
});
