/** The comma-separated `key=value` parameters of the CLI and app strings (Go schema/common; checklist T-CL-1). */

/** One `key=value` pair, in the order written. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** What parseKeyValueList returns: the pairs, or the reason the text is malformed. */
export type KeyValueParse = { readonly ok: true; readonly pairs: readonly KeyValue[] } | { readonly ok: false; readonly message: string };

/**
 * Splits `k=v,k2=v2` into pairs. Every part needs an `=` (the value may be empty); the text may not be empty.
 * Values keep everything after the first `=` (so `a=b=c` gives value `b=c`).
 */
export function parseKeyValueList(text: string): KeyValueParse {
  if (text === '') return { ok: false, message: 'empty string' };
  const pairs: KeyValue[] = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, message: `malformed string ${JSON.stringify(text)}: "${part}" has no value (expected key=value)` };
    pairs.push({ key: part.slice(0, eq), value: part.slice(eq + 1) });
  }
  return { ok: true, pairs };
}

/**
 * Go's `MakeQueryString`: `k=v,k2=v2` becomes `k=v&k2=v2` with values query-escaped
 * (space as `+`, reserved characters percent-encoded) and keys left as written.
 */
export function makeQueryString(text: string): KeyValueParse & { readonly query?: string } {
  const parsed = parseKeyValueList(text);
  if (!parsed.ok) return parsed;
  const query = parsed.pairs
    .map(
      (p) =>
        `${p.key}=${encodeURIComponent(p.value)
          .replace(/%20/g, '+')
          .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`,
    )
    .join('&');
  return { ...parsed, query };
}
