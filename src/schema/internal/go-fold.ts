/** Go's case folding for JSON keys (checklist G-1). */

/**
 * Folds a key the way Go's encoding/json compares keys with field names (bytes.EqualFold, simple folding).
 * Field names are ASCII, and the only non-ASCII letters whose fold orbit holds an ASCII letter are U+017F
 * (long s, folds with `s`) and U+212A (Kelvin sign, folds with `k`); `toLowerCase` already maps the latter.
 */
export function goFold(key: string): string {
  const lower = key.toLowerCase();
  return lower.includes('\u017f') ? lower.replaceAll('\u017f', 's') : lower;
}
