import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateUserAnnotations, validateUserLabels } from '../../../src/schema/types/user-maps.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[] }>('types', 'user-maps.json');

describe('userAnnotations and userLabels', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const a = validateUserAnnotations(c.input);
      assertIssues(a, c.issues);
      assertIssues(validateUserLabels(c.input), c.issues);
      if (a.ok && c.input !== null) assert.deepEqual(a.value, c.input);
    });
  }
});
