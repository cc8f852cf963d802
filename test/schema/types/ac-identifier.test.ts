import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isACIdentifier, sanitizeACIdentifier, validateACIdentifier } from '../../../src/schema/types/ac-identifier.js';
import { assertIssue } from '../../support/issues.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  valid: string[];
  warning: { input: string; code: string }[];
  invalid: { input: unknown; code: string }[];
  sanitize: { input: string; output: string | null }[];
}
const table = readJsonFixture<Table>('types', 'ac-identifier.json');

describe('ACIdentifier', () => {
  for (const input of table.valid) {
    it(`T-ID-1 T-ID-4 accepts ${JSON.stringify(input)}`, () => {
      const r = validateACIdentifier(input);
      assert.ok(r.ok);
      assert.deepEqual(r.warnings, []);
      assert.ok(isACIdentifier(input));
    });
  }
  for (const { input, code } of table.warning) {
    it(`T-ID-2 warns on ${JSON.stringify(input)} (Go accepts) and fails in strict mode`, () => {
      const r = validateACIdentifier(input);
      assert.ok(r.ok);
      assertIssue(r, code, '');
      assert.equal(validateACIdentifier(input, { strict: true }).ok, false);
      assert.equal(isACIdentifier(input), false);
    });
  }
  for (const { input, code } of table.invalid) {
    it(`T-ID-2 T-ID-3 rejects ${JSON.stringify(input)} with ${code}`, () => {
      const r = validateACIdentifier(input);
      assert.equal(r.ok, false);
      assertIssue(r, code, '');
    });
  }
  for (const { input, output } of table.sanitize) {
    it(`T-ID-6 sanitizes ${JSON.stringify(input)}`, () => {
      assert.equal(sanitizeACIdentifier(input) ?? null, output);
    });
  }
});

describe('isACIdentifier and the checker', () => {
  // The rules checkACIdentifier applies one by one, as first written: a value the single pattern passes
  // must pass each of them (the checker returns at once for it).
  const rules = (v: string): boolean => v !== '' && /^[a-z0-9\-._~/]*$/.test(v) && !/[-._~/]/.test(v[0]!) && !/[-._~/]/.test(v[v.length - 1]!) && !/(?!\/~)[-._~/]{2}/.test(v);

  it('property: a quiet identifier passes every rule of the checker', () => {
    const text = fc.array(fc.constantFrom('a', 'z', '0', '9', '-', '.', '_', '~', '/', 'A', ' ', 'é'), { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (v) => {
        if (isACIdentifier(v)) assert.ok(rules(v), v);
        // And the other way round, but for "/~" the pattern allows and the separator rule does not see.
        if (rules(v)) assert.ok(isACIdentifier(v) || /[-._~/]{2}/.test(v), v);
      }),
      { numRuns: 5000 },
    );
  });
});
