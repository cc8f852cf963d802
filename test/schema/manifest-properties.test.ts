import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseImageManifest } from '../../src/schema/image-manifest.js';
import { parsePodManifest } from '../../src/schema/pod-manifest.js';
import { parseManifest, validateManifest } from '../../src/schema/manifest.js';
import type { Result } from '../../src/issues/issue.js';
import { fixturePath } from '../support/paths.js';

const seeds = ['image/valid', 'pod/valid'].flatMap((d) =>
  readdirSync(fixturePath('manifests', d))
    .filter((f) => !f.includes('.expected'))
    .map((f) => readFileSync(fixturePath('manifests', d, f), 'utf8')),
);

/** A result is well formed: issues carry a code, a severity and a pointer; ok results have a value. */
function assertWellFormed(r: Result<unknown>): void {
  const issues = r.ok ? r.warnings : r.issues;
  if (r.ok) assert.notEqual(r.value, undefined);
  else assert.ok(issues.some((i) => i.severity === 'error'));
  for (const i of issues) {
    assert.match(i.code, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(i.path === '' || i.path.startsWith('/'));
    assert.equal(typeof i.message, 'string');
  }
}

/** Mutations that keep the text near a real manifest: replace a value, delete a span, insert noise. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(40), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('null', '[]', '{}', '-1', '1e999', '"\\ud800"', '"', ',', '{"a":')))
  .map(([seed, at, len, insert]) => {
    const i = at % (seed.length + 1);
    return seed.slice(0, i) + insert + seed.slice(i + len);
  });

/** Structurally plausible documents: real keys with random JSON values. */
const KEYS = [
  'acKind',
  'acVersion',
  'name',
  'labels',
  'app',
  'annotations',
  'dependencies',
  'pathWhitelist',
  'apps',
  'volumes',
  'isolators',
  'ports',
  'exec',
  'user',
  'group',
  'image',
  'id',
  'value',
  'set',
  'kind',
  'mounts',
];
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 })),
})).value;
const withKind = fc.tuple(fc.constantFrom('ImageManifest', 'PodManifest'), fc.dictionary(fc.constantFrom(...KEYS), doc, { maxKeys: 8 })).map(([k, d]) => ({ ...d, acKind: k }));

describe('manifest parsers never throw (property tests)', () => {
  it('G-6 mutated real manifests give well-formed results from every parser', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        assertWellFormed(parseManifest(text));
        assertWellFormed(parseImageManifest(text));
        assertWellFormed(parsePodManifest(new TextEncoder().encode(text)));
      }),
      { numRuns: 400 },
    );
  });

  it('random documents built from real keys give well-formed results', () => {
    fc.assert(
      fc.property(withKind, (d) => {
        assertWellFormed(validateManifest(d));
        assertWellFormed(parseManifest(JSON.stringify(d)));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes give well-formed results', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => assertWellFormed(parseManifest(b))),
      { numRuns: 300 },
    );
  });
});

describe('non-object documents', () => {
  for (const text of ['null', '[]', '"x"', '42', 'true']) {
    it(`M-KD-1 ${text} is JSON_NOT_OBJECT from every parser, never an empty failure`, () => {
      for (const r of [parseManifest(text), parseImageManifest(text), parsePodManifest(text)]) {
        assert.equal(r.ok, false);
        assert.deepEqual(r.ok ? [] : r.issues.map((i) => i.code), ['JSON_NOT_OBJECT']);
      }
    });
  }
});

describe('pathWhitelist cleanliness', () => {
  /** Go's path.Clean of an absolute path, as first written (the checker skips it for paths with no "//" or "/."). */
  function clean(p: string): string {
    const out: string[] = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  it('property: a path is reported unclean exactly when Go cleans it to something else (a trailing "/" aside)', () => {
    const path = fc.array(fc.constantFrom('a', 'b.c', '.', '..', '', '.x', 'x.', '...'), { maxLength: 5 }).map((parts) => '/' + parts.join('/'));
    fc.assert(
      fc.property(path, (p) => {
        const r = parseImageManifest(JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/x', pathWhitelist: [p] }));
        const issues = r.ok ? r.warnings : r.issues;
        const unclean = issues.filter((i) => i.code === 'MANIFEST_PATH_WHITELIST_UNCLEAN');
        const c = clean(p);
        assert.equal(unclean.length, c !== p && c + '/' !== p ? 1 : 0, p);
        if (unclean.length === 1) assert.equal(unclean[0]!.params?.['clean'], c);
      }),
      { numRuns: 1000 },
    );
  });
});
