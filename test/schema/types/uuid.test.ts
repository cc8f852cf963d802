import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUUID, isUUID, parseUUID, validateUUID } from '../../../src/schema/types/uuid.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: (CheckCase & { output: string | null })[] }>('types', 'uuid.json');

describe('UUID', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateUUID(c.input);
      assertIssues(r, c.issues);
      assert.equal(r.ok ? r.value : null, c.output);
      if (c.output !== null) {
        assert.ok(isUUID(c.output));
        assert.equal(isUUID(c.input), c.input === c.output);
      } else {
        assert.equal(isUUID(c.input), false);
      }
    });
  }
  it('T-UU-1 parseUUID and formatUUID round-trip the bytes', () => {
    const bytes = parseUUID('6733C088-A507-4694-AABF-EDBE4FC5266F')!;
    assert.deepEqual([...bytes.slice(0, 4)], [0x67, 0x33, 0xc0, 0x88]);
    assert.equal(formatUUID(bytes), '6733c088-a507-4694-aabf-edbe4fc5266f');
    assert.equal(formatUUID(new Uint8Array(15)), undefined);
    assert.equal(parseUUID('xyz'), undefined);
  });
});
