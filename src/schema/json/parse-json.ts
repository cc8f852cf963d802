/**
 * A JSON parser with Go's decoding rules and positions (checklist G-3, G-6): keeps where every value
 * and key starts so issues get a line and column, records repeated keys (the last value wins, earlier
 * ones are kept for validation), bounds nesting depth, and never throws.
 */
import { pointer, splitPointer } from '../../issues/json-pointer.js';
import { lineColumnOf } from './line-index.js';
import { parseOrdinaryJson } from './ordinary-json.js';

/** Limits for parseJson. */
export interface ParseJsonOptions {
  /** Deepest nesting of arrays and objects (default 128). */
  readonly maxDepth?: number;
  /** Always use the exact parser, never the `JSON.parse` fast path (tests pin the two together). */
  readonly exact?: boolean;
}

/** A repeated key: where the earlier occurrence was and the value it held. */
export interface DuplicateKey {
  /** Pointer of the member (same for every occurrence). */
  readonly path: string;
  /** Offset of the earlier key in the text. */
  readonly keyOffset: number;
  /** The earlier (overridden) value. */
  readonly value: unknown;
}

/** One member of an object as written, repeated keys included. */
export interface JsonMember {
  readonly key: string;
  readonly value: unknown;
  /** Offset of the key in the text. */
  readonly keyOffset: number;
}

/** A syntax problem found while parsing. */
export interface JsonProblem {
  readonly code: 'JSON_SYNTAX' | 'JSON_TRAILING_DATA' | 'JSON_TOO_DEEP' | 'JSON_LONE_SURROGATE';
  readonly message: string;
  readonly offset: number;
}

/** The outcome of parseJson: a value (undefined when the text is not JSON), positions, duplicates and problems. */
export interface ParsedJson {
  readonly value: unknown;
  /** Offset of the value at a JSON pointer (the winning occurrence for repeated keys), if it exists. */
  valueOffset(path: string): number | undefined;
  /** Offset of the key of the object member at a JSON pointer, if it exists. */
  keyOffset(path: string): number | undefined;
  /**
   * {@link ParsedJson.valueOffset} of a pointer given as its unescaped tokens (`splitPointer`'s output): the
   * same answer without building and splitting the pointer again (issue positions ask for one per issue).
   */
  valueOffsetOfTokens?(tokens: readonly string[]): number | undefined;
  readonly duplicates: readonly DuplicateKey[];
  /**
   * Every member of an object in document order, repeated keys included; undefined when the object has
   * no repeated key (then `Object.keys` order is document order, as the parser reinserts a repeated key).
   */
  members(obj: object): readonly JsonMember[] | undefined;
  /**
   * The text of the number at a JSON pointer when the document holds any number that a JS number cannot
   * tell apart from another spelling (a fraction or exponent, `-0`, more than 15 digits); otherwise
   * undefined. Go's decoder refuses `80.0` or `8e1` for an integer field, and keeps uint64 exactly.
   */
  numberText(path: string): string | undefined;
  /** Fatal problems (value is undefined) or, for JSON_LONE_SURROGATE, recoverable ones. */
  readonly problems: readonly JsonProblem[];
  readonly text: string;
}

class Fail extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

/**
 * Parses JSON text. Never throws: a syntax error yields `value: undefined` and a problem with its offset.
 * An ordinary document (no repeated key, no number or surrogate whose text matters) takes the `JSON.parse`
 * fast path with positions found on demand (ordinary-json.ts); the answers are the same either way.
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): ParsedJson {
  return (options.exact === true ? undefined : parseOrdinaryJson(text, options.maxDepth ?? DEFAULT_MAX_DEPTH)) ?? parseJsonExact(text, options);
}

const DEFAULT_MAX_DEPTH = 128;

/**
 * The exact parser: Go's decoding rules with every position, repeated key and number text recorded while
 * parsing. Never throws.
 */
