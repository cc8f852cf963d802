/** Go's text conversions that the string forms of the CLI rely on: strconv.ParseBool and url.QueryUnescape. */

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The literals Go's strconv.ParseBool accepts, for messages. */
export const GO_BOOL_LITERALS = '1 t T TRUE true True 0 f F FALSE false False';

/** Go's strconv.ParseBool: one of `1 t T TRUE true True` or `0 f F FALSE false False`, else undefined. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** Go's strconv.ParseInt(text, 10, bits) acceptance: optional sign, decimal digits, within the signed range. */
export function parseGoInt(text: string, bits = 64): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (v > max || v < -max - 1n) return undefined;
  return Number(v);
}

/** Go's strconv.ParseUint(text, 10, bits) acceptance: decimal digits only (no sign), within range. */
export function parseGoUint(text: string, bits: number): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  if (v > (1n << BigInt(bits)) - 1n) return undefined;
  return Number(v);
}

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Go's url.QueryUnescape: `+` is a space, `%XY` a byte; a bad escape gives undefined. */
export function goQueryUnescape(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (c === '+') {
      bytes.push(0x20);
      i++;
    } else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** Go's url.ParseQuery (Go >= 1.17): `&`-separated `k=v` parts, unescaped; semicolons are an error. */
export function goParseQuery(text: string): { readonly ok: true; readonly pairs: readonly [string, string][] } | { readonly ok: false; readonly message: string } {
  const pairs: [string, string][] = [];
  let error: string | undefined;
  for (const part of text.split('&')) {
    if (part.includes(';')) {
      error ??= 'invalid semicolon separator in query';
      continue;
    }
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = goQueryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = goQueryUnescape(eq < 0 ? '' : part.slice(eq + 1));
    if (k === undefined || v === undefined) {
      error ??= `invalid URL escape in ${JSON.stringify(part)}`;
      continue;
    }
    pairs.push([k, v]);
  }
  return error === undefined ? { ok: true, pairs } : { ok: false, message: error };
}
