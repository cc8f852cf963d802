import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectFileType } from '../../src/aci/detect.js';

// Go's plain-text sniffing, as detect.ts had it before its fast path for a leading `{`: the reference.
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const HTML_TAGS = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(ascii);
const EXACT_NON_TEXT = ['%PDF-', '%!PS-Adobe-', 'GIF87a', 'GIF89a', 'BM', '.snd', 'wOFF', 'wOF2', 'ID3', '<?xml'].map(ascii);
const MASKED_NON_TEXT = [
  ['RIFF', 'WAVE'],
  ['RIFF', 'AVI '],
  ['RIFF', 'WEBP'],
  ['FORM', 'AIFF'],
].map(([outer, inner]) => [ascii(outer!), ascii(inner!)] as const);
const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const isWhitespace = (b: number): boolean => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
const isBinaryByte = (b: number): boolean => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);

function sniffsAsUtf8TextReference(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return true;
  if (startsWith(head, [0xfe, 0xff]) || startsWith(head, [0xff, 0xfe])) return false;
  let start = 0;
  while (start < head.length && isWhitespace(head[start]!)) start++;
  for (const sig of HTML_TAGS) {
    if (head.length < start + sig.length + 1) continue;
    let match = true;
    for (let i = 0; i < sig.length && match; i++) {
      let c = head[start + i]!;
      if (c >= 0x61 && c <= 0x7a && sig[i]! >= 0x41 && sig[i]! <= 0x5a) c -= 0x20;
      match = c === sig[i];
    }
    const next = head[start + sig.length]!;
    if (match && (next === 0x20 || next === 0x3e)) return false;
  }
  for (const sig of EXACT_NON_TEXT) if (startsWith(head, sig, sig[0] === 0x3c ? start : 0)) return false;
  for (const [outer, inner] of MASKED_NON_TEXT) if (startsWith(head, outer) && startsWith(head, inner, 8)) return false;
  for (const b of head) if (isBinaryByte(b)) return false;
  return true;
}

// Heads that none of the archive magics claim: whitespace, then `{` or the start of a signature, then bytes
// with some binary ones, sometimes past the 512 sniffed.
const head = fc
  .tuple(
    fc.array(fc.constantFrom(0x09, 0x0a, 0x0c, 0x0d, 0x20), { maxLength: 4 }),
    fc.constantFrom('{', '{"a":1}', '<html>', '<!--', '<?xml', '%PDF-', 'BM', 'RIFF1234WAVE', '\ufeff{', 'x', ''),
    fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 40 }),
    fc.nat(600),
  )
  .map(([ws, start, rest, pad]) => new Uint8Array([...ws, ...new TextEncoder().encode(start), ...new Array<number>(pad % 3 === 0 ? pad : 0).fill(0x20), ...rest]));

describe('detectFileType: plain-text sniffing', () => {
  it('calls text exactly what the reference sniffing calls text', () => {
    fc.assert(
      fc.property(head, (b) => {
        const type = detectFileType(b);
        // The archive magics (gzip, an OpenPGP packet's high bit, ...) are checked before sniffing.
        if (type !== 'text' && type !== 'unknown') return;
        assert.equal(type === 'text', sniffsAsUtf8TextReference(b));
      }),
      { numRuns: 20000 },
    );
  });

  it('calls a JSON head text exactly when none of its bytes is binary, for every byte value anywhere', () => {
    for (let b = 0; b < 256; b++) {
      for (const at of [1, 2, 3, 4, 5, 511]) {
        const bytes = new Uint8Array(600).fill(0x20);
        bytes[0] = 0x7b;
        bytes[at] = b;
        assert.equal(detectFileType(bytes) === 'text', sniffsAsUtf8TextReference(bytes), `byte ${b} at ${at}`);
        assert.equal(detectFileType(bytes) === 'text', !isBinaryByte(b), `byte ${b} at ${at}`);
      }
    }
  });
});
