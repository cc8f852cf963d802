/**
 * Dependency resolution (spec/aci.md "Dependency Matching"; checklist R-DL-1..3): the flat list of images in
 * the reference's order, each dependency placed right after its parent (so siblings end up in reverse order,
 * each followed by its own subtree), with cycle detection and the ID, size and label checks Go leaves out.
 */
import type { Issue } from '../issues/issue.js';
import { AppcError } from '../issues/appc-error.js';
import type { Dependency } from '../schema/types/dependencies.js';
import semver from 'semver';
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
}

/** Options of resolveDependencies. */
export interface ResolveOptions {
  /** Most images in the flattened tree (a diamond counts its shared image once per path). Default 10,000. */
  readonly maxImages?: number;
}

const chainText = (chain: readonly string[]): string => chain.join(' -> ');

/**
 * Orders two `version` labels by semver precedence: the semver package decides when it can read both (loosely,
 * as image tags are written); otherwise the Go reference's lenient SemVer (int64 parts, any prerelease text).
 */
export function compareVersionLabels(a: string, b: string): number {
  const x = semver.valid(a, { loose: true });
  const y = semver.valid(b, { loose: true });
  if (x !== null && y !== null) return semver.compare(x, y, { loose: true });
  const px = parseSemVer(a);
  const py = parseSemVer(b);
  if (px !== undefined && py !== undefined) return compareSemVer(px, py);
  // A version that cannot be read at all ranks below one that can.
  return (px === undefined && x === null ? 0 : 1) - (py === undefined && y === null ? 0 : 1);
}

/** Picks the newest image by its `version` label; images without a usable version rank lowest. */
export function newestByVersion(images: readonly StoredImage[]): StoredImage | undefined {
  const version = (i: StoredImage): string => i.manifest.labels?.find((l) => l.name === 'version')?.value ?? '';
  let best: StoredImage | undefined;
  for (const image of images) {
    if (best === undefined || compareVersionLabels(version(image), version(best)) > 0) best = image;
  }
  return best;
}

function labelsOf(dep: Dependency): Record<string, string> {
  return Object.fromEntries((dep.labels ?? []).map((l) => [l.name, l.value]));
}

async function findDependency(store: ImageStore, dep: Dependency, chain: readonly string[], warnings: Issue[]): Promise<StoredImage> {
  const wanted = labelsOf(dep);
  let image: StoredImage | undefined;
  if (dep.imageID !== undefined && dep.imageID !== '') {
    image = await store.get(dep.imageID);
    if (image === undefined) {
      throw new AppcError('RENDER_DEPENDENCY_NOT_FOUND', `dependency ${dep.imageName} (${dep.imageID}) of ${chainText(chain)} is not in the store`);
    }
    if (image.manifest.name !== dep.imageName || Object.entries(wanted).some(([k, v]) => image!.manifest.labels?.find((l) => l.name === k)?.value !== v)) {
      warnings.push({ code: 'RENDER_DEPENDENCY_LABEL_MISMATCH', severity: RENDER_CODES.RENDER_DEPENDENCY_LABEL_MISMATCH.severity, path: '', message: `dependency ${dep.imageID} of ${chainText(chain)} is named ${image.manifest.name} with other labels than the manifest asks for (${dep.imageName})` });
    }
  } else {
    image = newestByVersion(await store.find(dep.imageName, wanted));
    if (image === undefined) {
      const labels = Object.entries(wanted).map(([k, v]) => `,${k}=${v}`).join('');
      throw new AppcError('RENDER_DEPENDENCY_NOT_FOUND', `dependency ${dep.imageName}${labels} of ${chainText(chain)} is not in the store`);
    }
  }
  if (dep.size !== undefined && dep.size !== 0 && dep.size !== image.size) {
    warnings.push({ code: 'RENDER_SIZE_MISMATCH', severity: RENDER_CODES.RENDER_SIZE_MISMATCH.severity, path: '', message: `dependency ${dep.imageName} of ${chainText(chain)} is ${image.size} bytes; the manifest says ${dep.size}` });
  }
  return image;
}

/**
 * Flattens the dependency tree of `root` in the reference's order (R-DL-1, R-DL-2: A->[B,C], C->[D] gives
 * A, C, D, B). A cycle or a missing dependency throws AppcError naming the chain.
 */
export async function resolveDependencies(store: ImageStore, root: StoredImage, options: ResolveOptions = {}): Promise<{ images: ResolvedImage[]; warnings: Issue[] }> {
  const max = options.maxImages ?? 10_000;
  const warnings: Issue[] = [];
  const list: ResolvedImage[] = [{ image: root, level: 0, parent: -1, chain: [root.manifest.name] }];
  for (let i = 0; i < list.length; i++) {
    const current = list[i]!;
    const ancestors = new Set<string>();
    for (let j: number = i; j >= 0; j = list[j]!.parent) ancestors.add(list[j]!.image.id);
    for (const dep of current.image.manifest.dependencies ?? []) {
      const image = await findDependency(store, dep, current.chain, warnings);
      const chain = [...current.chain, image.manifest.name];
      if (ancestors.has(image.id)) {
        throw new AppcError('RENDER_DEPENDENCY_CYCLE', `dependency cycle: ${chainText(chain)}`);
      }
      if (list.length >= max) throw new AppcError('RENDER_TOO_DEEP', `more than ${max} images in the dependency tree of ${root.manifest.name}`);
      // Each dependency goes directly after its parent, so later ones end up in front of earlier ones.
      list.splice(i + 1, 0, { image, level: current.level + 1, parent: i, chain });
      // Parent indexes after the insertion point move by one.
      for (let k = i + 2; k < list.length; k++) {
        const item = list[k]!;
        if (item.parent > i) list[k] = { ...item, parent: item.parent + 1 };
      }
    }
  }
  return { images: list, warnings };
}
