/**
 * Dependency resolution (spec/aci.md "Dependency Matching"; checklist R-DL-1..3): the flat list of images in
 * the reference's order, each dependency placed right after its parent (so siblings end up in reverse order,
 * each followed by its own subtree), with cycle detection, bounded size, and the name, label and size checks
 * Go leaves out.
 */
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { Dependency } from '../schema/types/dependencies.js';
import type { SemVer } from '../schema/types/semver.js';
import { parseSemVer, compareSemVer } from '../schema/types/semver.js';
import type { ImageStore, StoredImage } from './store.js';
import { RENDER_CODES } from './codes.js';

/** One image in the rendering order. */
export interface ResolvedImage {
  readonly image: StoredImage;
  /** Depth below the rendered image (0 for the image itself). */
  readonly level: number;
  /** Index in the list of the image that depends on this one (-1 for the root). */
  readonly parent: number;
  /** Names from the root down to this image, for messages. */
  readonly chain: readonly string[];
  /** The dependency (of the parent's manifest) that brought this image in; undefined for the root. */
  readonly dependency?: Dependency;
}

/** Options of resolveDependencies. */
export interface ResolveOptions {
  /** Most images in the flattened tree (a diamond counts its shared image once per path). Default 10,000. */
  readonly maxImages?: number;
  /** Longest dependency chain, in levels below the rendered image. Default 1,000. */
  readonly maxDepth?: number;
  readonly signal?: AbortSignal;
}

/** Default limits of {@link ResolveOptions}. */
export const RESOLVE_LIMITS = { maxImages: 10_000, maxDepth: 1_000 } as const;

const chainText = (chain: readonly string[]): string => chain.join(' -> ');

/**
 * Reads a `version` label loosely, as image tags are written: surrounding spaces and a leading `v` or `=`
 * (`v2.0.0`) are dropped, then the Go reference's lenient SemVer applies (int64 parts, leading zeros, any
 * prerelease text).
 */
function parseVersionLabel(text: string): SemVer | undefined {
  return parseSemVer(text.trim().replace(/^[v=\s]+/, ''));
}

/**
 * Orders two `version` labels by SemVer precedence ({@link compareSemVer}); a version that cannot be read at
 * all ranks below one that can, and two unreadable ones are equal.
 */
export function compareVersionLabels(a: string, b: string): number {
  const x = parseVersionLabel(a);
  const y = parseVersionLabel(b);
  if (x !== undefined && y !== undefined) return compareSemVer(x, y);
  return (x === undefined ? 0 : 1) - (y === undefined ? 0 : 1);
}

/**
 * Picks the newest image by its `version` label ({@link compareVersionLabels}); images without a usable version
 * rank lowest. Ties go to the most recently added image, then to the smallest image ID, so the choice never
 * depends on the order a store lists its images in.
 */
