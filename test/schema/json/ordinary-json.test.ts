import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pointer, splitPointer } from '../../../src/issues/json-pointer.js';
import { parseJson, parseJsonExact } from '../../../src/schema/json/parse-json.js';
import { countOrdinaryMembers, parseOrdinaryJson } from '../../../src/schema/json/ordinary-json.js';
import { fixturePath } from '../../support/paths.js';

/** Every pointer into a value, plus tokens that name nothing or are read oddly (Number("01") is 1). */
function pointersOf(value: unknown, base: (string | number)[] = [], out: string[] = []): string[] {
  out.push(pointer(...base));
  for (const odd of ['missing', '-1', '01', '1.0', '', '~', '__proto__', '1e0', '99']) out.push(pointer(...base, odd));
  if (Array.isArray(value)) value.forEach((v, i) => void pointersOf(v, [...base, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) pointersOf(v, [...base, k], out);
  return out;
}

function nodeAt(value: unknown, tokens: readonly (string | number)[]): unknown {
  return tokens.reduce<unknown>((n, t) => (typeof n === 'object' && n !== null && Object.hasOwn(n, t) ? (n as Record<string, unknown>)[t] : undefined), value);
}

/** Asserts that the fast path, when it takes the text, answers every question as the exact parser does. */
function assertSameAnswers(text: string, maxDepth = 128): boolean {
  const fast = parseOrdinaryJson(text, maxDepth);
  if (fast === undefined) return false;
  const exact = parseJsonExact(text, { maxDepth });
  assert.notEqual(exact.value, undefined, 'the fast path took a text the exact parser rejects');
  assert.deepEqual(fast.value, exact.value);
  assert.equal(JSON.stringify(fast.value), JSON.stringify(exact.value), 'same key order');
  assert.deepEqual(fast.problems, exact.problems);
  assert.deepEqual(fast.duplicates, exact.duplicates);
  for (const p of pointersOf(exact.value)) {
    assert.equal(fast.valueOffset(p), exact.valueOffset(p), `valueOffset ${p}`);
    assert.equal(fast.keyOffset(p), exact.keyOffset(p), `keyOffset ${p}`);
    assert.equal(fast.numberText(p), exact.numberText(p), `numberText ${p}`);
  }
  // The walk that remembers what it read of each container, asked in document order and again backwards.
  const pointers = pointersOf(exact.value);
  for (const p of [...pointers, ...pointers.reverse()]) assert.equal(fast.valueOffsetOfTokens?.(splitPointer(p)), exact.valueOffset(p), `valueOffsetOfTokens ${p}`);
  assert.equal(fast.valueOffset('not a pointer'), exact.valueOffset('not a pointer'));
  const walk = (v: unknown, tokens: (string | number)[]): void => {
    if (typeof v !== 'object' || v === null) return;
    assert.equal(fast.members(nodeAt(fast.value, tokens) as object), exact.members(v));
    if (Array.isArray(v))
      v.forEach((x, i) => {
        walk(x, [...tokens, i]);
      });
    else for (const [k, x] of Object.entries(v)) walk(x, [...tokens, k]);
  };
  walk(exact.value, []);
  return true;
}

const seeds = ['image/valid', 'pod/valid', 'image/invalid', 'pod/invalid'].flatMap((d) =>
  readdirSync(fixturePath('manifests', d))
    .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
    .map((f) => readFileSync(fixturePath('manifests', d, f), 'utf8')),
);

/** Edits that a fast path could get wrong: repeated keys, odd numbers, surrogates, escapes, whitespace. */
const NOISE = [
  '"name":"x",',
  '"a":1,"a":2,',
  '1.0',
  '-0',
  '1e2',
  '1234567890123456',
  '"\\ud800"',
  '"\\ud83d\\ude00"',
  '"\\u00e9"',
  '"😀"',
  '\ufeff',
  ' \t\r\n',
  '"__proto__":{},',
  '"k\\"ey":1,',
  '[[[[',
  ']]',
  '{}',
  'null',
  ',',
  '"',
  '\\',
];

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(12), fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 6 }))).map(([seed, at, len, insert]) => {
  const i = at % (seed.length + 1);
  return seed.slice(0, i) + insert + seed.slice(i + len);
});

const jsonText = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(undefined, 0, 2, '\t')).map(([v, indent]) => JSON.stringify(v, null, indent));

