import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lineColumnOf } from '../../../src/schema/json/line-index.js';
import { lineColumn } from '../../../src/schema/json/parse-json.js';

/** Line and column the plain way: count the newlines before the offset (past the end: the end; before the start: line 1). */
function reference(text: string, offset: number): { line: number; column: number } {
  const end = Math.min(offset, text.length);
  const before = text.slice(0, Math.max(0, end));
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: end - (lastNewline + 1) + 1 };
}

// The per-document line index must give the plain count for every offset, in any order of asking (it scans
// for newlines only as far as the largest offset asked so far); lineColumn, for one offset, the same.
const text = fc.array(fc.oneof(fc.constantFrom('\n', '\r\n', '\r', ' ', '{', '"', '😀', '\u2028'), fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));

describe('lineColumnOf', () => {
  it('gives the line and column of offsets asked in any order, past the end included', () => {
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: -3, max: 300 }), { maxLength: 20 }), (t, offsets) => {
        const at = lineColumnOf(t);
        for (const offset of offsets) {
          assert.deepEqual(at(offset), reference(t, offset));
          assert.deepEqual(lineColumn(t, offset), reference(t, offset));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('counts lines from 1 and columns in UTF-16 units', () => {
    const at = lineColumnOf('a\nbc\n\n😀x');
    assert.deepEqual(at(0), { line: 1, column: 1 });
    assert.deepEqual(at(3), { line: 2, column: 2 });
    assert.deepEqual(at(5), { line: 3, column: 1 });
    assert.deepEqual(at(8), { line: 4, column: 3 });
    assert.deepEqual(at(1), { line: 1, column: 2 });
  });
});
