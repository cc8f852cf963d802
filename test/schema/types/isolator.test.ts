import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from '../../../src/issues/issue.js';
import type { Isolator, ResourceIsolatorName } from '../../../src/schema/types/isolator.js';
import {
  getIsolatorByName,
  isolatorValue,
  makeCapabilitiesIsolator,
  makeIsolatorFromFlag,
  makeIsolatorsFromFlag,
  makeResourceIsolator,
  makeSeccompIsolator,
  makeSeccompIsolatorFromFlags,
  replaceIsolatorsByName,
  unrecognizedIsolators,
  validateAppIsolators,
  validateIsolator,
  validatePodIsolators,
} from '../../../src/schema/types/isolator.js';
import type { CapabilitiesValue, SysctlValue } from '../../../src/schema/index.js';
import type { ResourceValue } from '../../../src/schema/types/isolators/resource.js';
import { formatQuantity, quantityMilliValue, quantityValue } from '../../../src/schema/types/quantity.js';
import { readJsonFixture } from '../../support/paths.js';

type Expect = { ok: boolean; issues: [string, string][] };
interface Table {
  items: (Expect & { json: string; syntaxError?: boolean; source?: string })[];
  app: (Expect & { name: string; list: unknown })[];
  pod: (Expect & { name: string; list: unknown; unrecognized?: string[] })[];
  lists: Record<string, unknown[]>;
  getByName: { name: string; milliLimit?: string; milliRequest?: string; limit?: string; request?: string; set?: string[]; value?: unknown }[];
  resource: (Expect & { name: string; params: { request?: string; limit?: string; default?: boolean }; value?: unknown })[];
  capabilities: (Expect & { kind: 'retain' | 'remove'; caps: string[] })[];
  seccomp: (Expect & { mode: 'remove' | 'retain'; set: string[]; errno: string })[];
  flag: (Expect & { text: string; value?: unknown; isolatorName?: string })[];
  flags: (Expect & { text: string; count: number })[];
  seccompFlags: (Expect & { mode: string; set: string; value?: unknown; isolatorName?: string })[];
}
const table = readJsonFixture<Table>('types', 'isolator.json');

function listOf(list: unknown): unknown {
  return typeof list === 'string' && table.lists[list] !== undefined ? table.lists[list] : list;
}

/** Asserts the outcome and the exact [code, path] issue list. */
function expectResult(r: Result<unknown>, want: Expect): void {
  const got = (r.ok ? r.warnings : r.issues).map((i) => [i.code, i.path]);
  assert.deepEqual(got, want.issues);
  assert.equal(r.ok, want.ok);
}

describe('Isolator items (Go TestIsolatorUnmarshal and constructor tables)', () => {
  for (const row of table.items) {
    const label = `${row.source === undefined ? '' : 'Go '}${row.ok ? 'accepts' : 'rejects'} ${row.json}`;
    it(`T-IS-1 T-IS-2 T-IS-3 ${label}`, () => {
      if (row.syntaxError) {
        assert.equal(row.ok, false);
        assert.throws(() => JSON.parse(row.json), SyntaxError);
        return;
      }
      const r = validateIsolator(JSON.parse(row.json));
      expectResult(r, row);
      if (r.ok) {
        const input = (JSON.parse(row.json) ?? {}) as { value?: unknown; Value?: unknown };
        assert.deepEqual(r.value.value, input.value ?? input.Value ?? null);
      }
    });
  }
  it('T-IS-1 keeps the raw value, extra keys and quantity spelling included', () => {
    const value = { limit: '1024Mi', ponies: [1, { a: null }], request: 0.5 };
    const r = validateIsolator({ name: 'resource/memory', value });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { name: 'resource/memory', value });
  });
});

describe('App isolators (T-IS-4)', () => {
  for (const row of table.app) {
    it(`T-IS-4 ${row.name}: ${row.ok ? 'valid' : 'invalid'}`, () => {
      expectResult(validateAppIsolators(listOf(row.list)), row);
    });
  }
  it('T-IS-4 warnings of app lists fail in strict mode', () => {
    assert.equal(validateAppIsolators(listOf('getByName'), { strict: true }).ok, false);
  });
});

describe('Pod isolators (T-IS-5)', () => {
  for (const row of table.pod) {
    it(`T-IS-5 ${row.name}: ${row.ok ? 'valid' : 'invalid'}`, () => {
      const r = validatePodIsolators(listOf(row.list));
      expectResult(r, row);
      if (row.unrecognized !== undefined && r.ok)
        assert.deepEqual(
          unrecognizedIsolators(r.value).map((i) => i.name),
          row.unrecognized,
        );
    });
  }
});

