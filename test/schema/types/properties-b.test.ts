import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Result } from '../../../src/issues/issue.js';
import { validateDependencies, validateDependency } from '../../../src/schema/types/dependencies.js';
import {
  isolatorValue,
  makeIsolatorFromFlag,
  makeIsolatorsFromFlag,
  makeSeccompIsolatorFromFlags,
  validateAppIsolators,
  validateIsolator,
  validatePodIsolators,
} from '../../../src/schema/types/isolator.js';
import { parseMountPointFlag, validateMountPoint, validateMountPoints } from '../../../src/schema/types/mount-point.js';
import { parsePortFlag, validateExposedPort, validatePort, validatePorts } from '../../../src/schema/types/port.js';
import type { Quantity } from '../../../src/schema/types/quantity.js';
import { compareQuantities, formatQuantity, makeQuantity, parseQuantity, quantityMilliValue, quantityValue, validateQuantity } from '../../../src/schema/types/quantity.js';
import { formatVolumeFlag, parseVolumeFlag, validateVolume } from '../../../src/schema/types/volume.js';

const RUNS = { numRuns: 300 };

/** A Result has one of its two shapes, and every issue is well formed. */
function assertResult(r: Result<unknown>): void {
  const issues = r.ok ? r.warnings : r.issues;
  assert.ok(Array.isArray(issues));
  for (const i of issues) {
    assert.match(i.code, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(i.path === '' || i.path.startsWith('/'));
    assert.ok(i.message.length > 0);
  }
  if (!r.ok) assert.ok(issues.some((i) => i.severity === 'error'));
}

// Text near the grammars: fragments that the parsers branch on, glued together and mutated.
const quantityPiece = fc.constantFrom('0', '1', '9', '12', '.', '-', '+', 'e', 'E', 'e-', 'e+', 'Ki', 'Mi', 'Ei', 'i', 'k', 'K', 'm', 'n', 'u', 'M', 'G', 'T', 'P', ' ', '999999999999', '2147483648');
const quantityText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.array(quantityPiece, { maxLength: 6 }).map((a) => a.join('')),
);
const flagPiece = fc.constantFrom(
  'name',
  'path',
  'readOnly',
  'kind',
  'source',
  'mode',
  'uid',
  'gid',
  'recursive',
  'port',
  'count',
  'protocol',
  'socketActivated',
  'request',
  'limit',
  'default',
  '=',
  ',',
  '%',
  '%2F',
  '%zz',
  '+',
  ';',
  '&',
  'true',
  'T',
  '0',
  '-1',
  '65535',
  '/tmp',
  'empty',
  'host',
  'resource/cpu',
  'os/linux/oom-score-adj',
  'os/linux/no-new-privileges',
  'foo',
  '"',
  '1e2',
  'null',
);
const flagText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(flagPiece, { maxLength: 10 }).map((a) => a.join('')),
);
const isolatorNames = fc.constantFrom(
  'resource/cpu',
  'resource/memory',
  'resource/block-bandwidth',
  'resource/block-iops',
  'resource/network-bandwidth',
  'os/linux/capabilities-retain-set',
  'os/linux/capabilities-remove-set',
  'os/linux/no-new-privileges',
  'os/linux/seccomp-remove-set',
  'os/linux/seccomp-retain-set',
  'os/linux/selinux-context',
  'os/linux/apparmor-profile',
  'os/linux/cpu-shares',
  'os/linux/oom-score-adj',
  'os/unix/sysctl',
  'example.com/x',
  '',
  'BAD',
);
const keys = fc.constantFrom(
  'name',
  'value',
  'set',
  'errno',
  'request',
  'limit',
  'default',
  'user',
  'role',
  'type',
  'level',
  'profile',
  'path',
  'readOnly',
  'kind',
  'source',
  'mode',
  'uid',
  'gid',
  'port',
  'count',
  'protocol',
  'hostPort',
  'hostIP',
  'podPort',
  'imageName',
  'imageID',
  'labels',
  'size',
  'Name',
  '__proto__',
);
const scalar = fc.oneof(
  quantityText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('CAP_KILL', '@appc.io/all', 'EPERM', '1Gi', '-1', '/tmp', 'empty', 'host', '::1', '1.2.3.4', 'sha512-abc'),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(keys, tie('v'), { maxKeys: 5 })),
})).v;
const isolatorItem = fc.oneof(fc.record({ name: isolatorNames, value }), fc.dictionary(keys, value, { maxKeys: 3 }), value);

