/**
 * Go's decoding rules, one table per root cause of issue #11. Each row records the Go actool v0.8.11 verdict
 * next to its input (worked out from appc/spec schema/*.go and encoding/json: which types have their own
 * UnmarshalJSON, how keys are matched and numbers read); default mode must give the same verdict unless the
 * row says why not (`ours`), and must report the listed codes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest, stringifyManifest } from '../../src/schema/manifest.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';

type Verdict = 'valid' | 'invalid';
interface Row {
  readonly rule: string;
  readonly input: string;
  readonly go: Verdict;
  /** Our default verdict when policy (b) makes it differ from Go's. */
  readonly ours?: Verdict;
  /** Codes that must be reported (code or `code@pointer`). */
  readonly codes?: readonly string[];
  /** Codes that must not be reported. */
  readonly not?: readonly string[];
}

const HEAD = '"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/x"';
const image = (rest = ''): string => `{${HEAD}${rest}}`;
const app = (fields: string): string => image(`,"app":{"exec":["/a"],"user":"0","group":"0"${fields}}`);
const pod = (rest: string): string => `{"acKind":"PodManifest","acVersion":"0.8.11"${rest}}`;
const podApp = (name: string, extra = ''): string => `{${name}"image":{"id":"sha512-${'a'.repeat(128)}"}${extra}}`;

function check(rows: readonly Row[]): void {
  for (const row of rows) {
    const expected = row.ours ?? row.go;
    it(`${row.rule} Go: ${row.go}${row.ours ? `, ours: ${row.ours}` : ''}: ${row.input.length > 140 ? row.input.slice(0, 139) + '…' : row.input}`, () => {
      const r = parseManifest(row.input);
      const issues = r.ok ? r.warnings : r.issues;
      const shown = JSON.stringify(issues.map((i) => `${i.severity} ${i.code}@${i.path}`));
      assert.equal(r.ok ? 'valid' : 'invalid', expected, shown);
      for (const c of row.codes ?? []) {
        const [code, at] = c.split('@');
        assert.ok(
          issues.some((i) => i.code === code && (at === undefined || i.path === at)),
          `${c} missing from ${shown}`,
        );
      }
      for (const c of row.not ?? []) assert.ok(!issues.some((i) => i.code === c), `${c} reported: ${shown}`);
      for (const i of issues) if (i.line !== undefined) assert.ok(i.line >= 1 && i.column! >= 1);
      // Strict mode fails exactly when there is anything to report.
      assert.equal(parseManifest(row.input, { strict: true }).ok, issues.length === 0);
    });
  }
}

