import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import semver from 'semver';
import type { SemVer } from '../../../src/schema/types/semver.js';
import { SPEC_VERSION, checkACVersionCompatibility, compareSemVer, formatSemVer, isACVersion, isStrictSemVer, parseSemVer, validateACVersion } from '../../../src/schema/types/semver.js';
import { createContext } from '../../../src/schema/internal/check.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

type Parts = [string, string, string, string, string];
interface Table {
  parse: { rule: string; input: string; output: Parts | null }[];
  check: CheckCase[];
  format: { rule: string; input: Parts; output: string }[];
  order: string[];
  equal: [string, string][];
  compatibility: CheckCase<string>[];
}
const table = readJsonFixture<Table>('types', 'semver.json');

function fromParts([a, b, c, prerelease, metadata]: Parts): SemVer {
  return { major: BigInt(a), minor: BigInt(b), patch: BigInt(c), prerelease, metadata };
}

describe('SemVer / ACVersion', () => {
  for (const c of table.parse) {
    it(`${c.rule} parses ${show(c.input)} like Go`, () => {
      const v = parseSemVer(c.input);
      assert.deepEqual(v, c.output === null ? undefined : fromParts(c.output));
    });
  }
  for (const c of table.check) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateACVersion(c.input);
      assertIssues(r, c.issues);
      assert.equal(isACVersion(c.input), c.issues.length === 0);
      if (r.ok) assert.equal(r.value, c.input);
      if (c.issues.some(([code]) => code === 'ACVERSION_NOT_STRICT')) assert.equal(validateACVersion(c.input, { strict: true }).ok, false);
    });
  }
  it('T-SV-1 the strict check agrees with the semver package on the table (safe-size numbers)', () => {
    for (const c of table.check) {
      if (typeof c.input !== 'string') continue;
      // semver.valid trims spaces, drops a leading v or = and leaves out build metadata in its output.
      const npmStrict = semver.valid(c.input) !== null && c.input.trim() === c.input && !/^[v=]/.test(c.input);
      assert.equal(isStrictSemVer(c.input), npmStrict, c.input);
    }
  });
  for (const c of table.format) {
    it(`${c.rule} prints ${c.output}`, () => {
      assert.equal(formatSemVer(fromParts(c.input)), c.output);
    });
  }
  it('T-SV-5 orders versions by SemVer precedence', () => {
    const vs = table.order.map((t) => parseSemVer(t)!);
    for (let i = 0; i < vs.length; i++) {
      for (let j = 0; j < vs.length; j++) {
        assert.equal(compareSemVer(vs[i]!, vs[j]!), Math.sign(i - j), `${table.order[i]} vs ${table.order[j]}`);
        const [a, b] = [table.order[i]!, table.order[j]!];
        if (semver.valid(a) && semver.valid(b)) assert.equal(compareSemVer(vs[i]!, vs[j]!), semver.compare(a, b));
      }
    }
  });
  for (const [a, b] of table.equal) {
    it(`T-SV-5 ${a} and ${b} have equal precedence`, () => {
      assert.equal(compareSemVer(parseSemVer(a)!, parseSemVer(b)!), 0);
    });
  }
  for (const c of table.compatibility) {
    it(`${c.rule} compatibility of ${c.input}: ${c.issues.map((i) => i[0]).join(', ') || 'compatible'}`, () => {
      const ctx = createContext();
      checkACVersionCompatibility(c.input, '', ctx);
      assert.deepEqual(
        ctx.issues.map((i) => [i.code, i.path]),
        c.issues,
      );
      const parsed = parseSemVer(c.input);
      if (parsed !== undefined) {
        const ctx2 = createContext();
        checkACVersionCompatibility(parsed, '/acVersion', ctx2);
        assert.deepEqual(
          ctx2.issues.map((i) => i.code),
          c.issues.map((i) => i[0]),
        );
        assert.ok(ctx2.issues.every((i) => i.path === '/acVersion' && i.severity === 'warning'));
      }
    });
  }
  it('T-SV-6 SPEC_VERSION is 0.8.11', () => {
    assert.equal(SPEC_VERSION, '0.8.11');
    assert.ok(validateACVersion(SPEC_VERSION).ok);
  });

  it('SPEC_VERSION passes every rule the checks skip for it (they return at once for that text)', () => {
    const parsed = parseSemVer(SPEC_VERSION);
    assert.ok(parsed !== undefined && isStrictSemVer(SPEC_VERSION) && isACVersion(SPEC_VERSION));
    const r = validateACVersion(SPEC_VERSION);
    assert.ok(r.ok && r.warnings.length === 0);
    // The parsed form takes the full path of the compatibility check.
    const ctx = createContext();
    checkACVersionCompatibility(parsed, '/acVersion', ctx);
    assert.deepEqual(ctx.issues, []);
  });
});
