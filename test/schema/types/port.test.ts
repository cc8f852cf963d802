import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipKind } from '../../../src/schema/internal/ip.js';
import { parsePortFlag, validateExposedPort, validatePort, validatePorts } from '../../../src/schema/types/port.js';
import type { ExpectedIssues } from '../../support/expect.js';
import { expectIssues } from '../../support/expect.js';
import { assertIssue } from '../../support/issues.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  port: (ExpectedIssues & { input: unknown; value?: unknown })[];
  ports: (ExpectedIssues & { input: unknown })[];
  exposed: (ExpectedIssues & { input: unknown; value?: unknown })[];
  ips: [string, 'ipv4' | 'ipv6' | null][];
  flag: { input: string; value: unknown }[];
  flagBad: { input: string; code: string }[];
}
const table = readJsonFixture<Table>('types', 'port.json');

describe('Port JSON (Go TestGoodPort, TestBadPort, TestBadRange; T-PT-1..4)', () => {
  for (const row of table.port) {
    it(`T-PT-2 T-PT-3 ${row.ok ? 'accepts' : 'rejects'} ${JSON.stringify(row.input)}`, () => {
      const r = validatePort(row.input);
      expectIssues(r, row);
      if (r.ok) assert.deepEqual(r.value, row.value);
    });
  }
  for (const row of table.ports) {
    it(`T-PT-3 checks the list ${JSON.stringify(row.input)}`, () => {
      expectIssues(validatePorts(row.input), row);
    });
  }
});

describe('ExposedPort JSON (T-PT-6)', () => {
  for (const row of table.exposed) {
    it(`T-PT-6 ${row.ok ? 'accepts' : 'rejects'} ${JSON.stringify(row.input)}`, () => {
      const r = validateExposedPort(row.input);
      expectIssues(r, row);
      if (r.ok) assert.deepEqual(r.value, row.value);
    });
  }
  for (const [text, kind] of table.ips) {
    it(`T-PT-6 reads ${JSON.stringify(text)} as ${kind ?? 'not an IP address'} (Go net.ParseIP)`, () => {
      assert.equal(ipKind(text) ?? null, kind);
    });
  }
  it('T-PT-6 an IPv6 hostIP fails in strict mode', () => {
    assert.equal(validateExposedPort({ name: 'a', hostPort: 1, hostIP: '::1' }, { strict: true }).ok, false);
  });
});

describe('Port string form (T-PT-5)', () => {
  for (const row of table.flag) {
    it(`T-PT-5 parses ${JSON.stringify(row.input)} (count 0 stays 0)`, () => {
      const r = parsePortFlag(row.input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.value, row.value);
    });
  }
  for (const row of table.flagBad) {
    it(`T-PT-5 rejects ${JSON.stringify(row.input)} with ${row.code}`, () => {
      const r = parsePortFlag(row.input);
      assert.equal(r.ok, false);
      assertIssue(r, row.code, '');
    });
  }
});
