// A layered conversion renders back to the squashed tree when layers create parent directories implicitly
// (issue: L0 `d/` 0700 + `d/old`; L1 `.wh.d`, `d/new`, `e/f` without `d` or `e` entries; L2 `e/.wh.f`).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertOciImage } from '../../src/convert/convert.js';
import { DirStore } from '../../src/render/dir-store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { dirTree } from './export-support.js';

const work = mkdtempSync(join(tmpdir(), 'layered-parents-'));
after(() => rmSync(work, { recursive: true, force: true }));
const HOST = { os: 'linux', architecture: 'amd64' } as const;

async function rendered(store: DirStore, id: string, dir: string): Promise<[string, string][]> {
  await writeRendered(store, await renderImage(store, id), dir);
  return dirTree(dir);
}

describe('layered conversion: implicit parent directories (R-SE-4, R-SE-5)', () => {
  it('each layer ACI writes the parents an OCI runtime would create (0755 root), so the chain renders as the squashed image', async () => {
    const layout = join(work, 'layout');
    writeOciLayout(layout, {
      ref: 'example.com/parents:1',
      layers: [
        {
          members: [
            { dir: 'd', mode: 0o700 },
            { file: 'd/old', content: 'old' },
          ],
        },
        { members: [{ file: '.wh.d' }, { file: 'd/new', content: 'new' }, { file: 'e/f', content: 'f' }, { file: 'g/h/i', content: 'i' }] },
        { members: [{ file: 'e/.wh.f' }, { file: 'g/h/j', content: 'j' }] },
      ],
    });
    const squashed = await convertOciImage(layout, { output: join(work, 'squashed.aci'), host: HOST });
    const layered = await convertOciImage(layout, { output: join(work, 'layered.aci'), host: HOST, layered: true });
    const store = new DirStore(join(work, 'store'));
    const s = await store.add(squashed.output);
    for (const img of layered.images) await store.add(img.path);
    const want = await rendered(store, s.id, join(work, 'r-squashed'));
    assert.deepEqual(
      want.filter(([p]) => ['d', 'e', 'g', 'g/h'].includes(p)),
      [
        ['d', 'd 0755'],
        ['e', 'd 0755'],
        ['g', 'd 0755'],
        ['g/h', 'd 0755'],
      ],
    );
    assert.deepEqual(await rendered(store, layered.imageId, join(work, 'r-layered')), want);
  });
});
