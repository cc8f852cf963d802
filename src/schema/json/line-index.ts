/**
 * Line and column of many offsets in one text: the newlines are found once (and only as far as the largest
 * offset asked for), then each offset is a binary search. The one home of line and column: `lineColumn` (one
 * offset) asks it too. Scanning from the start of the text for every offset cost a batch of documents with
 * several issues each once per issue.
 */

/** 1-based line and column (UTF-16 units) of an offset; past the end of the text, of the end. */
export type LineColumnOf = (offset: number) => { line: number; column: number };

/** A {@link LineColumnOf} for `text`. */
export function lineColumnOf(text: string): LineColumnOf {
  const newlines: number[] = [];
  // Every '\n' before this offset is in `newlines`.
  let scanned = 0;
  return (offset) => {
    const end = Math.min(offset, text.length);
    if (end > scanned) {
      for (let k = text.indexOf('\n', scanned); k !== -1 && k < end; k = text.indexOf('\n', k + 1)) newlines.push(k);
      scanned = end;
    }
    // The number of newlines before `end`.
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newlines[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : newlines[lo - 1]! + 1;
    return { line: lo + 1, column: end - lineStart + 1 };
  };
}
