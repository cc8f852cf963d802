import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isACName, sanitizeACName, validateACName } from '../../../src/schema/types/ac-name.js';
import { assertIssue } from '../../support/issues.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  valid: string[];
  warning: { input: string; code: string }[];
  invalid: { input: unknown; code: string }[];
  sanitize: { input: string; output: string | null }[];
}
const table = readJsonFixture<Table>('types', 'ac-name.json');

describe('ACName', () => {
  for (const input of table.valid) {
    it(`T-NM-1 T-NM-3 accepts ${JSON.stringify(input)}`, () => {
      const r = validateACName(input);
      assert.ok(r.ok);
      assert.deepEqual(r.warnings, []);
      assert.ok(isACName(input));
    });
  }
  for (const { input, code } of table.warning) {
    it(`T-NM-2 warns on ${JSON.stringify(input)} (Go accepts) and fails in strict mode`, () => {
      const r = validateACName(input);
      assert.ok(r.ok);
      assertIssue(r, code, '');
      assert.equal(validateACName(input, { strict: true }).ok, false);
      assert.equal(isACName(input), false);
    });
  }
  for (const { input, code } of table.invalid) {
    it(`T-NM-2 T-NM-3 rejects ${JSON.stringify(input)} with ${code}`, () => {
      const r = validateACName(input);
      assert.equal(r.ok, false);
      assertIssue(r, code, '');
    });
  }
  for (const { input, output } of table.sanitize) {
    it(`T-NM-4 sanitizes ${JSON.stringify(input)}`, () => {
      assert.equal(sanitizeACName(input) ?? null, output);
    });
  }
  it('T-NM-4 property: a sanitized name is always a valid ACName', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = sanitizeACName(s);
        if (out !== undefined) assert.equal(validateACName(out).ok, true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ACName fast path', () => {
  it('property: a name matching the spec pattern passes every rule of the checker (which returns at once for it)', () => {
    const rules = (v: string): boolean => v !== '' && /^[a-z0-9-]*$/.test(v) && !v.startsWith('-') && !v.endsWith('-') && !v.includes('--');
    const text = fc.array(fc.constantFrom('a', 'z', '0', '-', 'A', '_', ' '), { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (v) => {
        assert.equal(isACName(v), rules(v), v);
      }),
      { numRuns: 3000 },
    );
  });
});
