import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatAppString, parseAppString, validateDiscoveryApp, withDefaultLabels } from '../../src/discovery/app-string.js';
import type { DiscoveryApp } from '../../src/discovery/app-string.js';
import { codesOf } from '../support/issues.js';
import { readJsonFixture } from '../support/paths.js';

interface Table {
  valid: { input: string; name: string; labels: Record<string, string> }[];
  warning: { input: string; code: string; name: string; labels: Record<string, string> }[];
  invalid: { input: string; codes: string[] }[];
}
const table = readJsonFixture<Table>('discovery', 'app-strings.json');

describe('parseAppString', () => {
  for (const { input, name, labels } of table.valid) {
    it(`D-AP-1 D-AP-2 parses ${JSON.stringify(input)}`, () => {
      const r = parseAppString(input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.value, { name, labels });
    });
  }
  for (const { input, code, name, labels } of table.warning) {
    it(`D-AP-2 accepts ${JSON.stringify(input)} with warning ${code}, and fails it in strict mode`, () => {
      const r = parseAppString(input);
      assert.ok(r.ok);
      assert.deepEqual(codesOf(r), [code]);
      assert.deepEqual(r.value, { name, labels });
      assert.equal(parseAppString(input, { strict: true }).ok, false);
    });
  }
  for (const { input, codes } of table.invalid) {
    it(`D-AP-1 D-AP-2 rejects ${JSON.stringify(input)} with ${codes.join(', ')}`, () => {
      const r = parseAppString(input);
      assert.equal(r.ok, false);
      assert.deepEqual([...new Set(codesOf(r))].sort(), [...codes].sort());
      for (const i of r.ok ? [] : r.issues) assert.ok(i.message.length > 10, i.message);
    });
  }

  it('D-AP-1 points label issues at /labels/KEY and name issues at /name', () => {
    const r = parseAppString('Bad/Name,Bad=1');
    assert.equal(r.ok, false);
    assert.deepEqual((r.ok ? [] : r.issues).map((i) => i.path).sort(), ['/labels/Bad', '/name']);
  });

  it('DISCOVERY_APP_WRONG_TYPE for a non-string (JavaScript callers)', () => {
    assert.deepEqual(codesOf(parseAppString(42 as unknown as string)), ['DISCOVERY_APP_WRONG_TYPE']);
  });

  it('never throws on arbitrary text, and an ok result always has an ACIdentifier name', () => {
    const alphabet = fc.constantFrom('a', 'b', '1', '.', '/', '-', ':', ',', '=', '%', ' ', 'A', '{', '}', '_', '~');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 30 })), (text) => {
        const r = parseAppString(text);
        if (r.ok) assert.match(r.value.name, /^[a-z0-9]/);
      }),
      { numRuns: 400 },
    );
  });
});

const identifier = fc.stringMatching(/^[a-z0-9]{1,6}(?:[-._~/][a-z0-9]{1,6}){0,3}$/);
const value = fc.string({ maxLength: 12 }).filter((v) => !v.includes(',') && !v.includes(':'));
const appArb = fc.record({
  name: identifier,
  labels: fc.dictionary(
    identifier.filter((k) => k !== 'name' && !/[-._~/]{2}/.test(k)),
    value,
    { maxKeys: 4 },
  ),
}) as fc.Arbitrary<DiscoveryApp>;

describe('formatAppString', () => {
  it('D-AP-3 writes NAME,LABEL=VALUE... that parses back to the same app (property)', () => {
    fc.assert(
      fc.property(appArb, (app) => {
        const r = parseAppString(formatAppString(app));
        assert.ok(r.ok, formatAppString(app));
        assert.deepEqual({ ...r.value, labels: { ...r.value.labels } }, { name: app.name, labels: { ...app.labels } });
      }),
      { numRuns: 300 },
    );
  });

  it('D-AP-1 NAME:VERSION sets the version label (property)', () => {
    fc.assert(
      fc.property(identifier, value, (name, version) => {
        const r = parseAppString(`${name}:${version}`);
        assert.ok(r.ok);
        assert.equal(r.value.labels['version'], version);
        assert.equal(r.value.name, name);
      }),
      { numRuns: 200 },
    );
  });
});

describe('validateDiscoveryApp and withDefaultLabels', () => {
  it('accepts an object app, including a label called name (Go ignores it in templates)', () => {
    const r = validateDiscoveryApp({ name: 'example.com/myapp', labels: { name: 'x', version: '1' } });
    assert.ok(r.ok);
  });
  it('DISCOVERY_APP_WRONG_TYPE for non-objects, non-string values and a labels array', () => {
    assert.deepEqual(codesOf(validateDiscoveryApp('example.com')), ['DISCOVERY_APP_WRONG_TYPE']);
    assert.deepEqual(codesOf(validateDiscoveryApp({ name: 'a.com', labels: { v: 1 } })), ['DISCOVERY_APP_WRONG_TYPE']);
    assert.deepEqual(codesOf(validateDiscoveryApp({ name: 'a.com', labels: [] })), ['DISCOVERY_APP_WRONG_TYPE']);
    assert.deepEqual(codesOf(validateDiscoveryApp({ name: 'A', labels: { OS: 'x' } })), ['ACIDENTIFIER_INVALID_CHAR', 'ACIDENTIFIER_INVALID_CHAR']);
  });
  it('D-WK-2 fills missing or empty labels from the defaults, then version=latest', () => {
    const app = { name: 'a.com/b', labels: { os: '', channel: 'beta' } } as unknown as DiscoveryApp;
    assert.deepEqual(withDefaultLabels(app, { os: 'linux', arch: 'amd64' }).labels, { os: 'linux', channel: 'beta', arch: 'amd64', version: 'latest' });
    assert.deepEqual(withDefaultLabels({ ...app, labels: { version: '' } }).labels, { version: 'latest' });
    assert.deepEqual(withDefaultLabels({ ...app, labels: { version: '2' } }).labels, { version: '2' });
  });
});
