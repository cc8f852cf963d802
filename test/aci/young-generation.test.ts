import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, it } from 'node:test';
import { boundGarbage, keepYoungGenerationSmall } from '../../src/aci/garbage.js';

const newSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Allocates ~`mb` MB of short-lived objects, a few kept alive at a time (as a batch of documents does). */
function churn(mb: number): number {
  let kept: object[] = [];
  let sum = 0;
  for (let i = 0; i < mb * 8_000; i++) {
    kept.push({ i, s: `x${i}`, a: [i, i + 1] });
    if (kept.length === 500) {
      sum += kept.length;
      kept = [];
    }
  }
  return sum;
}

describe('keepYoungGenerationSmall', () => {
  it('does nothing unless the program bounded its garbage', () => {
    assert.equal(keepYoungGenerationSmall(), false);
  });

  it('keeps the young generation small under a stream of short-lived objects', () => {
    boundGarbage();
    try {
      assert.equal(keepYoungGenerationSmall(), true);
      assert.ok(churn(200) > 0);
      // Without it V8 grows the new space to 32 MiB under this churn; with it, it stays at a few MiB.
      assert.ok(newSpace() <= 4 << 20, `new space grew to ${newSpace()} bytes`);
    } finally {
      boundGarbage(false);
    }
  });
});