export function parseJsonExact(text: string, options: ParseJsonOptions = {}): ParsedJson {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Positions hang off each container, so no pointer string is built unless someone asks for one.
  const objectPositions = new Map<object, Map<string, [keyOffset: number, valueOffset: number]>>();
  const arrayPositions = new Map<object, number[]>();
  const stack: (string | number)[] = [];
  let rootOffset = 0;
  const duplicates: DuplicateKey[] = [];
  const allMembers = new WeakMap<object, JsonMember[]>();
  let oddNumbers = false;
  const problems: JsonProblem[] = [];
  let i = 0;
  const n = text.length;

  const describe = (at: number): string => {
    if (at >= n) return 'unexpected end of JSON input';
    const ch = text[at]!;
    return `invalid character ${JSON.stringify(ch)}`;
  };
  const fail = (message: string, at = i): never => {
    throw new Fail({ code: 'JSON_SYNTAX', message, offset: at });
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return; // NaN past the end stops too
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunkStart = i;
    for (;;) {
      if (i >= n) fail('unexpected end of JSON input in string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail(`invalid control character U+${c.toString(16).padStart(4, '0')} in string`);
      if (c === 0x5c) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
            out += '"';
            i += 2;
            break;
          case '\\':
            out += '\\';
            i += 2;
            break;
          case '/':
            out += '/';
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const unit = readHex4(i + 2);
            const escAt = i;
            i += 6;
            if (unit >= 0xd800 && unit <= 0xdbff && text[i] === '\\' && text[i + 1] === 'u') {
              const low = readHex4(i + 2);
              if (low >= 0xdc00 && low <= 0xdfff) {
                out += String.fromCharCode(unit, low);
                i += 6;
                break;
              }
            }
            if (unit >= 0xd800 && unit <= 0xdfff) {
              // Go replaces an unpaired surrogate with U+FFFD; we do the same and report it.
              problems.push({ code: 'JSON_LONE_SURROGATE', message: `unpaired surrogate \\u${unit.toString(16)} replaced by U+FFFD`, offset: escAt });
              out += '\ufffd';
            } else {
              out += String.fromCharCode(unit);
            }
            break;
          }
          default:
            fail(`invalid escape ${JSON.stringify('\\' + (e ?? ''))} in string`);
        }
        chunkStart = i;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        // A raw lone surrogate can only come from a JS string, not from UTF-8 bytes.
        const next = text.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          i += 2;
          continue;
        }
        out += text.slice(chunkStart, i) + '\ufffd';
        problems.push({ code: 'JSON_LONE_SURROGATE', message: 'unpaired surrogate replaced by U+FFFD', offset: i });
        i++;
        chunkStart = i;
        continue;
      }
      i++;
    }
  };

  const readHex4 = (at: number): number => {
    const h = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('invalid \\u escape in string', at - 2);
    return parseInt(h, 16);
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null || m[0] === '' || m[0] === '-') fail(describe(i) + ' looking for beginning of value');
    const raw = m![0];
    i += raw.length;
    // Integers of up to 15 digits are exact as JS numbers; anything else needs its text (numberText).
    if (!oddNumbers && (raw.length > 15 || raw === '-0' || /[.eE]/.test(raw))) oddNumbers = true;
    return Number(raw);
  };

  const parseLiteral = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail(describe(i) + ' looking for beginning of value');
  };

  const parseValue = (depth: number): unknown => {
    skipWs();
    if (depth === 0) rootOffset = i;
    const c = text[i];
    if (c === '{') {
      if (depth >= maxDepth) throw new Fail({ code: 'JSON_TOO_DEEP', message: `nesting deeper than ${maxDepth} levels`, offset: i });
      i++;
      const obj: Record<string, unknown> = {};
      const positions = new Map<string, [number, number]>();
      objectPositions.set(obj, positions);
      let members: JsonMember[] | undefined;
      skipWs();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail(describe(i) + ' looking for beginning of object key string');
        const keyAt = i;
        const key = parseString();
        skipWs();
        if (text[i] !== ':') fail(describe(i) + ' after object key');
        i++;
        if (Object.hasOwn(obj, key)) {
          duplicates.push({ path: pointer(...stack, key), keyOffset: positions.get(key)![0], value: obj[key] });
          if (members === undefined) {
            members = Object.keys(obj).map((k) => ({ key: k, value: obj[k], keyOffset: positions.get(k)![0] }));
            allMembers.set(obj, members);
          }
          // Reinserted so that Object.keys order is the order of the last occurrences, as Go decodes them.
          delete obj[key];
        }
        skipWs();
        positions.set(key, [keyAt, i]);
        stack.push(key);
        const v = parseValue(depth + 1);
        stack.pop();
        // defineProperty so a "__proto__" key is data, as JSON.parse does.
        if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[key] = v;
        members?.push({ key, value: v, keyOffset: keyAt });
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(describe(i) + ' after object key:value pair');
      }
    }
    if (c === '[') {
      if (depth >= maxDepth) throw new Fail({ code: 'JSON_TOO_DEEP', message: `nesting deeper than ${maxDepth} levels`, offset: i });
      i++;
      const arr: unknown[] = [];
      const offsets: number[] = [];
      arrayPositions.set(arr, offsets);
      skipWs();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        skipWs();
        offsets.push(i);
        stack.push(arr.length);
        arr.push(parseValue(depth + 1));
        stack.pop();
        skipWs();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(describe(i) + ' after array element');
      }
    }
    if (c === '"') return parseString();
    if (c === 't') return parseLiteral('true', true);
    if (c === 'f') return parseLiteral('false', false);
    if (c === 'n') return parseLiteral('null', null);
    return parseNumber();
  };

  const locate = (path: string, which: 0 | 1): number | undefined => {
    let tokens: string[];
    try {
      tokens = splitPointer(path);
    } catch {
      return undefined;
    }
    return locateTokens(tokens, which);
  };
  const locateTokens = (tokens: readonly string[], which: 0 | 1): number | undefined => {
    let node: unknown = result;
    let offset: number | undefined = rootOffset;
    for (let n = 0; n < tokens.length; n++) {
      const t = tokens[n]!;
      if (Array.isArray(node)) {
        const k = Number(t);
        offset = arrayPositions.get(node)?.[k];
        if (which === 0 && n === tokens.length - 1) return undefined; // array elements have no key
        node = node[k];
      } else if (typeof node === 'object' && node !== null) {
        const pos = objectPositions.get(node)?.get(t);
        offset = pos?.[which === 0 ? 0 : 1];
        node = (node as Record<string, unknown>)[t];
      } else return undefined;
      if (offset === undefined) return undefined;
    }
    return offset;
  };
  const valueOffset = (path: string): number | undefined => locate(path, 1);
  const keyOffset = (path: string): number | undefined => locate(path, 0);
  const valueOffsetOfTokens = (tokens: readonly string[]): number | undefined => locateTokens(tokens, 1);
  let result: unknown;
  const members = (obj: object): readonly JsonMember[] | undefined => allMembers.get(obj);
  const numberText = (path: string): string | undefined => {
    if (!oddNumbers) return undefined;
    const at = valueOffset(path);
    if (at === undefined) return undefined;
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    return m === null || m[0] === '' ? undefined : m[0];
  };

  try {
    const value = parseValue(0);
    result = value;
    skipWs();
    if (i < n) {
      return {
        value: undefined,
        valueOffset,
        keyOffset,
        valueOffsetOfTokens,
        duplicates,
        members,
        numberText,
        text,
        problems: [...problems, { code: 'JSON_TRAILING_DATA', message: `${describe(i)} after top-level value`, offset: i }],
      };
    }
    return { value, valueOffset, keyOffset, valueOffsetOfTokens, duplicates, members, numberText, problems, text };
  } catch (e) {
    if (e instanceof Fail) return { value: undefined, valueOffset, keyOffset, valueOffsetOfTokens, duplicates, members, numberText, problems: [...problems, e.problem], text };
    // A RangeError (stack) cannot happen with the depth bound, but never let one escape.
    return { value: undefined, valueOffset, keyOffset, valueOffsetOfTokens, duplicates, members, numberText, problems: [...problems, { code: 'JSON_SYNTAX', message: String(e), offset: i }], text };
  }
}

/** 1-based line and column (UTF-16 units) of an offset in text (one offset; for many in one text, lineColumnOf). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  return lineColumnOf(text)(offset);
}