const checkers: [string, (v: unknown) => Result<unknown>][] = [
  ['Quantity', validateQuantity],
  ['Isolator', validateIsolator],
  ['App isolators', validateAppIsolators],
  ['Pod isolators', validatePodIsolators],
  ['MountPoint', validateMountPoint],
  ['MountPoints', validateMountPoints],
  ['Port', validatePort],
  ['Ports', validatePorts],
  ['ExposedPort', validateExposedPort],
  ['Volume', validateVolume],
  ['Dependency', validateDependency],
  ['Dependencies', validateDependencies],
];

describe('property tests (types batch B): parsers and checkers never throw', () => {
  it('T-Q-1 parseQuantity gives a Result for any text, and valid quantities print and read back equal', () => {
    fc.assert(
      fc.property(quantityText, (text) => {
        const r = parseQuantity(text);
        assertResult(r);
        if (r.ok) {
          const printed = formatQuantity(r.value);
          const again = parseQuantity(printed);
          assert.ok(again.ok, printed);
          assert.equal(compareQuantities(again.value, r.value), 0, `${text} -> ${printed}`);
          quantityValue(r.value);
          quantityMilliValue(r.value);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('T-Q-3 T-Q-5 canonical text keeps the exact value of random fixed-point numbers', () => {
    // Binary values beyond 2^63-1 are clamped when read (T-Q-3), so they cannot round-trip.
    const limit = makeQuantity((1n << 63n) - 1n);
    const q = fc
      .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -9, max: 20 }), fc.constantFrom('DecimalSI', 'BinarySI', 'DecimalExponent' as const))
      .map(([u, s, f]) => makeQuantity(u, s, f))
      .filter((x) => x.format !== 'BinarySI' || compareQuantities(makeQuantity(x.unscaled < 0n ? -x.unscaled : x.unscaled, x.scale), limit) <= 0);
    fc.assert(
      fc.property(q, (x: Quantity) => {
        const r = parseQuantity(formatQuantity(x));
        assert.ok(r.ok, formatQuantity(x));
        assert.equal(compareQuantities(r.value, x), 0);
      }),
      RUNS,
    );
  });

  it('T-Q-3 compareQuantities is antisymmetric', () => {
    fc.assert(
      fc.property(quantityText, quantityText, (a, b) => {
        const ra = parseQuantity(a);
        const rb = parseQuantity(b);
        if (ra.ok && rb.ok) assert.equal(compareQuantities(ra.value, rb.value), -compareQuantities(rb.value, ra.value) || 0);
      }),
      RUNS,
    );
  });

  it('T-MP-3 T-PT-5 T-VL-7 T-IS-9 the string-form parsers give a Result for any text', () => {
    fc.assert(
      fc.property(flagText, flagText, (text, other) => {
        assertResult(parseMountPointFlag(text));
        assertResult(parsePortFlag(text));
        const v = parseVolumeFlag(text);
        assertResult(v);
        if (v.ok && !/[,=&;%+]/.test(formatVolumeFlag(v.value).split(',kind=')[1] ?? '')) {
          const back = parseVolumeFlag(formatVolumeFlag(v.value));
          assert.ok(back.ok);
          assert.deepEqual(back.value, v.value);
        }
        assertResult(makeIsolatorFromFlag(text));
        assertResult(makeIsolatorsFromFlag(text));
        assertResult(makeSeccompIsolatorFromFlags(text, other));
      }),
      { numRuns: 500 },
    );
  });

  for (const [name, validate] of checkers) {
    it(`${name}: random JSON values give a Result`, () => {
      fc.assert(
        fc.property(value, (v) => assertResult(validate(v))),
        RUNS,
      );
    });
  }

  it('T-IS-4 T-IS-5 random isolator lists give a Result, and typed values of valid items can be read', () => {
    fc.assert(
      fc.property(fc.array(isolatorItem, { maxLength: 5 }), (list) => {
        assertResult(validateAppIsolators(list));
        const pod = validatePodIsolators(list);
        assertResult(pod);
        if (pod.ok) for (const iso of pod.value) isolatorValue(iso);
      }),
      { numRuns: 500 },
    );
  });
});
