import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { buildAci } from '../../src/aci/build-aci.js';
import { createFileSink, YIELD_BYTES } from '../../src/aci/file-sink.js';
import { tempDir, TEST_MANIFEST } from '../support/aci-layout.js';

const tmp = tempDir('appc-file-sink-');
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Feeds `chunks` through a file sink into a new file; returns the file's bytes and how often the loop turned. */
async function sinkInto(path: string, chunks: readonly Buffer[], background: boolean): Promise<{ bytes: Buffer; released: number; turns: number }> {
  const fd = openSync(path, 'wx');
  let released = 0;
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const file = createFileSink(fd, (e) => assert.fail(String(e)), { background });
    for (const chunk of chunks) await file.sink(chunk, () => released++);
    await file.finished();
  } finally {
    counting = false;
    closeSync(fd);
  }
  return { bytes: readFileSync(path), released, turns };
}

describe('file sink (uncompressed archives)', () => {
  for (const background of [false, true]) {
    const mode = background ? 'on the thread pool' : 'synchronous';
    it(`writes every chunk in order at the next position and releases each (${mode})`, async () => {
      const chunks = [randomBytes(1 << 20), randomBytes(512), randomBytes(3 << 20), Buffer.alloc(0), randomBytes(12_345)];
      const r = await sinkInto(join(tmp, `order-${mode}`), chunks, background);
      assert.deepEqual(r.bytes, Buffer.concat(chunks));
      assert.equal(r.released, chunks.length);
    });

    it(`lets the event loop turn while it writes: signals, progress bars, early syncs are not held up (${mode})`, async () => {
      const chunks = Array.from({ length: (4 * YIELD_BYTES) / (1 << 20) }, () => Buffer.alloc(1 << 20, 1));
      const r = await sinkInto(join(tmp, `turns-${mode}`), chunks, background);
      assert.equal(r.bytes.length, 4 * YIELD_BYTES);
      assert.ok(r.turns >= 3, `the loop turned ${r.turns} times`);
    });

    it(`reports the first write error through fail and finished(), and writes nothing after it (${mode})`, async () => {
      const path = join(tmp, `readonly-${mode}`);
      writeFileSync(path, '');
      const fd = openSync(path, 'r');
      const failures: unknown[] = [];
      let released = 0;
      try {
        const file = createFileSink(fd, (e) => failures.push(e), { background });
        await file.sink(Buffer.alloc(10), () => released++);
        await file.sink(Buffer.alloc(10), () => released++);
        await assert.rejects(file.finished(), { code: 'EBADF' });
      } finally {
        closeSync(fd);
      }
      assert.equal(failures.length, 1);
      assert.equal((failures[0] as NodeJS.ErrnoException).code, 'EBADF');
      assert.equal(released, 2);
    });
  }

  it('an uncompressed build, with or without an image ID, is the tar of a gzip build of the same tree (both file sinks against the compressor path)', async () => {
    const lay = join(tmp, 'layout');
    mkdirSync(join(lay, 'rootfs', 'd'), { recursive: true });
    writeFileSync(join(lay, 'manifest'), TEST_MANIFEST);
    // Small and odd-sized files, and enough bytes for a few turns of the loop.
    for (let i = 0; i < 40; i++)
      writeFileSync(
        join(lay, 'rootfs', 'd', `f${i}`),
        createHash('sha512')
          .update(String(i))
          .digest()
          .toString('hex')
          .repeat(1 + i * 97),
      );
    writeFileSync(join(lay, 'rootfs', 'big'), Buffer.alloc(YIELD_BYTES * 3 + 7, 'x'));
    const gz = join(tmp, 'gz.aci');
    const b = await buildAci(lay, gz, { compression: 'gzip', reproducible: true });
    const tar = gunzipSync(readFileSync(gz));
    assert.equal(b.imageId, 'sha512-' + createHash('sha512').update(tar).digest('hex'));
    // With an image ID the writes overlap the hash on the thread pool; without one they are synchronous.
    const withId = join(tmp, 'plain-id.aci');
    const a = await buildAci(lay, withId, { compression: 'none', reproducible: true });
    assert.deepEqual(readFileSync(withId), tar);
    assert.equal(a.imageId, b.imageId);
    const withoutId = join(tmp, 'plain.aci');
    const c = await buildAci(lay, withoutId, { compression: 'none', reproducible: true, imageId: false });
    assert.deepEqual(readFileSync(withoutId), tar);
    assert.equal(c.imageId, undefined);
  });
});
