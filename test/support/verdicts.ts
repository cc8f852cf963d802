/**
 * Runs one archive through every command that reads archives and returns each one's verdict: `ok`, or the
 * code it refused with. The hostile-archive table (test/aci/hostile.test.ts) compares these with the
 * verdicts each command must give.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { extractAci } from '../../src/aci/extract.js';
import { patchManifest } from '../../src/aci/patch-manifest.js';
import { computeImageId, readAciManifest } from '../../src/aci/read-aci.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { exportOciImage } from '../../src/convert/export.js';
import { readLayer } from '../../src/convert/layer-reader.js';
import type { ImageSource } from '../../src/convert/blob-store.js';
import { DirStore } from '../../src/render/dir-store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import type { ImageStore, StoredImage } from '../../src/render/store.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';

/** The commands of the table, in its column order. */
export const COMMANDS = ['validate', 'image-id', 'cat-manifest', 'patch-manifest', 'extract', 'store-add', 'render', 'layer-reader', 'export'] as const;
export type CommandName = (typeof COMMANDS)[number];
export type Verdicts = Record<CommandName, string>;

/** "ok" when `run` resolves, else the code of the AppcError or issue it throws (anything else is rethrown). */
export async function verdict(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') throw e;
    return code;
  }
}

/** A store holding just this archive (whatever its manifest says), so render reads it with its own rules. */
function storeOf(file: string): ImageStore {
  const image: StoredImage = { id: 'sha512-' + 'a'.repeat(128), size: statSync(file).size, manifest: { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/fixture' } as ImageManifest };
  return {
    get: async (id) => (image.id.startsWith(id) ? image : undefined),
    find: async (name) => (name === image.manifest.name ? [image] : []),
    source: async () => file,
  };
}

/** A layer source reading the file as an OCI layer blob. */
function layerSource(file: string): ImageSource {
  return { kind: 'directory', path: file, stat: async () => undefined, read: () => createReadStream(file) };
}

/** Every command's verdict on `file` (strict: the strict mode of the commands that have one). */
export async function verdictsOf(file: string, strict = false): Promise<Verdicts> {
  const tmp = mkdtempSync(join(tmpdir(), 'verdicts-'));
  try {
    const mode = strict ? { strict: true } : {};
    return {
      validate: await verdict(async () => {
        const r = await validateAci(file, mode);
        const first = r.issues.find((i) => i.severity === 'error');
        if (first) throw first;
      }),
      'image-id': await verdict(() => computeImageId(file)),
      'cat-manifest': await verdict(() => readAciManifest(file, mode)),
      'patch-manifest': await verdict(() => patchManifest(file, join(tmp, 'patched.aci'), { name: 'example.com/patched' }, mode)),
      extract: await verdict(() => extractAci(file, join(tmp, 'extracted'), mode)),
      'store-add': await verdict(() => new DirStore(join(tmp, 'store')).add(file)),
      render: await verdict(async () => {
        const store = storeOf(file);
        const r = await renderImage(store, 'sha512-' + 'a'.repeat(16), { verifyImageIds: false, ...mode });
        await writeRendered(store, r, join(tmp, 'rendered'), { verifyImageIds: false });
      }),
      'layer-reader': await verdict(() => readLayer(layerSource(file), { index: 0, file: { name: 'layer', size: readFileSync(file).length } }, {})),
      // No strict mode: the same verdict in both columns.
      export: await verdict(() => exportOciImage(file, { output: join(tmp, 'exported.tar'), format: 'oci-archive' })),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
