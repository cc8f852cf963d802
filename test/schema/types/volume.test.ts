import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatVolumeFlag, parseVolumeFlag, validateVolume } from '../../../src/schema/types/volume.js';
import type { ExpectedIssues } from '../../support/expect.js';
import { expectIssues } from '../../support/expect.js';
import { assertIssue } from '../../support/issues.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  roundTrip: { input: string; value: unknown }[];
  flag: { input: string; output: string; warnings: [string, string][] }[];
  flagBad: { input: string; code: string }[];
  json: (ExpectedIssues & { input: unknown; value?: unknown })[];
}
const table = readJsonFixture<Table>('types', 'volume.json');

describe('Volume string form (Go TestVolumeToFromString, TestVolumeFromStringBad; T-VL-7)', () => {
  for (const row of table.roundTrip) {
    it(`T-VL-7 parses ${JSON.stringify(row.input)} and prints it back`, () => {
      const r = parseVolumeFlag(row.input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.value, row.value);
      assert.equal(formatVolumeFlag(r.value), row.input);
    });
  }
  for (const row of table.flag) {
    it(`T-VL-1 T-VL-7 reads ${JSON.stringify(row.input)} and prints ${JSON.stringify(row.output)}`, () => {
      const r = parseVolumeFlag(row.input);
      expectIssues(r, { ok: true, issues: row.warnings });
      if (r.ok) assert.equal(formatVolumeFlag(r.value), row.output);
    });
  }
  for (const row of table.flagBad) {
    it(`T-VL-3 T-VL-7 rejects ${JSON.stringify(row.input)} with ${row.code}`, () => {
      const r = parseVolumeFlag(row.input);
      assert.equal(r.ok, false);
      assertIssue(r, row.code, '');
    });
  }
});

describe('Volume JSON (T-VL-1..6)', () => {
  for (const row of table.json) {
    it(`T-VL-1 T-VL-3 T-VL-4 ${row.ok ? 'accepts' : 'rejects'} ${JSON.stringify(row.input)}`, () => {
      const r = validateVolume(row.input);
      expectIssues(r, row);
      if (r.ok) assert.deepEqual(r.value, row.value);
    });
  }
  it('T-VL-4 a bad mode fails in strict mode', () => {
    assert.equal(validateVolume({ name: 'w', kind: 'empty', mode: 'rwx' }, { strict: true }).ok, false);
  });
});
