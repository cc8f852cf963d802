import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Annotations } from '../../../src/schema/types/annotations.js';
import { getAnnotation, readKnownAnnotations, setAnnotation, validateAnnotations } from '../../../src/schema/types/annotations.js';
import type { ACIdentifier } from '../../../src/schema/types/ac-identifier.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

const table = readJsonFixture<{ cases: CheckCase[]; pod: CheckCase[] }>('types', 'annotations.json');
const id = (s: string): ACIdentifier => s as ACIdentifier;

describe('Annotations', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      assertIssues(validateAnnotations(c.input), c.issues);
    });
  }
  for (const c of table.pod) {
    it(`T-AN-1 ${c.rule} pod annotation names (nameKind "name") ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateAnnotations(c.input, { nameKind: 'name' });
      assertIssues(r, c.issues);
      if (c.issues.some(([code]) => code === 'ANNOTATIONS_NAME_NOT_ACNAME')) {
        assert.equal(validateAnnotations(c.input, { nameKind: 'name', strict: true }).ok, false);
        assertIssues(
          validateAnnotations(c.input),
          c.issues.filter(([code]) => code !== 'ANNOTATIONS_NAME_NOT_ACNAME'),
        );
      }
    });
  }
  it('T-AN-4 getAnnotation matches exactly (annotations_test TestAnnotationsGet)', () => {
    const a = [
      { name: 'foo', value: 'bar' },
      { name: 'website', value: 'http://example.com/anno' },
    ];
    assert.equal(getAnnotation(a, 'foo'), 'bar');
    assert.equal(getAnnotation(a, 'website'), 'http://example.com/anno');
    assert.equal(getAnnotation(a, 'baz'), undefined);
    assert.equal(getAnnotation(a, 'wuuf'), undefined);
    assert.equal(getAnnotation(a, 'FOO'), undefined);
  });
  it('T-AN-4 setAnnotation replaces the first match ignoring case, else appends (annotations_test TestAnnotationsSet)', () => {
    let a: Annotations = [];
    a = setAnnotation(a, id('foo'), 'bar');
    assert.deepEqual(a, [{ name: 'foo', value: 'bar' }]);
    a = setAnnotation(a, id('dog'), 'woof');
    assert.deepEqual(a, [
      { name: 'foo', value: 'bar' },
      { name: 'dog', value: 'woof' },
    ]);
    const before = a;
    a = setAnnotation(a, id('foo'), 'baz');
    a = setAnnotation(a, id('example.com/foo_bar'), 'quux');
    assert.deepEqual(a, [
      { name: 'foo', value: 'baz' },
      { name: 'dog', value: 'woof' },
      { name: 'example.com/foo_bar', value: 'quux' },
    ]);
    assert.deepEqual(
      before,
      [
        { name: 'foo', value: 'bar' },
        { name: 'dog', value: 'woof' },
      ],
      'the input list is not changed',
    );
    const mixed = setAnnotation(
      [
        { name: id('Foo'), value: '1' },
        { name: id('foo'), value: '2' },
      ],
      id('foo'),
      '3',
    );
    assert.deepEqual(mixed, [
      { name: 'foo', value: '3' },
      { name: 'foo', value: '2' },
    ]);
  });
  it('T-AN-2 T-AN-3 readKnownAnnotations types the recognised names', () => {
    const known = readKnownAnnotations([
      { name: 'created', value: '2014-10-27T19:32:27.67021798Z' },
      { name: 'homepage', value: 'https://example.com' },
      { name: 'documentation', value: 'ftp://example.com' },
      { name: 'authors', value: 'Carly Container' },
      { name: 'appc.io/executor/supports-systemd-notify', value: 'true' },
    ]);
    assert.equal(known.created?.toISOString(), '2014-10-27T19:32:27.670Z');
    assert.equal(known.homepage, 'https://example.com');
    assert.equal('documentation' in known, false);
    assert.equal(known.authors, 'Carly Container');
    assert.equal(known.supportsSystemdNotify, true);
    assert.deepEqual(readKnownAnnotations([{ name: 'created', value: 'no' }]), { supportsSystemdNotify: false });
  });
});
