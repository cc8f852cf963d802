/**
 * Typo hints for unknown keys. Go ignores unknown keys, and so do we, but a key one slip away from a field
 * of the same object (`val` for `value`, `protocl` for `protocol`) is almost certainly a mistake whose
 * effect (a missing field) is reported somewhere else with no hint. Keys far from every field (extra data
 * that real manifests carry) stay quiet.
 */
import { goFold } from './go-fold.js';

/** Edit distance with adjacent transpositions (optimal string alignment), stopping early above `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The field an unknown key was probably meant to be, or undefined. Close means: a prefix of the field of at
 * least 3 characters (`val`, `proto`), or one edit for names up to 6 characters, two for longer ones
 * (compared ignoring case).
 */
export function nearMiss(key: string, fields: readonly string[]): string | undefined {
  const k = goFold(key);
  if (k.length < 2) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const field of fields) {
    const f = field.toLowerCase();
    if (k.length >= 3 && f.startsWith(k)) return field;
    const limit = f.length <= 6 ? 1 : 2;
    const d = distance(k, f, limit);
    if (d <= limit && d < bestDistance) {
      best = field;
      bestDistance = d;
    }
  }
  return best;
}
