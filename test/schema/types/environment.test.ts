import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getEnvironmentVariable, setEnvironmentVariable, validateEnvironment } from '../../../src/schema/types/environment.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[] }>('types', 'environment.json');

describe('Environment', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateEnvironment(c.input);
      assertIssues(r, c.issues);
      if (r.ok) assert.equal(r.value.length, Array.isArray(c.input) ? c.input.length : 0);
    });
  }
  it('T-EV-2 get and set match names exactly and keep the input list', () => {
    const env = [
      { name: 'a', value: '1' },
      { name: 'A', value: '2' },
    ];
    assert.equal(getEnvironmentVariable(env, 'A'), '2');
    assert.equal(getEnvironmentVariable(env, 'b'), undefined);
    assert.deepEqual(setEnvironmentVariable(env, 'A', '3'), [
      { name: 'a', value: '1' },
      { name: 'A', value: '3' },
    ]);
    assert.deepEqual(setEnvironmentVariable(env, 'B', '4'), [...env, { name: 'B', value: '4' }]);
    assert.deepEqual(env, [
      { name: 'a', value: '1' },
      { name: 'A', value: '2' },
    ]);
  });
});
