import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHttpURL, validateHttpURL } from '../../../src/schema/types/url.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[] }>('types', 'url.json');

describe('http(s) URL', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateHttpURL(c.input);
      assertIssues(r, c.issues);
      assert.equal(isHttpURL(c.input), r.ok); // Go-lenient: a URL with only warnings passes
      if (r.ok) assert.equal(r.value, c.input);
    });
  }
});
