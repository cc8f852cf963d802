/**
 * `list.map(fn)` for the checkers' lists, written as a loop that pushes onto an array literal. V8's optimizing
 * compiler inlines Array.prototype.map with an array of another elements kind (holey) than the built-in makes
 * (packed): once a checker that maps was optimized, every optimized function reading its results met an array
 * map it had never seen and was thrown away and compiled again (`--trace-deopt`: "wrong map" in the consumers
 * of dependency, isolator and volume lists). An array literal filled by push has the same kind in every tier.
 * Unlike `map`, a hole is passed to `fn` as undefined; the lists of a decoded JSON document have none.
 */
export function mapList<T, U>(list: readonly T[], fn: (item: T, index: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < list.length; i++) out.push(fn(list[i]!, i));
  return out;
}
