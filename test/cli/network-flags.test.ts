import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSeconds, parseSize } from '../../src/cli/network-flags.js';

describe('--max-size and time-out flags', () => {
  const sizes: [string, number][] = [
    ['8GiB', 8 * 1024 ** 3],
    ['8G', 8 * 1024 ** 3],
    ['500MB', 500e6],
    ['64KiB', 65536],
    ['64k', 65536],
    ['1048576', 1048576],
    ['1.5MiB', 1572864],
    [' 2 mib ', 2 * 1024 ** 2],
    ['1TB', 1e12],
  ];
  for (const [text, bytes] of sizes) {
    it(`--max-size=${text} is ${bytes} bytes`, () => assert.equal(parseSize('--max-size', text, 1), bytes));
  }
  for (const bad of ['', 'lots', '0', '-1', '1XB', '0.1', 'GiB', '1e3', '99999999999TB']) {
    it(`--max-size=${JSON.stringify(bad)} is a usage error`, () => assert.throws(() => parseSize('--max-size', bad, 1), { name: 'UsageError' }));
  }
  it('the default applies when the flag is absent', () => {
    assert.equal(parseSize('--max-size', undefined, 42), 42);
    assert.equal(parseSeconds('--timeout', undefined, 7), 7);
  });
  it('property: N followed by a binary unit is N times the unit; never a non-positive or unsafe size', () => {
    const units = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, '': 1 } as const;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 20 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])), (n, unit) => {
        assert.equal(parseSize('--max-size', `${n}${unit}`, 1), n * units[unit]);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const v = parseSize('--max-size', text, 1);
          assert.ok(Number.isSafeInteger(v) && v > 0);
        } catch (e) {
          assert.equal((e as Error).name, 'UsageError');
        }
      }),
    );
  });
  it('seconds become milliseconds; zero, negative and words are usage errors', () => {
    assert.equal(parseSeconds('--timeout', '0.5', 1), 500);
    assert.equal(parseSeconds('--timeout', '30', 1), 30000);
    for (const bad of ['0', '-1', 'soon', '', ' ']) assert.throws(() => parseSeconds('--timeout', bad, 1), { name: 'UsageError' });
  });
});
