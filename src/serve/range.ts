/** HTTP byte ranges (RFC 9110 §14): one range is served as 206, several or none as the whole file. */

/** The outcome of reading a Range header against a file size. */
export type RangeChoice = { readonly kind: 'full' } | { readonly kind: 'partial'; readonly start: number; readonly end: number } | { readonly kind: 'unsatisfiable' };

/**
 * Reads `Range: bytes=A-B`, `bytes=A-` or `bytes=-N`. A header in another unit, a malformed one, or a
 * list of several ranges is ignored (the whole file is sent, which RFC 9110 allows); a single range
 * that starts past the end is unsatisfiable (416).
 */
export function chooseRange(header: string | undefined, size: number): RangeChoice {
  if (header === undefined) return { kind: 'full' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return { kind: 'full' };
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return { kind: 'full' };
  if (a === '') {
    const n = Number(b);
    if (n === 0) return { kind: 'unsatisfiable' };
    return size === 0 ? { kind: 'unsatisfiable' } : { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
