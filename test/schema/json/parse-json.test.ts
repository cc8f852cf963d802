import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lineColumn, parseJson } from '../../../src/schema/json/parse-json.js';
import { decodeUtf8, firstInvalidUtf8 } from '../../../src/schema/json/decode-text.js';

describe('parseJson (Go decoding rules)', () => {
  it('G-6 parses what JSON.parse parses, with the same value', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{"c":{}}}';
    const r = parseJson(text);
    assert.deepEqual(r.value, JSON.parse(text));
    assert.deepEqual(r.problems, []);
  });

  it('G-3 keeps the last of repeated keys and records the earlier value with its key offset', () => {
    const text = '{"name":"BAD","name":"example.com/x"}';
    const r = parseJson(text);
    assert.deepEqual(r.value, { name: 'example.com/x' });
    assert.equal(r.duplicates.length, 1);
    assert.deepEqual(r.duplicates[0], { path: '/name', keyOffset: 1, value: 'BAD' });
  });

  it('records value and key offsets by JSON pointer, escaping ~ and /', () => {
    const text = '{"a/b": [10, {"c~d": 1}]}';
    const r = parseJson(text);
    assert.equal(r.keyOffset('/a~1b'), 1);
    assert.equal(text.slice(r.valueOffset('/a~1b/1/c~0d')!), '1}]}');
    assert.equal(text.slice(r.valueOffset('/a~1b/1')!), '{"c~d": 1}]}');
    assert.equal(r.keyOffset('/a~1b/0'), undefined);
    assert.equal(r.valueOffset('/missing'), undefined);
    assert.equal(r.valueOffset(''), 0);
  });

  it('treats "__proto__" as a plain key, as JSON.parse does', () => {
    const r = parseJson('{"__proto__": {"polluted": true}}');
    assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
    assert.deepEqual(Object.keys(r.value as object), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  const bad: [string, string][] = [
    ['', 'JSON_SYNTAX'],
    ['{', 'JSON_SYNTAX'],
    ['{"a":1,}', 'JSON_SYNTAX'],
    ['[1 2]', 'JSON_SYNTAX'],
    ['{"a":01}', 'JSON_SYNTAX'],
    ['"\\x"', 'JSON_SYNTAX'],
    ['"a\u0001"', 'JSON_SYNTAX'],
    ['<html>', 'JSON_SYNTAX'],
    ['\ufeff{}', 'JSON_SYNTAX'],
    ['{} x', 'JSON_TRAILING_DATA'],
    ['{}{}', 'JSON_TRAILING_DATA'],
    ['NaN', 'JSON_SYNTAX'],
    ['tru', 'JSON_SYNTAX'],
  ];
  for (const [text, code] of bad) {
    it(`G-6 rejects ${JSON.stringify(text)} with ${code} and an offset`, () => {
      const r = parseJson(text);
      assert.equal(r.value, undefined);
      assert.equal(r.problems.at(-1)?.code, code);
      assert.ok(r.problems.at(-1)!.offset <= text.length);
    });
  }

  it('bounds nesting depth (JSON_TOO_DEEP) without a stack overflow', () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const r = parseJson(deep);
    assert.equal(r.value, undefined);
    assert.equal(r.problems[0]?.code, 'JSON_TOO_DEEP');
    assert.equal(parseJson('[[[1]]]', { maxDepth: 2 }).problems[0]?.code, 'JSON_TOO_DEEP');
    assert.deepEqual(parseJson('[[[1]]]', { maxDepth: 3 }).value, [[[1]]]);
  });

  it('replaces a lone surrogate escape by U+FFFD as Go does, and reports it', () => {
    const r = parseJson('["\\ud800x", "\\ud83d\\ude00"]');
    assert.deepEqual(r.value, ['\ufffdx', '😀']);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]?.code, 'JSON_LONE_SURROGATE');
  });

  it('keeps huge numbers as numbers (Infinity for overflow) without failing', () => {
    const r = parseJson('[1e400, 123456789012345678901234567890]');
    assert.deepEqual(r.value, [Infinity, 1.2345678901234568e29]);
  });

  it('lineColumn counts lines and columns from 1', () => {
    assert.deepEqual(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
  });

  it('property: lineColumn counts the newlines before the offset, and the units since the last one', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é') }), fc.integer({ min: -2, max: 60 }), (text, offset) => {
        const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
        const lines = before.split('\n');
        const end = Math.min(offset, text.length);
        assert.deepEqual(lineColumn(text, offset), { line: lines.length, column: end - (before.length - lines.at(-1)!.length) + 1 });
      }),
      { numRuns: 500 },
    );
  });

  it('property: never throws and agrees with JSON.parse on valid JSON', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const r = parseJson(text);
        assert.deepEqual(r.value, JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('property: random and mutated text only ever yields a result', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json().chain((j) => fc.tuple(fc.constant(j), fc.nat(j.length), fc.string({ maxLength: 3 })).map(([s, at, ins]) => s.slice(0, at) + ins + s.slice(at + 1))),
        ),
        (text) => {
          const r = parseJson(text);
          assert.ok(r.value !== undefined || r.problems.length > 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decodeUtf8', () => {
  it('finds the first invalid byte and decodes the rest with U+FFFD', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0xff, 0x22, 0x7d]);
    assert.equal(firstInvalidUtf8(bytes), 3);
    assert.deepEqual(decodeUtf8(bytes), { text: '{"a\ufffd"}', invalidUtf8At: 3 });
  });
  const invalid: number[][] = [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];
  for (const seq of invalid) {
    it(`rejects overlong, surrogate, out-of-range and truncated sequence ${seq.map((b) => b.toString(16)).join(' ')}`, () => {
      assert.equal(firstInvalidUtf8(new Uint8Array([0x41, ...seq])), 1);
    });
  }
  it('property: agrees with a fatal TextDecoder on validity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        assert.equal(firstInvalidUtf8(bytes) < 0, valid);
      }),
      { numRuns: 1000 },
    );
  });
  it('property: decodes text with a stray byte as the lenient decoder does and names the first bad byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (text, at, byte) => {
        const valid = new TextEncoder().encode(text);
        const i = at % (valid.length + 1);
        const bytes = new Uint8Array([...valid.subarray(0, i), byte, ...valid.subarray(i)]);
        const bad = firstInvalidUtf8(bytes);
        const expected = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
        assert.deepEqual(decodeUtf8(bytes), bad < 0 ? { text: expected } : { text: expected, invalidUtf8At: bad });
        assert.deepEqual(decodeUtf8(valid), { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(valid) });
      }),
      { numRuns: 1000 },
    );
  });
});
