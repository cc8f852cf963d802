/** Lexical path helpers for archive member names (Go `filepath.Clean` semantics on '/'). Portable. */

/**
 * Cleans a slash-separated path the way Go's `path.Clean` does: collapses `//`, drops `.` segments,
 * resolves `..` lexically, removes the trailing slash. `''` becomes `'.'`; `./rootfs/` becomes `rootfs`.
 */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  // Fast path: already clean (the common case for names written by builders).
  if (!/(^|\/)\.{1,2}(\/|$)|\/\/|\/$/.test(p)) return p;
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  if (rooted) return '/' + body;
  return body === '' ? '.' : body;
}

/** True when the cleaned path leaves its base: `..` or `../x`. */
export function climbsOut(cleaned: string): boolean {
  return cleaned === '..' || cleaned.startsWith('../');
}

/** True when a raw name has a `..` segment (even one that cleans away). */
export function hasDotDot(name: string): boolean {
  return /(^|\/)\.\.(\/|$)/.test(name);
}

/** The first segment of a cleaned relative path (`rootfs/a/b` gives `rootfs`). */
export function topLevel(cleaned: string): string {
  const i = cleaned.indexOf('/');
  return i === -1 ? cleaned : cleaned.slice(0, i);
}

/** The parent of a cleaned path (`rootfs/a/b` gives `rootfs/a`; `rootfs` gives `.`). */
export function parentOf(cleaned: string): string {
  const i = cleaned.lastIndexOf('/');
  return i === -1 ? '.' : i === 0 ? '/' : cleaned.slice(0, i);
}

/** Joins and cleans: `joinPath('rootfs/a', '../b')` is `rootfs/b`. */
export function joinPath(base: string, rel: string): string {
  if (rel.startsWith('/')) return cleanPath(rel);
  return cleanPath(base === '.' ? rel : `${base}/${rel}`);
}

/** True when `cleaned` is `dir` or lies under it (both cleaned, relative). */
export function isWithin(cleaned: string, dir: string): boolean {
  return cleaned === dir || cleaned.startsWith(dir + '/');
}
