/** Go-compatible JSON encoding of manifests (checklist G-9): compact, canonical field order, `<` `>` `&` escaped. */

/** Serializes like Go's encoding/json: escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings. */
export function goJsonStringify(value: unknown, indent?: number): string {
  // A uint64 above 2^53-1 is a bigint: written as a marked string first, then as its exact digits. The mark
  // holds a random part so that no string of the manifest can pass for one.
  const mark = `\u0000${Math.random().toString(36).slice(2)}:`;
  let big = false;
  const replacer = (_key: string, v: unknown): unknown => {
    if (typeof v !== 'bigint') return v;
    big = true;
    return mark + v.toString();
  };
  let text = JSON.stringify(value, replacer, indent) ?? 'null';
  if (big)
    text = text
      .split(JSON.stringify(mark).slice(0, -1))
      .map((part, n) => (n === 0 ? part : part.replace(/^([0-9]+)"/, '$1')))
      .join('');
  return text.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
