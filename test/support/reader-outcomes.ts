/**
 * What every archive reader reports on one input, as comparable text: the freed-chunk and fast-path tests run
 * the same input through validate (with and without the image ID), image-id, cat-manifest and extract, and
 * require the same outcomes either way.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extractAci } from '../../src/aci/extract.js';
import { computeImageId, readAciManifest } from '../../src/aci/read-aci.js';
import type { AciSource } from '../../src/aci/source.js';
import { validateAci } from '../../src/aci/validate-aci.js';

/** Everything a reader reports, as text (errors by code and message). */
export async function outcome(read: () => Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await read());
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return `throws ${err.code} ${err.message}`;
  }
}

/** The files and their sha256 under `root`, sorted. */
export function treeOf(root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push(`${path.slice(root.length)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  }
  return out.sort();
}

/**
 * The readers' outcomes on a fresh source each: validate with and without the image ID, image-id, then
 * readAciManifest (with `manifest`) and extractAci into `extractTo` with the tree it wrote (removed after).
 */
export async function readerOutcomes(source: () => AciSource, options: { readonly manifest?: boolean; readonly extractTo?: string } = {}): Promise<string[]> {
  const out = [await outcome(() => validateAci(source(), { imageId: true })), await outcome(() => validateAci(source(), { imageId: false })), await outcome(() => computeImageId(source()))];
  if (options.manifest === true) out.push(await outcome(async () => `manifest ${(await readAciManifest(source())).raw.length}`));
  const target = options.extractTo;
  if (target !== undefined) {
    try {
      out.push(
        await outcome(async () => {
          const r = await extractAci(source(), target);
          return { ...r, tree: treeOf(target) };
        }),
      );
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  }
  return out;
}
