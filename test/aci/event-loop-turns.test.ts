/**
 * A batch of small archives is scanned in memory by synchronous steps; the event loop still turns between
 * them (event-loop-turns.ts), so callbacks queued meanwhile (node:zlib closing its engines, timers, signals)
 * run during the batch, not after it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateAci } from '../../src/aci/validate-aci.js';
import { fixturePath } from '../support/paths.js';

describe('event loop turns during a batch of in-memory scans', () => {
  it('an immediate queued before a batch of 64 small images runs before the batch ends', async () => {
    const images = ['gnu-tar-gzip.aci', 'gnu-tar-bzip2.aci', 'gnu-tar-xz.aci', 'gnu-tar-plain.aci'].map((n) => new Uint8Array(readFileSync(fixturePath('aci', n))));
    let ranAt = -1;
    let done = 0;
    setImmediate(() => {
      ranAt = done;
    });
    for (let i = 0; i < 64; i++) {
      assert.equal((await validateAci(images[i % images.length]!, { imageId: false })).ok, true);
      done++;
    }
    assert.ok(ranAt >= 0 && ranAt < 64, `the immediate ran after ${ranAt} of 64 images`);
  });
});