describe('G-5 integer syntax: Go refuses a fraction or exponent for an integer field, and -0 for uint', () => {
  check([
    { rule: 'G-5', input: app(',"ports":[{"name":"p","protocol":"tcp","port":80.0}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER@/app/ports/0/port'] },
    { rule: 'G-5', input: app(',"ports":[{"name":"p","protocol":"tcp","port":8e1}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: app(',"ports":[{"name":"p","protocol":"tcp","port":80,"count":1E0}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: app(',"supplementaryGIDs":[1e2]'), go: 'invalid', codes: ['JSON_NOT_INTEGER@/app/supplementaryGIDs/0'] },
    { rule: 'G-5', input: app(',"supplementaryGIDs":[1e-400]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: app(',"supplementaryGIDs":[-0]'), go: 'valid', not: ['JSON_NUMBER_OUT_OF_RANGE'] },
    { rule: 'G-5', input: app(',"ports":[{"name":"p","protocol":"tcp","port":-0}]'), go: 'invalid', codes: ['JSON_NUMBER_OUT_OF_RANGE'] },
    { rule: 'G-5', input: app(',"isolators":[{"name":"os/linux/oom-score-adj","value":1000.0}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: app(',"isolators":[{"name":"os/linux/oom-score-adj","value":-1000}]'), go: 'valid' },
    { rule: 'G-5', input: app(',"ports":[{"name":"p","protocol":"tcp","port":80}]'), go: 'valid' },
    { rule: 'G-5', input: pod(',"apps":[],"ports":[{"name":"p","hostPort":8.08e3}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: pod(',"apps":[],"volumes":[{"name":"v","kind":"empty","uid":1.0}]'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
    { rule: 'G-5', input: app(',"Ports":[{"name":"p","protocol":"tcp","port":80.0}],"ports":[]'), go: 'invalid', codes: ['JSON_NOT_INTEGER@/app/Ports/0/port'] },
  ]);
});

describe('G-1 keys that differ only in case are decoded in order, each by its own type', () => {
  check([
    { rule: 'G-1', input: '{"Name":"BAD","acKind":"ImageManifest","acVersion":"0.8.11","name":"example"}', go: 'invalid', codes: ['ACIDENTIFIER_INVALID_CHAR@/Name', 'JSON_KEY_CASE@/Name'] },
    { rule: 'G-1', input: '{"ACKIND":[],"acKind":"ImageManifest","acVersion":"0.8.11","name":"example"}', go: 'invalid', codes: ['JSON_WRONG_TYPE@/ACKIND'] },
    { rule: 'G-1', input: '{"acversion":"","acKind":"ImageManifest","acVersion":"0.8.11","name":"example"}', go: 'invalid', codes: ['ACVERSION_INVALID@/acversion'] },
    { rule: 'G-1', input: '{"name":"example","acKind":"ImageManifest","acVersion":"0.8.11","NAME":"other"}', go: 'valid', codes: ['JSON_KEY_CASE'] },
    { rule: 'G-1', input: app(',"User":"","user":"1"').replace('"user":"0",', ''), go: 'valid', codes: ['JSON_KEY_CASE'], not: ['APP_USER_REQUIRED'] },
    { rule: 'G-1', input: app(',"USER":5').replace('"user":"0",', '"user":"0","x":1,'), go: 'invalid', codes: ['JSON_WRONG_TYPE@/app/USER'] },
    { rule: 'G-1', input: image(',"labels":[{"name":"a","value":"1"}],"Labels":[{"name":"NAME!","value":"1"}]'), go: 'invalid', codes: ['ACIDENTIFIER_INVALID_CHAR@/Labels/0/name'] },
    { rule: 'G-1', input: image(',"Labels":[{"name":"NAME!","value":"1"}],"labels":[{"name":"a","value":"1"}]'), go: 'invalid', codes: ['ACIDENTIFIER_INVALID_CHAR@/Labels/0/name'] },
  ]);
});

describe('G-1 Unicode folding: Go matches ſ (U+017F) as s and the Kelvin sign (U+212A) as k', () => {
  check([
    { rule: 'G-1', input: app(',"i\u017folators":[{}]'), go: 'invalid', codes: ['ISOLATOR_UNKNOWN', 'JSON_KEY_CASE@/app/i\u017folators'] },
    { rule: 'G-1', input: '{"acKind":"ImageManifest","acVer\u017fion":"0.8.11","name":"example"}', go: 'valid', codes: ['JSON_KEY_CASE'] },
    { rule: 'G-1', input: '{"ac\u212aind":"ImageManifest","acVersion":"0.8.11","name":"example"}', go: 'valid', codes: ['JSON_KEY_CASE'] },
    { rule: 'G-1', input: '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example","\u212aey":1}', go: 'valid', not: ['JSON_KEY_CASE'] },
    // U+0130 lower-cases to "i" plus a combining dot in JS; Go does not fold it with i.
    { rule: 'G-1', input: app(',"\u0130solators":[{}]'), go: 'valid', not: ['ISOLATOR_UNKNOWN'] },
    { rule: 'G-1', input: '{"acKind":"ImageManifest","acVersion":"0.8.11","\u0131name":"x","name":"example"}', go: 'valid' },
  ]);
});

describe('G-3 exact duplicate keys: only a type with its own decoder sees the earlier value', () => {
  check([
    { rule: 'G-3', input: app('').replace('"user":"0"', '"user":"","user":"0"'), go: 'valid', codes: ['JSON_DUPLICATE_KEY'], not: ['APP_USER_REQUIRED'] },
    { rule: 'G-3', input: image(',"labels":[{"name":"version","value":"x","value":"1"}]'), go: 'valid', codes: ['JSON_DUPLICATE_KEY'] },
    { rule: 'G-3', input: image(',"labels":[{"name":"os","value":"plan9","value":"linux"}]'), go: 'valid', not: ['LABELS_BAD_OS'] },
    { rule: 'G-3', input: image(',"labels":[{"name":"version","value":5,"value":"1"}]'), go: 'invalid', codes: ['JSON_WRONG_TYPE@/labels/0/value'] },
    { rule: 'G-3', input: image(',"labels":[{"name":"BAD","name":"version","value":"1"}]'), go: 'invalid', codes: ['ACIDENTIFIER_INVALID_CHAR'] },
    { rule: 'G-3', input: app(',"isolators":[{"name":"resource/cpu","value":{"limit":"bad"},"value":{"limit":"1"}}]'), go: 'valid', codes: ['JSON_DUPLICATE_KEY'] },
    { rule: 'G-3', input: app(',"isolators":[{"name":"resource/cpu","value":{"limit":"1"},"value":{"limit":"bad"}}]'), go: 'invalid' },
    { rule: 'G-3', input: '{"acKind":"ImageManifest","acKind":"PodManifest","acVersion":"0.8.11","apps":[]}', go: 'valid', not: ['MANIFEST_WRONG_KIND'] },
    { rule: 'G-3', input: '{"acKind":"Bogus","acKind":"ImageManifest","acVersion":"0.8.11","name":"x"}', go: 'invalid', codes: ['ACKIND_INVALID'] },
    { rule: 'G-3', input: image('').replace('"name":"example.com/x"', '"name":"BAD","name":"example.com/x"'), go: 'invalid', codes: ['ACIDENTIFIER_INVALID_CHAR@/name'] },
    { rule: 'G-3', input: app(',"workingDirectory":"rel","workingDirectory":"/abs"'), go: 'valid', not: ['APP_WORKING_DIRECTORY_RELATIVE'] },
    { rule: 'G-3', input: image(',"app":{"exec":["/a"]},"app":{"user":"1","group":"0"}'), go: 'invalid', codes: ['APP_USER_REQUIRED'] },
    { rule: 'G-3', input: image(',"app":{"exec":["/a"],"user":"0","group":"0"},"app":{"user":"1"}'), go: 'valid', codes: ['JSON_DUPLICATE_KEY'] },
    { rule: 'G-3', input: app(',"mountPoints":[{"name":"BAD!","path":"/m"}],"mountPoints":[{"name":"m","path":"/m"}]'), go: 'invalid', codes: ['ACNAME_INVALID_CHAR'] },
    { rule: 'G-3', input: app(',"pathX":1').replace('"exec":["/a"]', '"exec":"/a","exec":["/a"]'), go: 'invalid', codes: ['JSON_WRONG_TYPE'] },
    { rule: 'G-3', input: image(',"pathWhitelist":["a","a"],"pathWhitelist":["/a"]'), go: 'valid' },
  ]);

  it('G-3 Go merges a repeated app into the earlier one; the merged value is what is kept', () => {
    const r = parseManifest(image(',"app":{"exec":["/a"],"user":"0","group":"0","userLabels":{"a":"1"}},"app":{"user":"1","userLabels":{"b":"2"}}'));
    assert.ok(r.ok);
    const m = r.value as ImageManifest;
    assert.deepEqual(m.app?.exec, ['/a']);
    assert.equal(m.app?.user, '1');
    assert.deepEqual(m.app?.userLabels, { a: '1', b: '2' });
  });

  it('G-3 the last of interleaved case variants and duplicates wins, in document order', () => {
    const r = parseManifest(app('').replace('"user":"0"', '"user":"a","User":"b","user":"c"'));
    assert.ok(r.ok);
    assert.equal((r.value as ImageManifest).app?.user, 'c');
  });
});

describe('T-AP-5 null in string maps is read as "" (Go), with a warning', () => {
  check([
    { rule: 'T-AP-5', input: app(',"userAnnotations":{"a":null}'), go: 'valid', codes: ['JSON_NULL_IN_MAP@/app/userAnnotations/a'] },
    { rule: 'T-AP-5', input: app(',"userLabels":{"a":null,"b":"x"}'), go: 'valid', codes: ['JSON_NULL_IN_MAP@/app/userLabels/a'] },
    { rule: 'T-AP-5', input: pod(',"apps":[],"userLabels":{"a":null}'), go: 'valid', codes: ['JSON_NULL_IN_MAP'] },
    { rule: 'T-AP-5', input: app(',"userLabels":{"a":1}'), go: 'invalid', codes: ['JSON_WRONG_TYPE'] },
  ]);
  it('T-AP-5 the null becomes ""', () => {
    const r = parseManifest(app(',"userAnnotations":{"a":null}'));
    assert.ok(r.ok);
    assert.deepEqual((r.value as ImageManifest).app?.userAnnotations, { a: '' });
  });
});

describe('M-PM-1 pods: apps without a name are duplicates of ""; an inline appVolume needs no pod volume', () => {
  check([
    { rule: 'M-PM-1', input: pod(`,"apps":[${podApp('')},${podApp('')}]`), go: 'invalid', codes: ['POD_DUPLICATE_APP', 'POD_APP_MISSING_NAME'] },
    { rule: 'M-PM-1', input: pod(`,"apps":[${podApp('"name":null,')},${podApp('')}]`), go: 'invalid', codes: ['POD_DUPLICATE_APP'] },
    { rule: 'M-PM-1', input: pod(`,"apps":[${podApp('"name":"a",')},${podApp('')}]`), go: 'valid', codes: ['POD_APP_MISSING_NAME'] },
    {
      rule: '§8.12',
      input: pod(`,"apps":[${podApp('"name":"a",', ',"mounts":[{"volume":"v","path":"/m","appVolume":{"name":"v","kind":"empty"}}]')}]`),
      go: 'valid',
      not: ['POD_MOUNT_UNKNOWN_VOLUME'],
    },
    { rule: '§8.12', input: pod(`,"apps":[${podApp('"name":"a",', ',"mounts":[{"volume":"v","path":"/m"}]')}]`), go: 'valid', codes: ['POD_MOUNT_UNKNOWN_VOLUME'] },
  ]);
});

describe('T-DP-3 big numbers: a dependency size is exact up to uint64', () => {
  const dep = (size: string): string => image(`,"dependencies":[{"imageName":"example.com/d","size":${size}}]`);
  check([
    { rule: 'T-DP-3', input: dep('9007199254740993'), go: 'valid' },
    { rule: 'T-DP-3', input: dep('18446744073709551615'), go: 'valid' },
    { rule: 'T-DP-3', input: dep('18446744073709551616'), go: 'invalid', codes: ['JSON_NUMBER_OUT_OF_RANGE'] },
    { rule: 'T-DP-3', input: dep('-1'), go: 'invalid', codes: ['JSON_NUMBER_OUT_OF_RANGE'] },
    { rule: 'T-DP-3', input: dep('1e3'), go: 'invalid', codes: ['JSON_NOT_INTEGER'] },
  ]);
  it('T-DP-3 keeps the exact value and writes it back unchanged', () => {
    const r = parseManifest(dep('18446744073709551615'));
    assert.ok(r.ok);
    const m = r.value as ImageManifest;
    assert.equal(m.dependencies?.[0]?.size, 18446744073709551615n);
    const text = stringifyManifest(m);
    assert.match(text, /"size":18446744073709551615}/);
    assert.deepEqual((parseManifest(text) as { value: ImageManifest }).value.dependencies?.[0]?.size, 18446744073709551615n);
    const small = parseManifest(dep('22017258'));
    assert.ok(small.ok);
    assert.equal((small.value as ImageManifest).dependencies?.[0]?.size, 22017258);
  });
  it('T-DP-3 an object from JSON.parse has the size already rounded: validateManifest takes it as rounded', async () => {
    const { validateManifest } = await import('../../src/schema/manifest.js');
    const r = validateManifest(JSON.parse(dep('18446744073709551615')));
    assert.ok(r.ok);
    assert.equal((r.value as ImageManifest).dependencies?.[0]?.size, 18446744073709551615n);
    assert.equal(validateManifest(JSON.parse(dep('1e30'))).ok, false);
  });
  it('T-DP-3 a string that looks like the internal bigint mark stays a string', () => {
    const r = parseManifest(image(`,"annotations":[{"name":"x","value":"\\u0000abc:5"}],"dependencies":[{"imageName":"example.com/d","size":18446744073709551615}]`));
    assert.ok(r.ok);
    assert.deepEqual(parseManifest(stringifyManifest(r.value)).ok && (parseManifest(stringifyManifest(r.value)) as { value: ImageManifest }).value.annotations, [{ name: 'x', value: '\u0000abc:5' }]);
  });
});

describe('missing warnings: the spec forbids, Go accepts', () => {
  const version = (v: string): string => `{"acKind":"ImageManifest","acVersion":"${v}","name":"example.com/x"}`;
  const quantity = (q: string): string => app(`,"isolators":[{"name":"resource/memory","value":{"limit":${q}}}]`);
  check([
    { rule: 'T-SV-7', input: version('0.8.11-rc.1'), go: 'valid', codes: ['ACVERSION_NOT_RELEASED'] },
    { rule: 'T-SV-7', input: version('0.1.0'), go: 'valid', codes: ['ACVERSION_NOT_RELEASED'] },
    { rule: 'T-SV-7', input: version('0.8.11+git'), go: 'valid', codes: ['ACVERSION_NOT_RELEASED'] },
    { rule: 'T-SV-7', input: version('0.8.4'), go: 'valid', not: ['ACVERSION_NOT_RELEASED'] },
    { rule: 'T-SV-7', input: version('0.1.1'), go: 'valid', not: ['ACVERSION_NOT_RELEASED'] },
    { rule: 'T-Q-1', input: quantity('"1e3"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"5n"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"5u"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"+1G"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('" 1G"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('1e3'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('".5"'), go: 'valid', codes: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"125952Ki"'), go: 'valid', not: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"0.3"'), go: 'valid', not: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('"300m"'), go: 'valid', not: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-Q-1', input: quantity('128974848'), go: 'valid', not: ['QUANTITY_NOT_SPEC_FORM'] },
    { rule: 'T-LB-1', input: image(',"labels":[{"name":"version"}]'), go: 'valid', codes: ['LABELS_VALUE_MISSING@/labels/0'] },
    { rule: 'T-LB-1', input: image(',"labels":[{"name":"version","value":null}]'), go: 'valid', codes: ['LABELS_VALUE_MISSING@/labels/0/value'] },
    { rule: 'T-AP-2', input: app(',"workingDirectory":""'), go: 'valid', codes: ['APP_WORKING_DIRECTORY_EMPTY'] },
    { rule: 'T-PT-6', input: pod(',"apps":[],"ports":[{"name":"p","hostPort":80,"hostIP":""}]'), go: 'valid', codes: ['EXPOSEDPORT_HOSTIP_EMPTY'] },
    { rule: 'T-UR-1', input: image(',"annotations":[{"name":"homepage","value":"http:example.com"}]'), go: 'valid', codes: ['URL_NO_HOST'] },
    { rule: 'T-UR-1', input: image(',"annotations":[{"name":"homepage","value":"http://user@:80/x"}]'), go: 'valid', codes: ['URL_NO_HOST'] },
    { rule: 'T-UR-1', input: image(',"annotations":[{"name":"homepage","value":"https://[::1]:8080/x"}]'), go: 'valid', not: ['URL_NO_HOST'] },
    {
      rule: 'T-IS seccomp',
      input: app(',"isolators":[{"name":"os/linux/seccomp-remove-set","value":{"set":["reboot","Bad Name",""]}}]'),
      go: 'valid',
      codes: ['LINUX_SECCOMP_NOT_SYSCALL@/app/isolators/0/value/set/1', 'LINUX_SECCOMP_NOT_SYSCALL@/app/isolators/0/value/set/2'],
    },
    {
      rule: 'T-IS seccomp',
      input: app(',"isolators":[{"name":"os/linux/seccomp-remove-set","value":{"set":["@rkt/default-blacklist","clock_adjtime"]}}]'),
      go: 'valid',
      not: ['LINUX_SECCOMP_NOT_SYSCALL'],
    },
    {
      rule: 'A-PW-1',
      input: image(',"pathWhitelist":["/../a","/a/./b","/a//b","/c/"]'),
      go: 'valid',
      codes: ['MANIFEST_PATH_WHITELIST_UNCLEAN@/pathWhitelist/0', 'MANIFEST_PATH_WHITELIST_UNCLEAN@/pathWhitelist/1', 'MANIFEST_PATH_WHITELIST_UNCLEAN@/pathWhitelist/2'],
    },
    { rule: 'A-PW-1', input: image(',"pathWhitelist":["/c/","/etc/systemd/system/"]'), go: 'valid', not: ['MANIFEST_PATH_WHITELIST_UNCLEAN'] },
  ]);
});

describe('G-2 typo hints: an unknown key close to a field name is a warning; other unknown keys stay quiet', () => {
  check([
    { rule: 'G-2', input: image(',"labels":[{"name":"os","val":"linux"}]'), go: 'invalid', codes: ['JSON_UNKNOWN_KEY@/labels/0/val', 'LABELS_BAD_OS'] },
    { rule: 'G-2', input: app(',"ports":[{"name":"p","protocl":"tcp","port":80}]'), go: 'valid', codes: ['JSON_UNKNOWN_KEY@/app/ports/0/protocl'] },
    { rule: 'G-2', input: app(',"enviroment":[]'), go: 'valid', codes: ['JSON_UNKNOWN_KEY@/app/enviroment'] },
    { rule: 'G-2', input: image(',"x-build-info":{"ci":"yes"},"maintainer":"me"'), go: 'valid', not: ['JSON_UNKNOWN_KEY'] },
    { rule: 'G-2', input: app(',"env":[]'), go: 'valid', codes: ['JSON_UNKNOWN_KEY'] },
  ]);
  it('G-2 the hint names the field', () => {
    const r = parseManifest(image(',"labels":[{"name":"version","val":"1"}]'));
    assert.ok(r.ok);
    assert.match(r.warnings.find((w) => w.code === 'JSON_UNKNOWN_KEY')!.message, /did you mean "value"\?/);
  });
});
