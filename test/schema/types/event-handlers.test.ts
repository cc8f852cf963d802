import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEventHandlerName, validateEventHandlers } from '../../../src/schema/types/event-handlers.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[] }>('types', 'event-handlers.json');

describe('Event handlers', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      assertIssues(validateEventHandlers(c.input), c.issues);
    });
  }
  it('T-EH-1 keeps exec when given and leaves it out for null or missing', () => {
    const r = validateEventHandlers([
      { name: 'pre-start', exec: ['/bin/prep'] },
      { name: 'post-stop', exec: null },
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [{ name: 'pre-start', exec: ['/bin/prep'] }, { name: 'post-stop' }]);
    assert.ok(isEventHandlerName('post-stop'));
    assert.equal(isEventHandlerName('stop'), false);
  });
});