describe('Isolator helpers (T-IS-6, Go TestIsolatorsGetByName)', () => {
  const r = validatePodIsolators(table.lists.getByName);
  assert.ok(r.ok);
  const list = r.value;
  for (const want of table.getByName) {
    it(`T-IS-6 T-Q-4 finds ${want.name} and reads its typed value`, () => {
      const iso = getIsolatorByName(list, want.name);
      assert.ok(iso);
      const typed = isolatorValue(iso);
      if (want.milliLimit !== undefined) {
        const v = typed as ResourceValue;
        assert.equal(quantityMilliValue(v.limit!), BigInt(want.milliLimit));
        assert.equal(quantityMilliValue(v.request!), BigInt(want.milliRequest!));
      } else if (want.limit !== undefined) {
        const v = typed as ResourceValue;
        assert.equal(quantityValue(v.limit!), BigInt(want.limit));
        assert.equal(quantityValue(v.request!), BigInt(want.request!));
      } else if (want.set !== undefined) {
        assert.deepEqual((typed as CapabilitiesValue).set, want.set);
      } else {
        assert.deepEqual(typed as SysctlValue | boolean, want.value);
      }
    });
  }
  it('T-IS-6 getIsolatorByName returns the last match, undefined when absent', () => {
    const a: Isolator = validateIsolator({ name: 'resource/memory', value: { limit: '1G' } }).ok ? ({ name: 'resource/memory', value: { limit: '1G' } } as Isolator) : assert.fail();
    const b = { ...a, value: { limit: '2G' } };
    assert.equal(getIsolatorByName([a, b], 'resource/memory'), b);
    assert.equal(getIsolatorByName([a, b], 'resource/cpu'), undefined);
  });
  it('T-IS-6 replaceIsolatorsByName deletes every named item and appends the new one', () => {
    const repl = { name: 'os/linux/capabilities-remove-set', value: { set: ['CAP_KILL'] } } as Isolator;
    const out = replaceIsolatorsByName(list, repl, ['os/linux/capabilities-retain-set', 'os/linux/capabilities-remove-set']);
    assert.deepEqual(
      out.map((i) => i.name),
      ['resource/cpu', 'resource/memory', 'os/linux/no-new-privileges', 'os/unix/sysctl', 'os/linux/capabilities-remove-set'],
    );
    assert.equal(list.length, 6, 'the input list is not changed');
  });
  it('T-IS-2 isolatorValue is undefined for unknown names and invalid values', () => {
    assert.equal(isolatorValue({ name: 'example.com/x', value: 1 } as Isolator), undefined);
    assert.equal(isolatorValue({ name: 'os/linux/cpu-shares', value: 1 } as Isolator), undefined);
    assert.equal(isolatorValue({ name: 'os/linux/cpu-shares', value: null } as Isolator), undefined);
    assert.equal(isolatorValue({ name: 'os/linux/cpu-shares', value: 2 } as Isolator), 2);
  });
  it('T-IS-7 a missing request stays absent (the executor applies request = limit)', () => {
    const v = isolatorValue({ name: 'resource/memory', value: { limit: '1G' } } as Isolator) as ResourceValue;
    assert.equal(v.request, undefined);
    assert.equal(formatQuantity(v.limit!), '1G');
  });
});

describe('Isolator constructors (T-IS-9)', () => {
  for (const row of table.resource) {
    it(`T-IS-9 makeResourceIsolator ${row.name} ${JSON.stringify(row.params)}`, () => {
      const r = makeResourceIsolator(row.name as ResourceIsolatorName, row.params);
      expectResult(r, row);
      if (r.ok) assert.deepEqual(r.value, { name: row.name, value: row.value });
    });
  }
  for (const row of table.capabilities) {
    it(`T-IS-9 makeCapabilitiesIsolator ${row.kind} ${JSON.stringify(row.caps)}`, () => {
      const r = makeCapabilitiesIsolator(row.kind, row.caps);
      expectResult(r, row);
      if (r.ok) assert.deepEqual(r.value, { name: `os/linux/capabilities-${row.kind}-set`, value: { set: row.caps } });
    });
  }
  for (const row of table.seccomp) {
    it(`T-IS-9 makeSeccompIsolator ${row.mode} ${JSON.stringify(row.set)} errno ${JSON.stringify(row.errno)}`, () => {
      const r = makeSeccompIsolator(row.mode, row.set, row.errno);
      expectResult(r, row);
      if (r.ok) assert.deepEqual(r.value, { name: `os/linux/seccomp-${row.mode}-set`, value: { set: row.set, errno: row.errno } });
    });
  }
  for (const row of table.flag) {
    it(`T-IS-9 makeIsolatorFromFlag ${JSON.stringify(row.text)}: ${row.ok ? 'accepted' : 'rejected'} as by actool patch-manifest`, () => {
      const r = makeIsolatorFromFlag(row.text);
      expectResult(r, row);
      if (r.ok) {
        assert.deepEqual(r.value.value, row.value);
        assert.equal(r.value.name, row.isolatorName ?? row.text.split(',')[0]);
      }
    });
  }
  for (const row of table.flags) {
    it(`T-IS-9 makeIsolatorsFromFlag ${JSON.stringify(row.text)}`, () => {
      const r = makeIsolatorsFromFlag(row.text);
      expectResult(r, row);
      const value = r.ok ? r.value : (r.partial as Isolator[]);
      assert.equal(value.length, row.count);
    });
  }
  for (const row of table.seccompFlags) {
    it(`T-IS-9 makeSeccompIsolatorFromFlags --seccomp-mode=${row.mode} --seccomp-set=${row.set}`, () => {
      const r = makeSeccompIsolatorFromFlags(row.mode, row.set);
      expectResult(r, row);
      if (r.ok) assert.deepEqual(r.value, { name: row.isolatorName, value: row.value });
    });
  }
});
