// Durability of written archives: by default an output is not flushed to disk (as tar, gzip and the Go actool
// write); with `sync` (actool build/patch-manifest --sync) it is fdatasynced before it takes its name, and an
// uncompressed writer starts syncing every EARLY_SYNC_BYTES on the way.
import assert from 'node:assert/strict';
import fs, { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { buildAci } from '../../src/aci/build-aci.js';
import { createFileSink, EARLY_SYNC_BYTES } from '../../src/aci/file-sink.js';
import { patchManifest } from '../../src/aci/patch-manifest.js';
import { convertOciImage } from '../../src/convert/convert.js';
import { exportOciImage } from '../../src/convert/export.js';
import { makeLayout, tempDir } from '../support/aci-layout.js';
import { fixturePath } from '../support/paths.js';

const tmp = tempDir('appc-output-sync-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const layout = makeLayout(tmp);

/** What was synced since {@link hookSyncs}: FileHandle.datasync calls, and fs.fdatasync calls (seen by the modules through their live ESM bindings). */
interface SyncCounts {
  handles: number;
  descriptors: number;
  restore(): void;
}

async function hookSyncs(): Promise<SyncCounts> {
  const probe = await open(join(tmp, 'probe'), 'w');
  const handle = Object.getPrototypeOf(probe) as { datasync(this: unknown): Promise<void> };
  await probe.close();
  const originalHandle = handle.datasync;
  const originalFd = fs.fdatasync;
  const counts: SyncCounts = {
    handles: 0,
    descriptors: 0,
    restore() {
      handle.datasync = originalHandle;
      fs.fdatasync = originalFd;
      syncBuiltinESMExports();
    },
  };
  handle.datasync = function (this: unknown) {
    counts.handles++;
    return originalHandle.call(this);
  };
  fs.fdatasync = ((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
    counts.descriptors++;
    originalFd(fd, cb);
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
  return counts;
}

describe('archive outputs: syncing to disk only when asked (sync, --sync)', () => {
  let syncs: SyncCounts;
  beforeEach(async () => {
    syncs = await hookSyncs();
  });
  afterEach(() => syncs.restore());

  for (const compression of ['none', 'gzip'] as const) {
    for (const imageId of [false, true]) {
      it(`build (${compression}, image ID ${imageId}) never syncs by default, and syncs the whole file before the rename with sync: true`, async () => {
        const plain = join(tmp, `plain-${compression}-${imageId}.aci`);
        // Reproducible: the manifest's mtime is otherwise the second each build ran in.
        await buildAci(layout, plain, { compression, imageId, reproducible: true });
        assert.equal(syncs.handles + syncs.descriptors, 0);
        const synced = join(tmp, `synced-${compression}-${imageId}.aci`);
        await buildAci(layout, synced, { compression, imageId, reproducible: true, sync: true });
        assert.equal(syncs.handles, 1, 'one datasync of the finished file');
        assert.deepEqual(readFileSync(synced), readFileSync(plain), 'the same bytes either way');
      });
    }
  }

  it('patch-manifest syncs only with sync: true', async () => {
    const input = join(tmp, 'patch-in.aci');
    await buildAci(layout, input, { compression: 'none' });
    const before = syncs.handles;
    await patchManifest(input, join(tmp, 'patch-a.aci'), { name: 'example.com/patched' }, { compression: 'none' });
    assert.equal(syncs.handles, before);
    await patchManifest(input, join(tmp, 'patch-b.aci'), { name: 'example.com/patched' }, { compression: 'gzip', sync: true });
    assert.equal(syncs.handles, before + 1);
  });

  it('convert syncs each ACI only with sync: true', async () => {
    const host = { os: 'linux', architecture: 'amd64' } as const;
    await convertOciImage(fixturePath('convert', 'oci-basic'), { output: join(tmp, 'conv-a.aci'), host });
    assert.equal(syncs.handles, 0);
    await convertOciImage(fixturePath('convert', 'oci-basic'), { output: join(tmp, 'conv-b.aci'), host, sync: true });
    assert.equal(syncs.handles, 1);
    assert.deepEqual(readFileSync(join(tmp, 'conv-b.aci')), readFileSync(join(tmp, 'conv-a.aci')));
  });

  it('export syncs an archive output (oci-archive, docker-archive) only with sync: true', async () => {
    const aci = join(tmp, 'export-in.aci');
    await buildAci(layout, aci, { compression: 'none' });
    for (const format of ['oci-archive', 'docker-archive'] as const) {
      const before = syncs.handles;
      await exportOciImage(aci, { output: join(tmp, `${format}-a.tar`), format, reproducible: true });
      assert.equal(syncs.handles, before, format);
      await exportOciImage(aci, { output: join(tmp, `${format}-b.tar`), format, reproducible: true, sync: true });
      assert.equal(syncs.handles, before + 1, format);
      assert.deepEqual(readFileSync(join(tmp, `${format}-b.tar`)), readFileSync(join(tmp, `${format}-a.tar`)), format);
    }
    // The layers in the staging directory are never synced: only the archive that takes the output's name is.
    assert.equal(syncs.descriptors, 0);
    const before = syncs.handles;
    await exportOciImage(aci, { output: join(tmp, 'layout.oci'), reproducible: true, sync: true });
    assert.equal(syncs.handles + syncs.descriptors, before, 'a layout directory is renamed into place, not synced');
  });

  for (const background of [false, true]) {
    it(`an uncompressed writer starts early syncs every ${EARLY_SYNC_BYTES >> 20} MiB only with sync (${background ? 'thread pool' : 'synchronous'} writes)`, async () => {
      const chunk = Buffer.alloc(1 << 20, 9);
      const chunks = (EARLY_SYNC_BYTES >> 20) + 2;
      for (const sync of [false, true]) {
        const fd = openSync(join(tmp, `early-${background}-${sync}`), 'w');
        try {
          const file = createFileSink(fd, (e) => assert.fail(String(e)), { background, sync });
          for (let i = 0; i < chunks; i++) await file.sink(chunk, () => {});
          await file.finished();
        } finally {
          closeSync(fd);
        }
        assert.equal(syncs.descriptors > 0, sync, `${syncs.descriptors} early syncs with sync ${sync}`);
      }
    });
  }
});
