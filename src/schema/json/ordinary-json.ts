/**
 * The fast path of parseJson for ordinary documents: `JSON.parse` plus one scan of the text, with positions
 * found in the text only when an issue asks for one. A document is ordinary when `JSON.parse` and the exact
 * parser (parse-json.ts) cannot tell it apart: no repeated key, no number whose text matters (a fraction or
 * exponent, `-0`, more than 15 characters), no surrogate (escaped or raw), nesting below the limit. Anything
 * else is left to the exact parser, which then gives the very same ParsedJson it always gave.
 */
import { splitPointer } from '../../issues/json-pointer.js';
import type { JsonProblem, DuplicateKey, ParsedJson } from './parse-json.js';

const NO_DUPLICATES: readonly DuplicateKey[] = Object.freeze([]);
const NO_PROBLEMS: readonly JsonProblem[] = Object.freeze([]);
const noMembers = (): undefined => undefined;
const noNumberText = (): undefined => undefined;

// A surrogate escaped (\uD800-\uDFFF, and harmlessly \uD000-\uD7FF) or raw: the exact parser replaces lone ones.
const ESCAPED_SURROGATE = /\\u[dD]/;
const RAW_SURROGATE = /[\ud800-\udfff]/;

/**
 * Whether the text holds a surrogate, escaped or raw. A text without `\u` (nearly every manifest) is searched
 * only for raw ones, which a one-byte string cannot hold, so V8 answers without reading it: a pattern with
 * both alternatives read every character (~8,000 instructions a manifest of the batch mix).
 */
function hasSurrogate(text: string): boolean {
  return (text.includes('\\u') && ESCAPED_SURROGATE.test(text)) || RAW_SURROGATE.test(text);
}

/** The offset of the quote that closes the string opened at `open` (one not escaped by an odd run of backslashes), or -1. */
function closingQuote(text: string, open: number): number {
  let end = open;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end < 0) return -1;
    let k = end - 1;
    while (text.charCodeAt(k) === 0x5c) k--;
    if ((end - 1 - k) % 2 === 0) return end;
  }
}

/**
 * For valid JSON text: the number of object members written (colons outside strings), or -1 when the
 * document is not ordinary (see the module comment). One loop over the characters, with indexOf over each
 * string: the loop is hot enough to be optimized within the first few documents of a batch, after which a
 * character costs a few instructions (a native regular expression jumping from token to token paid a
 * builtin call for every token, 3.4% of a batch's instructions).
 */
export function countOrdinaryMembers(text: string, maxDepth: number): number {
  if (hasSurrogate(text)) return -1;
  const n = text.length;
  let colons = 0;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x2c) continue; // whitespace and commas, most of what is outside strings
    if (c === 0x22) {
      const end = closingQuote(text, i);
      if (end < 0) return -1;
      i = end;
    } else if (c === 0x3a) colons++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth >= maxDepth) return -1;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2d) continue;
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b) return -1; // a fraction or exponent
        break;
      }
      const length = j - i;
      if (length > 15 || (length === 2 && c === 0x2d && text.charCodeAt(i + 1) === 0x30)) return -1;
      i = j - 1;
    }
    // Anything else is a letter of true, false or null.
  }
  return colons;
}

/** Members of every object in a decoded value (depth is bounded by the scan that came first). */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) count += countMembers(value[k]);
    return count;
  }
  const obj = value as Record<string, unknown>;
  // for-in over own keys: no array per object (JSON.parse objects inherit nothing enumerable).
  for (const key in obj) if (Object.hasOwn(obj, key)) count += 1 + countMembers(obj[key]);
  return count;
}

/**
 * Parses an ordinary document with `JSON.parse`, or returns undefined so the exact parser takes it. The
 * result answers exactly as the exact parser's would: the same value (keys in the same order), no
 * duplicates, members or number texts, and the same offsets, found by walking the text on demand.
 */
export function parseOrdinaryJson(text: string, maxDepth: number): ParsedJson | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: the exact parser says where and why
  }
  const written = countOrdinaryMembers(text, maxDepth);
  if (written < 0) return undefined;
  // JSON.parse keeps the last of repeated keys silently: fewer members decoded than written means one repeats.
  if (countMembers(value) !== written) return undefined;
  // What the walks for issue positions have read of each container (by the offset of its bracket).
  let scans: Map<number, ContainerScan> | undefined;
  return {
    value,
    valueOffset: (path) => offsetInText(text, path, false),
    keyOffset: (path) => offsetInText(text, path, true),
    valueOffsetOfTokens: (tokens) => valueOffsetInScans(text, tokens, (scans ??= new Map())),
    duplicates: NO_DUPLICATES,
    members: noMembers,
    numberText: noNumberText,
    problems: NO_PROBLEMS,
    text,
  };
}

// The walk below steps character by character (with indexOf over strings) between members and elements: a
// regular expression per token paid a builtin call each, and a batch with issues warms these loops up within
// its first documents. Only a skipped object or array jumps from bracket to bracket with one.

function skipWs(text: string, i: number): number {
  if (i > text.length) return 0; // as a sticky regular expression's lastIndex past the end
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** The offset just past the string that starts at `i` (the text is valid JSON: the string is closed). */
function skipString(text: string, i: number): number {
  return closingQuote(text, i) + 1;
}

// From a position outside strings in valid JSON text: everything up to and including the next bracket outside
// strings, strings skipped whole. Unrolled so that every character has one way to match (linear even when no
// bracket follows). One call per bracket: a loop over the characters cost ~10 times as much in V8's baseline
// tiers, where a batch's first documents run.
const TO_NEXT_BRACKET = /[^"{}[\]]*(?:"[^"\\]*(?:\\[\s\S][^"\\]*)*"[^"{}[\]]*)*[{}[\]]/y;

