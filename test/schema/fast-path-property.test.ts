import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseImageManifest } from '../../src/schema/image-manifest.js';
import { parseManifest } from '../../src/schema/manifest.js';
import { parsePodManifest } from '../../src/schema/pod-manifest.js';
import { fixturePath } from '../support/paths.js';

// The JSON.parse fast path must not change a single verdict, code, message, path, line or column: every
// document goes through both paths and the full results are compared.

const seeds = ['image/valid', 'pod/valid', 'image/invalid', 'pod/invalid'].flatMap((d) =>
  readdirSync(fixturePath('manifests', d))
    .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
    .map((f) => readFileSync(fixturePath('manifests', d, f), 'utf8')),
);

const NOISE = ['"name":"x",', '"acKind":"PodManifest",', '"Name":"a",', '1.0', '-0', '80', '1e2', '18446744073709551616', '"\\ud800"', '"😀"', 'null', '[]', '{}', '"', ',', '"__proto__":1,'];

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(20), fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 8 }))).map(([seed, at, len, insert]) => {
  const i = at % (seed.length + 1);
  return seed.slice(0, i) + insert + seed.slice(i + len);
});

/** A value inside a real manifest replaced by a random JSON value (keeps the document mostly valid). */
const replaced = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([seed, at, v]) => {
  const colons = [...seed.matchAll(/:\s*/g)];
  if (colons.length === 0) return seed;
  const m = colons[at % colons.length]!;
  const start = m.index! + m[0].length;
  const end = seed.slice(start).search(/[,}\]\n]/);
  return seed.slice(0, start) + JSON.stringify(v) + seed.slice(end < 0 ? seed.length : start + end);
});

function assertSameResult(text: string): void {
  assert.deepEqual(parseManifest(text), parseManifest(text, { exactJson: true }));
  assert.deepEqual(parseManifest(text, { strict: true }), parseManifest(text, { strict: true, exactJson: true }));
  assert.deepEqual(parseImageManifest(text), parseImageManifest(text, { exactJson: true }));
  const bytes = new TextEncoder().encode(text);
  assert.deepEqual(parsePodManifest(bytes), parsePodManifest(bytes, { exactJson: true }));
}

describe('manifests: the JSON.parse fast path gives the full result of the exact parser', () => {
  it('every fixture', () => {
    for (const text of seeds) assertSameResult(text);
  });

  it('mutated fixtures', () => {
    fc.assert(fc.property(mutated, assertSameResult), { numRuns: 500 });
  });

  it('fixtures with a value replaced by random JSON', () => {
    fc.assert(fc.property(replaced, assertSameResult), { numRuns: 500 });
  });
});
