import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountPointFlag, validateMountPoint, validateMountPoints } from '../../../src/schema/types/mount-point.js';
import type { ExpectedIssues } from '../../support/expect.js';
import { expectIssues } from '../../support/expect.js';
import { assertIssue } from '../../support/issues.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  json: (ExpectedIssues & { input: unknown; value?: unknown })[];
  lists: (ExpectedIssues & { input: unknown })[];
  flag: { input: string; value: unknown }[];
  flagBad: { input: string; code: string }[];
}
const table = readJsonFixture<Table>('types', 'mount-point.json');

describe('MountPoint JSON (T-MP-1, T-MP-2)', () => {
  for (const row of table.json) {
    it(`T-MP-2 ${row.ok ? 'accepts' : 'rejects'} ${JSON.stringify(row.input)}`, () => {
      const r = validateMountPoint(row.input);
      expectIssues(r, row);
      if (r.ok) assert.deepEqual(r.value, row.value);
    });
  }
  for (const row of table.lists) {
    it(`T-MP-2 checks the list ${JSON.stringify(row.input)}`, () => {
      expectIssues(validateMountPoints(row.input), row);
    });
  }
  it('T-MP-2 spec-only warnings fail in strict mode', () => {
    assert.equal(validateMountPoint({ name: 'db', path: 'rel' }, { strict: true }).ok, false);
  });
});

describe('MountPoint string form (Go TestMountPointFromString, T-MP-3)', () => {
  for (const row of table.flag) {
    it(`T-MP-3 parses ${JSON.stringify(row.input)}`, () => {
      const r = parseMountPointFlag(row.input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.value, row.value);
    });
  }
  for (const row of table.flagBad) {
    it(`T-MP-3 rejects ${JSON.stringify(row.input)} with ${row.code}`, () => {
      const r = parseMountPointFlag(row.input);
      assert.equal(r.ok, false);
      assertIssue(r, row.code, '');
    });
  }
});