/** The offset just past the value that starts at `i` (the text is known to be valid JSON). */
function skipValue(text: string, i: number): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 1;
    TO_NEXT_BRACKET.lastIndex = i + 1;
    while (TO_NEXT_BRACKET.test(text)) {
      const at = TO_NEXT_BRACKET.lastIndex - 1;
      const d = text.charCodeAt(at);
      if (d === 0x7b || d === 0x5b) depth++;
      else if (--depth === 0) return at + 1;
    }
    return n;
  }
  for (let at = i; at < n; at++) {
    const d = text.charCodeAt(at);
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) return at;
  }
  return n;
}

/**
 * The offset of the value (or, with `key`, of the member's key) at a JSON pointer, found in valid JSON text
 * without repeated keys; the same answers as the exact parser's position tables, odd tokens included (an
 * array index is read with Number(), as there).
 */
function offsetInText(text: string, path: string, key: boolean): number | undefined {
  let tokens: string[];
  try {
    tokens = splitPointer(path);
  } catch {
    return undefined;
  }
  return offsetOfTokens(text, tokens, key);
}

/** {@link offsetInText} of a pointer already split into tokens. */
function offsetOfTokens(text: string, tokens: readonly string[], key: boolean): number | undefined {
  let i = skipWs(text, 0);
  let offset = i;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const c = text.charCodeAt(i);
    if (c === 0x5b) {
      if (key && t === tokens.length - 1) return undefined; // array elements have no key
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0) return undefined;
      i = skipWs(text, i + 1);
      if (text.charCodeAt(i) === 0x5d) return undefined;
      for (let e = 0; e < index; e++) {
        i = skipWs(text, skipValue(text, i));
        if (text.charCodeAt(i) !== 0x2c) return undefined;
        i = skipWs(text, i + 1);
      }
      offset = i;
    } else if (c === 0x7b) {
      i = skipWs(text, i + 1);
      let found = false;
      while (text.charCodeAt(i) === 0x22) {
        const keyAt = i;
        const end = skipString(text, i);
        const raw = text.slice(keyAt + 1, end - 1);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(keyAt, end)) as string) : raw;
        i = skipWs(text, skipWs(text, end) + 1); // past the colon
        if (name === token) {
          offset = key ? keyAt : i;
          found = true;
          break;
        }
        i = skipWs(text, skipValue(text, i));
        if (text.charCodeAt(i) !== 0x2c) break;
        i = skipWs(text, i + 1);
      }
      if (!found) return undefined;
    } else return undefined;
  }
  return offset;
}

/**
 * What the position walks of one document have read of one object or array: the value offsets of the members
 * or elements read so far, and where to go on. A document with several issues (a batch has tens of thousands)
 * walks each container once instead of once per issue; the answers are {@link offsetOfTokens}'s.
 */
type ContainerScan = { readonly object: true; readonly values: Map<string, number>; next: number; afterValue: boolean } | { readonly object: false; readonly elements: number[]; ended: boolean };

/** {@link offsetOfTokens} for a value, remembering in `scans` what it read of each container. */
function valueOffsetInScans(text: string, tokens: readonly string[], scans: Map<number, ContainerScan>): number | undefined {
  let i = skipWs(text, 0);
  for (let t = 0; t < tokens.length; t++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5b && c !== 0x7b) return undefined;
    let scan = scans.get(i);
    if (scan === undefined) {
      const first = skipWs(text, i + 1);
      scan =
        c === 0x7b
          ? { object: true, values: new Map(), next: first, afterValue: false }
          : { object: false, elements: text.charCodeAt(first) === 0x5d ? [] : [first], ended: text.charCodeAt(first) === 0x5d };
      scans.set(i, scan);
    }
    const found = scan.object ? memberValue(text, scan, tokens[t]!) : elementAt(text, scan, tokens[t]!);
    if (found === undefined) return undefined;
    i = found;
  }
  return i;
}

/** The value offset of member `name` of a scanned object, reading on from where the last lookup stopped. */
function memberValue(text: string, scan: ContainerScan & { object: true }, name: string): number | undefined {
  const known = scan.values.get(name);
  if (known !== undefined) return known;
  for (;;) {
    if (scan.next < 0) return undefined;
    if (scan.afterValue) {
      const after = skipWs(text, skipValue(text, scan.next));
      scan.afterValue = false;
      scan.next = text.charCodeAt(after) === 0x2c ? skipWs(text, after + 1) : -1;
      continue;
    }
    const keyAt = scan.next;
    if (text.charCodeAt(keyAt) !== 0x22) {
      scan.next = -1;
      return undefined;
    }
    const end = skipString(text, keyAt);
    const raw = text.slice(keyAt + 1, end - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(keyAt, end)) as string) : raw;
    const valueAt = skipWs(text, skipWs(text, end) + 1); // past the colon
    // An ordinary document has no repeated key: each is seen once.
    scan.values.set(key, valueAt);
    scan.next = valueAt;
    scan.afterValue = true;
    if (key === name) return valueAt;
  }
}

/** The offset of element `token` (read with Number(), as offsetOfTokens does) of a scanned array. */
function elementAt(text: string, scan: ContainerScan & { object: false }, token: string): number | undefined {
  const index = Number(token);
  if (!Number.isInteger(index) || index < 0) return undefined;
  const elements = scan.elements;
  while (elements.length <= index && !scan.ended) {
    const after = skipWs(text, skipValue(text, elements[elements.length - 1]!));
    if (text.charCodeAt(after) === 0x2c) elements.push(skipWs(text, after + 1));
    else scan.ended = true;
  }
  return index < elements.length ? elements[index] : undefined;
}