export function newestByVersion(images: readonly StoredImage[]): StoredImage | undefined {
  const version = (i: StoredImage): string => i.manifest.labels?.find((l) => l.name === 'version')?.value ?? '';
  const ranked = [...images].sort((a, b) => {
    const c = compareVersionLabels(version(b), version(a));
    if (c !== 0) return c;
    const ta = a.added ?? '';
    const tb = b.added ?? '';
    if (ta !== tb) return ta < tb ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return ranked[0];
}

/**
 * The best image for a name and labels: every label must be present with the same value (the image may have
 * more), then {@link newestByVersion}. `version=latest` first matches an image labelled `latest`; when none
 * is, it asks for the newest version (the discovery default, D-WK-2, names no real version).
 */
export async function findByNameAndLabels(store: ImageStore, name: string, labels: Readonly<Record<string, string>>): Promise<StoredImage | undefined> {
  const found = newestByVersion(await store.find(name, labels));
  if (found !== undefined || labels['version'] !== 'latest') return found;
  const { version: _latest, ...rest } = labels;
  return newestByVersion(await store.find(name, rest));
}

function labelsOf(dep: Dependency): Record<string, string> {
  return Object.fromEntries((dep.labels ?? []).map((l) => [l.name, l.value]));
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `,${k}=${v}`)
    .join('');
}

function warning(code: 'RENDER_DEPENDENCY_LABEL_MISMATCH' | 'RENDER_SIZE_MISMATCH', message: string, params: Readonly<Record<string, string | number>>): Issue {
  return { code, severity: RENDER_CODES[code].severity, path: '', message, params };
}

async function findDependency(store: ImageStore, dep: Dependency, chain: readonly string[], warnings: Issue[]): Promise<StoredImage> {
  const wanted = labelsOf(dep);
  let image: StoredImage | undefined;
  if (dep.imageID !== undefined && dep.imageID !== '') {
    // By ID (as Go): the stored image has exactly this ID, and the bytes are checked against it when read (R-SE-9).
    image = await store.get(dep.imageID);
    if (image === undefined || image.id !== dep.imageID) {
      throw new AppcError('RENDER_DEPENDENCY_NOT_FOUND', `dependency ${dep.imageName}${labelText(wanted)} (${dep.imageID}) of ${chainText(chain)} is not in the store`);
    }
    const found = image;
    const have = Object.fromEntries((found.manifest.labels ?? []).map((l) => [l.name, l.value]));
    if (found.manifest.name !== dep.imageName || Object.entries(wanted).some(([k, v]) => have[k] !== v)) {
      warnings.push(
        warning(
          'RENDER_DEPENDENCY_LABEL_MISMATCH',
          `dependency ${dep.imageName}${labelText(wanted)} of ${chainText(chain)} gives image ID ${dep.imageID}, which is ${found.manifest.name}${labelText(have)}`,
          { imageName: dep.imageName, found: found.manifest.name },
        ),
      );
    }
  } else {
    image = await findByNameAndLabels(store, dep.imageName, wanted);
    if (image === undefined) {
      throw new AppcError('RENDER_DEPENDENCY_NOT_FOUND', `dependency ${dep.imageName}${labelText(wanted)} of ${chainText(chain)} is not in the store`);
    }
  }
  // A size above 2^53-1 is a bigint (uint64 kept exactly): compare as bigints.
  if (dep.size !== undefined && dep.size !== 0 && BigInt(dep.size) !== BigInt(image.size)) {
    warnings.push(
      warning('RENDER_SIZE_MISMATCH', `dependency ${dep.imageName} of ${chainText(chain)} is ${image.size} bytes; the manifest says ${dep.size}`, { expected: dep.size.toString(), got: image.size }),
    );
  }
  return image;
}

/**
 * Flattens the dependency tree of `root` in the reference's order (R-DL-1, R-DL-2): each image is followed by
 * the subtrees of its dependencies in reverse declared order, so A->[B,C], C->[D] gives A, C, D, B, and the
 * diamond A->[B,C], B->[D], C->[D] gives A, C, D, B, D (a shared image once per path). Read backwards it is
 * the spec's order of override (B, D, C, A).
 * @throws AppcError RENDER_DEPENDENCY_CYCLE and RENDER_DEPENDENCY_NOT_FOUND (naming the chain), RENDER_TOO_DEEP;
 * store failures as they are.
 */
export async function resolveDependencies(store: ImageStore, root: StoredImage, options: ResolveOptions = {}): Promise<{ images: ResolvedImage[]; warnings: Issue[] }> {
  const maxImages = options.maxImages ?? RESOLVE_LIMITS.maxImages;
  const maxDepth = options.maxDepth ?? RESOLVE_LIMITS.maxDepth;
  const warnings: Issue[] = [];
  const seenWarnings = new Set<string>();
  const list: ResolvedImage[] = [];
  // Depth first with an explicit stack (deep chains cannot exhaust the call stack). `ids` holds the image IDs
  // from the root down to the image, to recognise a cycle.
  type Frame = { readonly item: ResolvedImage; readonly ids: ReadonlySet<string> };
  const stack: Frame[] = [{ item: { image: root, level: 0, parent: -1, chain: [root.manifest.name] }, ids: new Set([root.id]) }];
  while (stack.length > 0) {
    options.signal?.throwIfAborted();
    const { item, ids } = stack.pop()!;
    if (list.length >= maxImages) throw new AppcError('RENDER_TOO_DEEP', `more than ${maxImages} images in the dependency tree of ${root.manifest.name} (a shared dependency counts once per path)`);
    if (item.level > maxDepth) throw new AppcError('RENDER_TOO_DEEP', `the dependency chain ${chainText(item.chain.slice(0, 3))} -> ... is deeper than ${maxDepth} levels`);
    const index = list.length;
    list.push(item);
    const children: Frame[] = [];
    for (const dep of item.image.manifest.dependencies ?? []) {
      const found: Issue[] = [];
      const image = await findDependency(store, dep, item.chain, found);
      for (const w of found) {
        // A shared dependency is resolved once per path; say each thing once.
        const key = `${w.code}\0${w.message}`;
        if (!seenWarnings.has(key)) {
          seenWarnings.add(key);
          warnings.push(w);
        }
      }
      const chain = [...item.chain, image.manifest.name];
      if (ids.has(image.id)) throw new AppcError('RENDER_DEPENDENCY_CYCLE', `dependency cycle: ${chainText(chain)}`);
      children.push({ item: { image, level: item.level + 1, parent: index, chain, dependency: dep }, ids: new Set([...ids, image.id]) });
    }
    // The last dependency is visited first (R-DL-1): pushing them in declared order onto a LIFO stack does it.
    for (const c of children) stack.push(c);
  }
  return { images: list, warnings };
}
