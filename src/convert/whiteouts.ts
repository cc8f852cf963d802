/**
 * Whiteout files of OCI and Docker layers (OCI image-spec layer.md#whiteouts): `.wh.NAME` deletes NAME from
 * the lower layers, `.wh..wh..opq` in a directory hides everything the lower layers put in it.
 */

/** The prefix of a whiteout file name. */
export const WHITEOUT_PREFIX = '.wh.';
/** The name of the opaque-directory marker. */
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** The prefix of AUFS metadata names (`.wh..wh.plnk`, `.wh..wh.aufs`), which are ignored. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';

/** What a layer entry's name means. */
export type WhiteoutKind =
  | { readonly kind: 'opaque'; readonly dir: string }
  | { readonly kind: 'whiteout'; readonly dir: string; readonly target: string }
  | { readonly kind: 'meta' }
  | { readonly kind: 'escape'; readonly target: string };

/**
 * Classifies a cleaned, relative layer path (`a/b/.wh.c`). Returns undefined for ordinary entries. `dir` is
 * `''` at the root; `target` is the full path deleted. A whiteout of `.`, `..` or the empty name is an
 * `escape`: it would delete its own directory or reach above it.
 */
export function classifyWhiteout(path: string): WhiteoutKind | undefined {
  const slash = path.lastIndexOf('/');
  const base = slash === -1 ? path : path.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = slash === -1 ? '' : path.slice(0, slash);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'escape', target: name };
  return { kind: 'whiteout', dir, target: dir === '' ? name : `${dir}/${name}` };
}
