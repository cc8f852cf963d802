import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mapList } from '../../../src/schema/internal/map-list.js';

describe('mapList', () => {
  it('gives what Array.prototype.map gives, calling back in order with each index once', () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), (list) => {
        const seen: number[] = [];
        const mapped = mapList(list, (item, i) => {
          seen.push(i);
          return [item, i] as const;
        });
        assert.deepEqual(
          mapped,
          list.map((item, i) => [item, i] as const),
        );
        assert.deepEqual(seen, [...list.keys()]);
      }),
    );
  });

  it('makes a new array, and passes a hole as undefined (JSON lists have none)', () => {
    const list: number[] = [];
    assert.notEqual(
      mapList(list, (n) => n),
      list,
    );
    const holey = [1, 2, 3];
    delete holey[1];
    assert.deepEqual(
      mapList(holey, (n) => n ?? 0),
      [1, 0, 3],
    );
  });
});
