import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extend } from '../../src/internal/extend.js';

// extend() stands in for `{ ...base, ...extra }` on hot paths: the same properties, values and order.
const key = fc.constantFrom('code', 'severity', 'path', 'message', 'line', 'column', 'entry', 'offset', 'params', 'kind', '0', '7', 'a b');
const record = fc.dictionary(key, fc.oneof(fc.integer(), fc.string(), fc.constant(undefined), fc.constant(null), fc.object({ maxDepth: 1 })), { maxKeys: 8 });

describe('extend', () => {
  it("gives the spread's own properties, values and key order", () => {
    fc.assert(
      fc.property(record, record, (base, extra) => {
        const spread = { ...base, ...extra };
        const got = extend(base, extra);
        assert.deepEqual(Object.keys(got), Object.keys(spread));
        assert.deepEqual(got, spread);
        for (const k of Object.keys(spread)) assert.equal((got as Record<string, unknown>)[k], (spread as Record<string, unknown>)[k]);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves its arguments alone', () => {
    const base = { code: 'X', severity: 'warning' };
    const out = extend(base, { severity: 'error', line: 2 });
    assert.deepEqual(base, { code: 'X', severity: 'warning' });
    assert.deepEqual(out, { code: 'X', severity: 'error', line: 2 });
    assert.deepEqual(Object.keys(out), ['code', 'severity', 'line']);
  });
});
