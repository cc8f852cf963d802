/** Go-compatible JSON encoding of manifests (checklist G-9): compact, canonical field order, `<` `>` `&` escaped. */

/** Serializes like Go's encoding/json: escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings. */
export function goJsonStringify(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
