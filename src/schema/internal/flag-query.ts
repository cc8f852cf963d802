/** The `NAME,key=value,...` string forms of mount points, ports and volumes, read the way Go's schema/types does. */
import { parseKeyValueList } from '../types/query-string.js';
import { goParseQuery } from './go-text.js';

const encoder = new TextEncoder();

/** Percent-encodes every byte but ASCII letters and digits: a reversible stand-in for Go's QueryEscape. */
function escapeAll(text: string): string {
  let out = '';
  for (const b of encoder.encode(text)) {
    out += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The parameters of a string form, or why it is malformed. Keys keep the order of first appearance. */
export type FlagParams = { readonly ok: true; readonly params: ReadonlyMap<string, string> } | { readonly ok: false; readonly message: string };

/**
 * Reads `NAME,key=value,...`: Go prefixes `name=`, splits on commas (every part needs `=`),
 * query-escapes the values, then parses the result as a URL query, which unescapes the keys.
 * A key given twice is an error.
 */
export function readFlagParams(text: string): FlagParams {
  const kv = parseKeyValueList('name=' + text);
  if (!kv.ok) return { ok: false, message: kv.message };
  const q = goParseQuery(kv.pairs.map((p) => `${p.key}=${escapeAll(p.value)}`).join('&'));
  if (!q.ok) return { ok: false, message: q.message };
  const params = new Map<string, string>();
  for (const [k, v] of q.pairs) {
    if (params.has(k)) return { ok: false, message: `parameter ${JSON.stringify(k)} is given more than once` };
    params.set(k, v);
  }
  return { ok: true, params };
}
