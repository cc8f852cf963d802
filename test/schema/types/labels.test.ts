import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getLabel, labelsFromMap, labelsToMap, validateLabels } from '../../../src/schema/types/labels.js';
import { DEFAULT_OS_ARCH, SPEC_OS_ARCH, appcOsArchFromGo, appcOsArchFromNode, goOsArchFromAppc } from '../../../src/schema/types/os-arch.js';
import type { CheckCase, IssueRow } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

type Pair = [string, string];
type Triple = [string, string, string];
interface Table {
  cases: (CheckCase & { go?: Triple | null })[];
  fromMap: { rule: string; input: Record<string, string>; output: { name: string; value: string }[] | null; issues: IssueRow[] }[];
  fromGo: { go: Triple; appc: Pair | null }[];
  toGo: { appc: Pair; go: Triple | null }[];
  fromNode: { node: [string, string, string?]; appc: Pair | null }[];
}
const table = readJsonFixture<Table>('types', 'labels.json');

describe('Labels', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateLabels(c.input);
      assertIssues(r, c.issues);
      if (r.ok && Array.isArray(c.input)) assert.equal(r.value.length, c.input.length);
      if (c.go !== undefined && r.ok) {
        // labels_test TestLabels: the labels map back to the Go platform (T-LB-8).
        const os = getLabel(r.value, 'os');
        const arch = getLabel(r.value, 'arch');
        const go = os === undefined || arch === undefined ? undefined : goOsArchFromAppc(os, arch);
        assert.deepEqual(go === undefined ? null : [go.goos, go.goarch, go.goarm], c.go);
      }
    });
  }
  it('T-LB-1 keeps the list order and reads values', () => {
    const r = validateLabels([
      { name: 'version', value: '1.0' },
      { name: 'os', value: 'linux' },
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [
      { name: 'version', value: '1.0' },
      { name: 'os', value: 'linux' },
    ]);
  });
  it('T-LB-4 uses the os/arch table of the options (implementations may extend it)', () => {
    const input = [
      { name: 'os', value: 'linux' },
      { name: 'arch', value: 'riscv64' },
    ];
    assertIssues(validateLabels(input), [['LABELS_BAD_ARCH', '/1/value']]);
    assertIssues(validateLabels(input, { osArch: { ...DEFAULT_OS_ARCH, linux: ['riscv64'] } }), []);
    assertIssues(
      validateLabels(
        [
          { name: 'os', value: 'linux' },
          { name: 'arch', value: 'ppc64' },
        ],
        { osArch: SPEC_OS_ARCH },
      ),
      [['LABELS_BAD_ARCH', '/1/value']],
    );
  });
  it('T-LB-4 lists the valid values sorted in the message', () => {
    const r = validateLabels([{ name: 'os', value: 'plan9' }]);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.issues[0]!.message, /darwin, freebsd, linux/);
    const a = validateLabels([
      { name: 'os', value: 'darwin' },
      { name: 'arch', value: 'arm' },
    ]);
    assert.match(a.ok ? '' : a.issues[0]!.message, /i386, x86_64/);
  });
  it('T-LB-7 getLabel matches exactly, labelsToMap maps names to values', () => {
    const labels = [
      { name: 'os', value: 'linux' },
      { name: 'version', value: '1' },
    ];
    assert.equal(getLabel(labels, 'os'), 'linux');
    assert.equal(getLabel(labels, 'OS'), undefined);
    assert.deepEqual(
      [...labelsToMap(labels)],
      [
        ['os', 'linux'],
        ['version', '1'],
      ],
    );
    assert.equal(labelsToMap([{ name: '__proto__', value: 'x' }]).get('__proto__'), 'x');
  });
  for (const c of table.fromMap) {
    it(`${c.rule} labelsFromMap ${show(c.input)} sorts and validates`, () => {
      const r = labelsFromMap(c.input);
      assertIssues(r, c.issues);
      if (c.output !== null) assert.deepEqual(r.ok ? r.value : null, c.output);
      assertIssues(labelsFromMap(new Map(Object.entries(c.input))), c.issues);
    });
  }
  for (const c of table.fromGo) {
    it(`T-LB-8 Go ${c.go.join('/')} is appc ${c.appc?.join('/') ?? 'unknown'}`, () => {
      const got = appcOsArchFromGo(...c.go);
      assert.deepEqual(got === undefined ? null : [got.os, got.arch], c.appc);
      if (got !== undefined) {
        // Every label pair the mapping produces is valid, and maps back to a Go platform.
        assertIssues(
          validateLabels([
            { name: 'os', value: got.os },
            { name: 'arch', value: got.arch },
          ]),
          [],
        );
        const back = goOsArchFromAppc(got.os, got.arch);
        assert.equal(back?.goos, c.go[0]);
        assert.equal(back?.goarch, c.go[1]);
      }
    });
  }
  for (const c of table.toGo) {
    it(`T-LB-8 appc ${c.appc.join('/')} is Go ${c.go?.join('/') ?? 'unknown'}`, () => {
      const got = goOsArchFromAppc(...c.appc);
      assert.deepEqual(got === undefined ? null : [got.goos, got.goarch, got.goarm], c.go);
    });
  }
  for (const c of table.fromNode) {
    it(`T-LB-8 Node ${c.node.join('/')} is appc ${c.appc?.join('/') ?? 'unknown'}`, () => {
      const got = appcOsArchFromNode(...c.node);
      assert.deepEqual(got === undefined ? null : [got.os, got.arch], c.appc);
    });
  }
});
