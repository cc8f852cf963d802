import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Issue } from '../../../src/issues/issue.js';
import { childPointer, pointer, splitPointer } from '../../../src/issues/json-pointer.js';
import { goFieldKey } from '../../../src/schema/internal/fields.js';
import { locate, withPositions } from '../../../src/schema/internal/positions.js';
import type { ParsedJson } from '../../../src/schema/json/parse-json.js';
import { lineColumn, parseJson } from '../../../src/schema/json/parse-json.js';

// withPositions resolves each pointer once and reads line and column from a per-document index; the
// reference below is the code it replaced (locate, then a pointer string offset, then lineColumn, then a
// spread). Both must give the same issues, key order included, on the JSON.parse path and the exact one.

function locateReference(parsed: ParsedJson, path: string): { path: string; offset: number | undefined } {
  let tokens: string[];
  try {
    tokens = splitPointer(path);
  } catch {
    return { path, offset: parsed.valueOffset('') };
  }
  let node: unknown = parsed.value;
  let docPath = '';
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) break;
      node = node[index];
      docPath = childPointer(docPath, index);
    } else if (typeof node === 'object' && node !== null) {
      const obj = node as Record<string, unknown>;
      const key = goFieldKey(obj, token);
      if (key === undefined) break;
      node = obj[key];
      docPath = childPointer(docPath, key);
    } else break;
  }
  return { path: docPath, offset: parsed.valueOffset(docPath) };
}

function withPositionsReference(issues: readonly Issue[], parsed: ParsedJson): Issue[] {
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const { offset } = locateReference(parsed, issue.path);
    if (offset === undefined) return issue;
    const { line, column } = lineColumn(parsed.text, offset);
    return { ...issue, line, column };
  });
}

const KEYS = ['a', 'A', 'name', 'Name', 'NAME', 'ſ', 's', 'K', '\u212a', 'k', '~', '/', '~1', 'a/b', '0', '1', '__proto__', 'é', '', 'q"', 'n\n'];
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** Pointers into a value: its own keys (some in another case), indices in odd spellings, and nonsense. */
const TOKENS = [...KEYS, 'NAme', '00', '01', '-0', '1e0', '2', '9', 'x', '~0', '~01', ' 1'];
const path = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 }).map((tokens) => tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('')),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 }).map((tokens) => tokens.map((t) => '/' + t).join('')),
  fc.constantFrom('', 'x', 'a/b', '/'),
);

const issue = fc.tuple(path, fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), fc.boolean()).map(([p, line, params]): Issue => {
  const base: Issue = params ? { code: 'X_CODE', severity: 'warning', path: p, message: 'm', params: { key: 'k' } } : { code: 'X_CODE', severity: 'error', path: p, message: 'm' };
  return line === undefined ? base : { ...base, line, column: 3 };
});

describe('withPositions', () => {
  it('gives the reference positions for random documents and pointers, on both parse paths', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.array(issue, { maxLength: 6 }), (v, indent, crlf, issues) => {
        let text = JSON.stringify(v, null, indent) ?? 'null';
        if (crlf) text = text.replace(/\n/g, '\r\n');
        for (const exact of [false, true]) {
          const parsed = parseJson(text, { exact });
          if (parsed.value === undefined) return;
          const got = withPositions(issues, parsed);
          const expected = withPositionsReference(issues, parsed);
          assert.deepEqual(got, expected);
          for (let k = 0; k < got.length; k++) assert.deepEqual(Object.keys(got[k]!), Object.keys(expected[k]!));
          for (const i of issues) assert.deepEqual(locate(parsed, i.path), locateReference(parsed, i.path));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('valueOffsetOfTokens answers as valueOffset of the joined pointer, lookup after lookup in one document', () => {
    const tokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 4 });
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 3 }), fc.array(tokens, { maxLength: 10 }), (v, indent, lookups) => {
        const text = JSON.stringify(v, null, indent) ?? 'null';
        for (const exact of [false, true]) {
          const parsed = parseJson(text, { exact });
          if (parsed.value === undefined) return;
          for (const t of lookups) assert.equal(parsed.valueOffsetOfTokens!(t), parsed.valueOffset(pointer(...t)), `${text} ${JSON.stringify(t)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
