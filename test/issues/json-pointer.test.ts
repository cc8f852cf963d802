import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { childPointer, pointer, splitPointer } from '../../src/issues/json-pointer.js';

/** splitPointer as it was before its no-escape fast path: the reference. */
function splitPointerReference(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new TypeError(`not a JSON pointer: ${JSON.stringify(p)}`);
  return p
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const pointerText = fc.array(fc.constantFrom('/', '~', '0', '1', '~0', '~1', '~01', 'a', 'é', ''), { maxLength: 12 }).map((parts) => parts.join(''));

describe('splitPointer', () => {
  it('splits every text as the reference does (or refuses it the same way)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pointerText,
          pointerText.map((p) => '/' + p),
        ),
        (p) => {
          let expected: string[] | Error;
          try {
            expected = splitPointerReference(p);
          } catch (e) {
            expected = e as Error;
          }
          if (expected instanceof Error) assert.throws(() => splitPointer(p), { name: expected.name, message: expected.message });
          else assert.deepEqual(splitPointer(p), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('undoes pointer() for any tokens', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 5 }), { maxLength: 6 }), (tokens) => assert.deepEqual(splitPointer(pointer(...tokens)), tokens)));
  });
});

describe('childPointer', () => {
  it('appends the pointer of its tokens to the base, one token (its fast path) or any number', () => {
    const token = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('~', '/', '~1', 'a/b~c'), fc.nat(), fc.integer());
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.array(token, { maxLength: 4 }), (base, tokens) => {
        assert.equal(childPointer(base, ...tokens), base + pointer(...tokens));
      }),
      { numRuns: 2000 },
    );
  });
});
