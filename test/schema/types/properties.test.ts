import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import semver from 'semver';
import type { Result } from '../../../src/issues/issue.js';
import { isACIdentifier, sanitizeACIdentifier, validateACIdentifier } from '../../../src/schema/types/ac-identifier.js';
import { validateACKind } from '../../../src/schema/types/ac-kind.js';
import { validateAnnotations } from '../../../src/schema/types/annotations.js';
import { formatDate, parseDate, validateDate } from '../../../src/schema/types/date.js';
import { validateEnvironment } from '../../../src/schema/types/environment.js';
import { validateEventHandlers } from '../../../src/schema/types/event-handlers.js';
import { validateExec } from '../../../src/schema/types/exec.js';
import { imageIdFromDigest, isImageID, shortImageId, validateImageID } from '../../../src/schema/types/image-id.js';
import { labelsFromMap, validateLabels } from '../../../src/schema/types/labels.js';
import { compareSemVer, formatSemVer, isStrictSemVer, parseSemVer, validateACVersion } from '../../../src/schema/types/semver.js';
import { parseURLScheme, validateHttpURL } from '../../../src/schema/types/url.js';
import { formatUUID, parseUUID, validateUUID } from '../../../src/schema/types/uuid.js';
import { validateUserAnnotations } from '../../../src/schema/types/user-maps.js';

const RUNS = { numRuns: 300 };

/** A Result has one of its two shapes, and every issue is well formed. */
function assertResult(r: Result<unknown>): void {
  const issues = r.ok ? r.warnings : r.issues;
  assert.ok(Array.isArray(issues));
  for (const i of issues) {
    assert.equal(typeof i.code, 'string');
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(i.path === '' || i.path.startsWith('/'));
    assert.ok(i.message.length > 0);
  }
  if (!r.ok) assert.ok(issues.some((i) => i.severity === 'error'));
}

const validators: [string, (v: unknown) => Result<unknown>][] = [
  ['ACKind', (v) => validateACKind(v, { expected: 'ImageManifest' })],
  ['ACVersion', (v) => validateACVersion(v)],
  ['ImageID', (v) => validateImageID(v)],
  ['Date', (v) => validateDate(v)],
  ['HttpURL', (v) => validateHttpURL(v)],
  ['UUID', (v) => validateUUID(v)],
  ['Labels', (v) => validateLabels(v)],
  ['Annotations', (v) => validateAnnotations(v)],
  ['Annotations (pod)', (v) => validateAnnotations(v, { nameKind: 'name' })],
  ['Environment', (v) => validateEnvironment(v)],
  ['Exec', (v) => validateExec(v)],
  ['EventHandlers', (v) => validateEventHandlers(v)],
  ['UserAnnotations', (v) => validateUserAnnotations(v)],
];

// Lists of small objects whose keys and values come from the interesting vocabulary, so the
// name/value rules are reached often (random JSON alone seldom builds a label).
const word = fc.constantFrom(
  'os',
  'arch',
  'name',
  'linux',
  'amd64',
  'created',
  'homepage',
  'documentation',
  'pre-start',
  'post-stop',
  'DEBUG',
  '',
  'a..b',
  'Name',
  'VALUE',
  'appc.io/executor/supports-systemd-notify',
  'http://x.com',
  '2004-05-14T23:11:14Z',
  'true',
);
const scalar = fc.oneof(word, fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
const item = fc.oneof(fc.dictionary(fc.oneof(word, fc.constantFrom('exec', 'Exec')), fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { maxKeys: 4 }), scalar);
const listOfItems = fc.array(item, { maxLength: 6 });

describe('property tests: checkers never throw', () => {
  for (const [name, validate] of validators) {
    it(`${name}: random JSON values give a Result`, () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => assertResult(validate(v))),
        RUNS,
      );
    });
    it(`${name}: random strings give a Result`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (v) => assertResult(validate(v))),
        RUNS,
      );
    });
    it(`${name}: lists of name/value-like objects give a Result`, () => {
      fc.assert(
        fc.property(listOfItems, (v) => assertResult(validate(v))),
        RUNS,
      );
    });
  }
  it('T-UR-1 parseURLScheme never throws on URL-like text', () => {
    const urlish = fc.stringMatching(/^[a-zA-Z:/@[\]%0-9.?#-]{0,30}$/);
    fc.assert(
      fc.property(fc.oneof(urlish, fc.webUrl(), fc.string()), (s) => {
        const p = parseURLScheme(s);
        assert.equal(typeof p.ok, 'boolean');
      }),
      RUNS,
    );
  });
  it('T-UR-1 every web URL with an http(s) scheme is accepted', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }), (u) => {
        assert.ok(validateHttpURL(u).ok, u);
      }),
      RUNS,
    );
  });
});