describe('parseJson fast path (JSON.parse for ordinary documents) answers as the exact parser', () => {
  it('random JSON documents: same value, key order, offsets, members and number texts', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        assertSameAnswers(text);
      }),
      { numRuns: 600 },
    );
  });

  it('mutated real manifests: the same answers whenever the fast path takes the text', () => {
    let taken = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        if (assertSameAnswers(text)) taken++;
      }),
      { numRuns: 800 },
    );
    assert.ok(taken > 100, `the fast path took only ${taken} texts`);
  });

  it('every manifest fixture that is JSON takes the fast path or is one the exact parser must handle', () => {
    for (const text of seeds) if (!assertSameAnswers(text)) assert.ok(countOrdinaryMembers(text, 128) < 0 || parseJsonExact(text).duplicates.length > 0 || parseJsonExact(text).value === undefined);
  });

  const declined: [string, string][] = [
    ['{"a":1,"a":2}', 'a repeated key'],
    ['{"a":{"b":1,"b":1}}', 'a repeated nested key'],
    ['{"a":1.0}', 'a fraction'],
    ['{"a":8e1}', 'an exponent'],
    ['{"a":-0}', 'minus zero'],
    ['{"a":1234567890123456}', 'sixteen digits'],
    ['{"a":-123456789012345}', 'fifteen digits and a sign'],
    ['["\\ud800"]', 'a lone surrogate escape'],
    ['["\\uD83D\\uDE00"]', 'an escaped surrogate pair'],
    ['["\ud800"]', 'a raw lone surrogate'],
    ['\ufeff{}', 'a byte order mark'],
    ['{"a":1,}', 'a syntax error'],
    ['{} {}', 'trailing data'],
    ['"unterminated', 'an unterminated string'],
    ['', 'nothing'],
  ];
  for (const [text, what] of declined) {
    it(`leaves ${what} to the exact parser`, () => {
      assert.equal(parseOrdinaryJson(text, 128), undefined);
      assert.deepEqual(parseJson(text).problems, parseJsonExact(text).problems);
      assert.deepEqual(parseJson(text).duplicates, parseJsonExact(text).duplicates);
    });
  }

  it('leaves nesting at the depth limit to the exact parser (JSON_TOO_DEEP)', () => {
    assert.equal(parseOrdinaryJson('[[[1]]]', 3), undefined);
    assert.equal(parseJson('[[[1]]]', { maxDepth: 2 }).problems[0]?.code, 'JSON_TOO_DEEP');
    assert.ok(assertSameAnswers('[[[1]]]', 4));
  });

  it('takes ordinary documents, with escapes, "__proto__" and integer-like keys', () => {
    for (const text of ['{"a\\"b":[1,-2,{"c/d~":null}],"__proto__":{"x":true}}', '{"2":1,"1":{"0":[]},"b":"\\n\\u00e9"}', ' [ ] ', '0', '-5']) assert.ok(assertSameAnswers(text), text);
  });

  it('takes escapes that are no surrogate, and text beyond one byte per character', () => {
    for (const text of ['{"a":"\\u00e9\\u0041"}', '{"é":"ü","b":[1]}', '["\\\\u"]', '{"a":"\\\\\\u0041"}']) assert.ok(assertSameAnswers(text), text);
  });

  it('leaves text that only looks like an escaped surrogate to the exact parser, with the same answers', () => {
    // A written backslash followed by "ud800": no surrogate, but the test is conservative.
    const text = '{"a":"\\\\ud800","b":1}';
    assert.equal(parseOrdinaryJson(text, 128), undefined);
    assert.equal(parseJson(text).valueOffset('/b'), parseJsonExact(text).valueOffset('/b'));
  });

  it('finds values after objects and arrays whose strings hold brackets, quotes and backslash runs', () => {
    const texts = [
      '{"a":{"x":"]}\\"]}","y":[["}"]]},"b":2}',
      '{"a":["\\\\","\\\\\\"[",{"}":"{"}],"b":[{}, [], {"c": [ ]}],"d":null}',
      '[[],{},[[{"a":"\\"]"}]],"[",3]',
      '{"a":{},"b":[],"c":{"d":{"e":[]}},"f":true}',
    ];
    for (const text of texts) assert.ok(assertSameAnswers(text), text);
  });

  it('nesting just below, at and just above the limit', () => {
    for (const depth of [2, 3, 4, 127, 128, 129]) {
      for (const [open, close] of [
        ['[', ']'],
        ['{"a":', '}'],
      ]) {
        const text = open!.repeat(depth) + '1' + close!.repeat(depth);
        const fast = parseOrdinaryJson(text, 128);
        assert.equal(fast === undefined, depth >= 128, `${depth} ${open}`);
        assert.deepEqual(parseJson(text).problems, parseJsonExact(text).problems);
        if (fast !== undefined) assertSameAnswers(text);
      }
    }
  });

  it("hostile text of a megabyte of backslashes and quotes finishes with the exact parser's answers", () => {
    const n = 1 << 18;
    const valid = [`{"a":["${'\\\\\\"'.repeat(n)}"],"b":{"c":1}}`, `{"a":[${'"\\"",'.repeat(n)}1],"b":{"c":1}}`, `{"a":{"${'\\\\'.repeat(n)}":[]},"b":{"c":1}}`];
    for (const text of valid) {
      const fast = parseJson(text);
      const exact = parseJsonExact(text);
      assert.ok(parseOrdinaryJson(text, 128) !== undefined);
      for (const p of ['/b', '/b/c', '/a', '/a/0', '/z']) {
        assert.equal(fast.valueOffset(p), exact.valueOffset(p), p);
        assert.equal(fast.valueOffsetOfTokens?.(splitPointer(p)), exact.valueOffset(p), p);
      }
    }
    const invalid = [`{"a":["${'\\"'.repeat(n)}`, `"${'\\'.repeat(n)}`, `[${'"\\"'.repeat(n)}]`, '"'.repeat(n * 4)];
    for (const text of invalid) {
      assert.equal(parseOrdinaryJson(text, 128), undefined);
      assert.deepEqual(parseJson(text).problems, parseJsonExact(text).problems);
    }
  });

  it('the exact option skips the fast path', () => {
    const text = '{"a": [1, 2]}';
    assert.deepEqual(parseJson(text, { exact: true }).value, parseJson(text).value);
    assert.equal(parseJson(text, { exact: true }).valueOffset('/a/1'), parseJson(text).valueOffset('/a/1'));
  });
});
