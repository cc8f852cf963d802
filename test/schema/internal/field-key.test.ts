import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createContext } from '../../../src/schema/internal/check.js';
import { fieldPointer, goFieldKey, goFold, readFields } from '../../../src/schema/internal/fields.js';
import { childPointer } from '../../../src/issues/json-pointer.js';
import { checkBoolean, checkBooleanField, checkString, checkStringField } from '../../../src/schema/internal/json-types.js';

/** The rule as first written: the last key (Object.keys order) equal to the field or folding to it. */
function reference(obj: Record<string, unknown>, field: string): string | undefined {
  let found: string | undefined;
  for (const key of Object.keys(obj)) if (key === field || (key.length === field.length && goFold(key) === field.toLowerCase())) found = key;
  return found;
}

const FIELDS = ['name', 'acKind', 'id', 'imageID', 'supplementaryGIDs', '_x', 'k', 's', '0', 'a/b', 'x~'];
const key = fc.oneof(
  fc.constantFrom(...FIELDS),
  fc
    .constantFrom(...FIELDS)
    .chain((f) => fc.array(fc.boolean(), { minLength: f.length, maxLength: f.length }).map((up) => [...f].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''))),
  fc.constantFrom('ſ', '\u212a', 'NAME', 'nameX', '1', '__proto__', 'Id', 'iD'),
  fc.string({ maxLength: 5 }),
);

describe('goFieldKey', () => {
  it('property: finds the key Go reads for a field, as the reference rule does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.nat()), { maxLength: 8 }), fc.constantFrom(...FIELDS), (members, field) => {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of members) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        assert.equal(goFieldKey(obj, field), reference(obj, field));
        assert.equal(fieldPointer(obj, field, '/a~b'), childPointer('/a~b', reference(obj, field) ?? field));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: after readFields, fieldPointer (its fast path for exactly keyed objects) still gives the key Go reads', () => {
    // Tables as the checkers pass them: a subset of the fields; the pointer is asked for fields in and out of it.
    const table = fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1 });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.nat()), { maxLength: 8 }), table, (members, fields) => {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of members) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        readFields(obj, fields, '/a~b', createContext());
        for (const field of FIELDS) {
          assert.equal(fieldPointer(obj, field, '/a~b'), childPointer('/a~b', reference(obj, field) ?? field));
          assert.equal(goFieldKey(obj, field), reference(obj, field));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: readFields on plain JSON objects (the object itself when every key is exact) reads what the copy does', () => {
    const table = fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1 });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 1 })), { maxLength: 8 }), table, (members, fields) => {
        const json = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const plain = JSON.parse(json) as Record<string, unknown>;
        const other = JSON.parse(json) as Record<string, unknown>;
        const fast = createContext(undefined, { plainJson: true });
        const slow = createContext();
        const a = readFields(plain, fields, '/p', fast);
        const b = readFields(other, fields, '/p', slow);
        for (const field of FIELDS) {
          assert.equal(Object.hasOwn(a, field), Object.hasOwn(b, field) && fields.includes(field));
          if (fields.includes(field)) assert.deepEqual((a as Record<string, unknown>)[field], (b as Record<string, unknown>)[field]);
          assert.equal(fieldPointer(plain, field, '/p'), fieldPointer(other, field, '/p'));
          assert.equal(fieldPointer(plain, field, '/p'), childPointer('/p', reference(plain, field) ?? field));
          assert.equal(goFieldKey(plain, field), reference(plain, field));
        }
        assert.deepEqual(fast.issues, slow.issues);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: checkStringField and checkBooleanField give checkString and checkBoolean at the field pointer', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 1 })), { maxLength: 6 }), fc.constantFrom(...FIELDS), fc.constantFrom(undefined, ''), (members, field, nullAs) => {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of members) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        const value = obj[goFieldKey(obj, field) ?? field];
        const [a, b, c, d] = [createContext(), createContext(), createContext(), createContext()];
        assert.deepEqual(checkStringField(value, obj, field, '/p', a, nullAs), checkString(value, fieldPointer(obj, field, '/p'), b, nullAs));
        assert.deepEqual(a.issues, b.issues);
        assert.deepEqual(checkBooleanField(value, obj, field, '/p', c), checkBoolean(value, fieldPointer(obj, field, '/p'), d));
        assert.deepEqual(c.issues, d.issues);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads U+017F as s and the Kelvin sign as k', () => {
    assert.equal(goFieldKey({ ſ: 1 }, 's'), 'ſ');
    assert.equal(goFieldKey({ '\u212a': 1 }, 'k'), '\u212a');
    assert.equal(goFieldKey({ _X: 1 }, '_x'), '_X');
  });
});
