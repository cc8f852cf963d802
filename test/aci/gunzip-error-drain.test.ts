/**
 * A serial gunzip that fails (a trailing byte read as a new, cut member; a cut trailer) hands its reader every
 * byte it inflated before the failure, however slowly the reader reads (A-CD-2): the decoder is not where a
 * verdict's details could start to depend on timing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompressStream } from '../../src/aci/decompress.js';

/** Bytes read before the stream failed or ended, reading with a pause after every chunk. */
async function readSlowly(stream: Readable): Promise<{ bytes: number; error: string | undefined }> {
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      await sleep(2);
    }
    return { bytes, error: undefined };
  } catch (e) {
    return { bytes, error: (e as Error).message };
  }
}

/** The source as a file stream would give it: 64 KiB pieces. */
const pieces = (bytes: Buffer): Readable =>
  Readable.from(
    (function* () {
      for (let o = 0; o < bytes.length; o += 65536) yield bytes.subarray(o, o + 65536);
    })(),
    { objectMode: false },
  );

describe('A-CD-2 serial gunzip failure: every inflated byte reaches a slow reader first', () => {
  const data = Buffer.concat([randomBytes(1 << 20), Buffer.alloc(2 << 20, 'text that compresses ')]);
  const gz = gzipSync(data, { level: 1 });
  for (const release of [false, true]) {
    it(`a trailing byte after the stream${release ? ' (source chunks released)' : ''}: all ${data.length} bytes, then the error`, async () => {
      const out = decompressStream('gzip', pieces(Buffer.concat([gz, Buffer.from([11])])), release ? () => {} : undefined);
      const r = await readSlowly(out);
      assert.equal(r.bytes, data.length);
      assert.match(r.error ?? '', /unexpected end of file/);
    });
  }
  it('a stream cut before its trailer: all bytes inflated before the cut, then the error', async () => {
    const cut = gz.subarray(0, gz.length - 8);
    // A sync flush at the end inflates all there is without asking for the trailer.
    const expected = gunzipSync(cut, { finishFlush: 2 }).length;
    const r = await readSlowly(decompressStream('gzip', pieces(cut)));
    assert.equal(r.bytes, expected);
    assert.match(r.error ?? '', /unexpected end of file/);
  });
});
