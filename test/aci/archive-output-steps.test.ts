// The steps of an archive output (aci/archive-output.ts) that the converter's AciWriter builds on: finish()
// completes the temporary file and gives the image ID without moving it into place; commit() then moves it
// (and gives the same ID); discard() after finish() removes the temporary file; each step happens once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { openArchiveOutput } from '../../src/aci/archive-output.js';
import { END_OF_ARCHIVE } from '../../src/aci/tar/write-tar.js';
import { tempDir } from '../support/aci-layout.js';

const tmp = tempDir('appc-output-steps-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const temporaries = (): string[] => readdirSync(tmp).filter((f) => f.includes('.tmp-'));

describe('archive output: finish, then commit or discard', () => {
  for (const compression of ['none', 'gzip'] as const) {
    it(`finish() gives the image ID with nothing in place; commit() moves the file and gives the same ID (${compression})`, async () => {
      const out = join(tmp, `steps-${compression}.aci`);
      const archive = await openArchiveOutput(out, { compression });
      await archive.tar.put(END_OF_ARCHIVE);
      const id = await archive.finish();
      assert.equal(existsSync(out), false);
      assert.equal(temporaries().length, 1);
      await assert.rejects(archive.finish(), /cannot be finished again/);
      assert.equal(await archive.commit(), id);
      assert.deepEqual(temporaries(), []);
      const bytes = readFileSync(out);
      const tar = compression === 'gzip' ? gunzipSync(bytes) : bytes;
      assert.equal(id, `sha512-${createHash('sha512').update(tar).digest('hex')}`);
      await assert.rejects(archive.commit(), /cannot be committed/);
      await archive.discard();
      assert.ok(existsSync(out), 'discard after commit leaves the committed file');
    });

    it(`discard() after finish() removes the temporary file and commits nothing (${compression})`, async () => {
      const out = join(tmp, `discarded-${compression}.aci`);
      const archive = await openArchiveOutput(out, { compression });
      await archive.tar.put(END_OF_ARCHIVE);
      await archive.finish();
      await archive.discard();
      assert.equal(existsSync(out), false);
      assert.deepEqual(temporaries(), []);
      await assert.rejects(archive.commit(), /cannot be committed/);
    });
  }
});

describe('archive output for an OCI layer: diffId and onOutput', () => {
  for (const compression of ['none', 'gzip'] as const) {
    it(`diffId gives sha256:<hex> of the tar; onOutput sees exactly the file's bytes, in order (${compression})`, async () => {
      const out = join(tmp, `layer-${compression}.tar`);
      const seen: Buffer[] = [];
      // Several MiB and an odd tail: more than one buffer, and a last one that is not full.
      const body = Buffer.alloc((3 << 20) + 777, 7);
      const archive = await openArchiveOutput(out, { compression, diffId: true, onOutput: (chunk) => seen.push(Buffer.from(chunk)) });
      await archive.tar.put(body);
      await archive.tar.put(END_OF_ARCHIVE);
      const diffId = await archive.commit();
      const bytes = readFileSync(out);
      assert.deepEqual(Buffer.concat(seen), bytes);
      const tar = compression === 'gzip' ? gunzipSync(bytes) : bytes;
      assert.equal(tar.length, body.length + END_OF_ARCHIVE.length);
      assert.equal(diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    });
  }

  it('diffId with imageId: false still gives the diff ID (it is then the only hash)', async () => {
    const out = join(tmp, 'layer-no-id.tar');
    const archive = await openArchiveOutput(out, { compression: 'none', diffId: true, imageId: false });
    await archive.tar.put(END_OF_ARCHIVE);
    assert.equal(await archive.commit(), `sha256:${createHash('sha256').update(END_OF_ARCHIVE).digest('hex')}`);
  });
});
