/** RFC 6901 JSON pointers: the only place that builds or splits them. */

/** Escapes one reference token (`~` becomes `~0`, `/` becomes `~1`). */
export function escapeToken(token: string | number): string {
  if (typeof token === 'number') return String(token);
  // Most tokens need no escaping; skip the regex work for them (pointers are built for every checked field).
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** Builds a pointer from tokens: `pointer('labels', 2, 'value')` is `/labels/2/value`. */
export function pointer(...tokens: readonly (string | number)[]): string {
  let out = '';
  for (const t of tokens) out += '/' + escapeToken(t);
  return out;
}

/** Appends tokens to an existing pointer. */
export function childPointer(base: string, ...tokens: readonly (string | number)[]): string {
  // One token (a list index, a key) is nearly every call: no second rest array, no loop.
  if (tokens.length === 1) return base + '/' + escapeToken(tokens[0]!);
  return base + pointer(...tokens);
}

/** Splits a pointer into unescaped tokens; `''` gives `[]`. Throws on text that is not a pointer. */
export function splitPointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new TypeError(`not a JSON pointer: ${JSON.stringify(p)}`);
  const tokens = p.slice(1).split('/');
  // Most pointers have no escape at all: skip the regex work (this runs for every issue of a batch).
  if (p.includes('~')) for (let k = 0; k < tokens.length; k++) tokens[k] = unescapeToken(tokens[k]!);
  return tokens;
}

/** One reference token unescaped (`~1` becomes `/`, then `~0` becomes `~`, in RFC 6901's order). */
function unescapeToken(t: string): string {
  return t.includes('~') ? t.replace(/~1/g, '/').replace(/~0/g, '~') : t;
}