describe('property tests: outputs validate', () => {
  it('T-ID-6 sanitizeACIdentifier output is a valid ACIdentifier', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = sanitizeACIdentifier(s);
        if (out !== undefined) assert.ok(validateACIdentifier(out).ok);
      }),
      RUNS,
    );
  });
  it('T-SV-1 T-SV-4 formatSemVer output parses back to the same version', () => {
    const num = fc.bigInt({ min: 0n, max: 9223372036854775807n });
    const ident = fc.stringMatching(/^[0-9A-Za-z-]{1,8}(\.[0-9A-Za-z-]{1,8}){0,2}$/);
    const pre = fc.oneof(
      fc.constant(''),
      ident.filter((s) => !s.includes('+')),
    );
    const meta = fc.oneof(fc.constant(''), ident);
    fc.assert(
      fc.property(num, num, num, pre, meta, (major, minor, patch, prerelease, metadata) => {
        const v = { major, minor, patch, prerelease, metadata };
        const text = formatSemVer(v);
        assert.deepEqual(parseSemVer(text), v);
        assert.equal(compareSemVer(v, v), 0);
      }),
      RUNS,
    );
  });
  it('T-SV-1 the strict SemVer check agrees with the semver package', () => {
    const part = fc.oneof(fc.constantFrom('0', '1', '01', '10', '00', 'x', ''), fc.nat({ max: 1000 }).map(String));
    const id = fc.oneof(part, fc.constantFrom('alpha', 'a-b', 'A1', '-', '0a', '01a', '', 'a b'));
    const text = fc
      .tuple(part, part, part, fc.array(id, { maxLength: 3 }), fc.array(id, { maxLength: 2 }), fc.boolean(), fc.boolean())
      .map(([a, b, c, p, m, hasP, hasM]) => `${a}.${b}.${c}${hasP ? '-' + p.join('.') : ''}${hasM ? '+' + m.join('.') : ''}`);
    fc.assert(
      fc.property(text, (t) => {
        assert.equal(isStrictSemVer(t), semver.valid(t) !== null, t);
        if (isStrictSemVer(t)) assert.notEqual(parseSemVer(t), undefined);
      }),
      { numRuns: 500 },
    );
  });
  it('T-SV-5 compareSemVer agrees with semver.compare on strict versions', () => {
    const v = fc
      .tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.array(fc.oneof(fc.nat({ max: 12 }).map(String), fc.constantFrom('alpha', 'beta', 'rc', 'a1', '1a')), { maxLength: 3 }))
      .map(([a, b, c, p]) => `${a}.${b}.${c}${p.length ? '-' + p.join('.') : ''}`);
    fc.assert(
      fc.property(v, v, (a, b) => {
        assert.equal(compareSemVer(parseSemVer(a)!, parseSemVer(b)!), semver.compare(a, b), `${a} ${b}`);
      }),
      { numRuns: 500 },
    );
  });
  it('T-HS-5 imageIdFromDigest output is a strict image ID and validates without warnings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        const id = imageIdFromDigest(bytes);
        assert.ok(isImageID(id));
        const r = validateImageID(id);
        assert.ok(r.ok && r.warnings.length === 0);
        assert.equal(shortImageId(id).length, 39);
      }),
      RUNS,
    );
  });
  it('T-UU-1 formatUUID output validates and parses back to the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const u = formatUUID(bytes)!;
        assert.deepEqual(parseUUID(u), bytes);
        const r = validateUUID(u);
        assert.equal(
          r.ok,
          bytes.some((b) => b !== 0),
        );
        if (r.ok) assert.equal(r.value, u);
      }),
      RUNS,
    );
  });
  it('T-DT-2 formatDate output validates and parses back to the same second', () => {
    const date = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(date, (d) => {
        const text = formatDate(d);
        assert.ok(text !== undefined);
        assert.ok(validateDate(text).ok, text);
        assert.equal(parseDate(text)!.getTime(), Math.floor(d.getTime() / 1000) * 1000);
      }),
      RUNS,
    );
  });
  it('T-LB-7 labelsFromMap output is sorted and validates when the names are identifiers', () => {
    const name = fc.stringMatching(/^[a-z0-9]{1,6}([._~/-][a-z0-9]{1,6}){0,2}$/).filter((n) => n !== 'name' && n !== 'os');
    fc.assert(
      fc.property(fc.dictionary(name, fc.string(), { maxKeys: 6 }), (m) => {
        const r = labelsFromMap(m);
        assert.ok(r.ok);
        const names = r.value.map((l) => l.name);
        assert.deepEqual(names, [...names].sort());
        assert.ok(names.every((n) => isACIdentifier(n)));
        assert.ok(validateLabels(r.value).ok);
      }),
      RUNS,
    );
  });
});
