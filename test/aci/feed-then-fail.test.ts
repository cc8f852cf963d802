/** feedThenFail: a source's failure reaches the caller only after the sink has processed all it was given. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable, Writable } from 'node:stream';
import { feedThenFail } from '../../src/aci/feed-then-fail.js';

/** A source that pushes `chunks` (one per read), then fails with `error` (or ends). */
function source(chunks: readonly string[], error?: Error): Readable {
  let i = 0;
  return new Readable({
    highWaterMark: 1,
    read() {
      if (i < chunks.length) this.push(Buffer.from(chunks[i++]!));
      else if (error) this.destroy(error);
      else this.push(null);
    },
  });
}

/** A slow sink (each chunk takes a few event-loop turns) recording what it processed; fails on `failOn`. */
function sink(seen: string[], failOn?: string): Writable {
  return new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        if (chunk.toString() === failOn) return cb(new Error(`sink refused ${failOn}`));
        seen.push(chunk.toString());
        cb();
      }, 2);
    },
  });
}

describe('feedThenFail', () => {
  it('resolves undefined once the source ended and the sink processed everything', async () => {
    const seen: string[] = [];
    assert.equal(await feedThenFail(source(['a', 'b', 'c']), sink(seen)), undefined);
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it("returns the source's error only after the sink processed every chunk delivered before it", async () => {
    for (let run = 0; run < 5; run++) {
      const seen: string[] = [];
      const failure = await feedThenFail(source(['a', 'b', 'c', 'd'], new Error('corrupt data')), sink(seen));
      assert.match(String(failure), /corrupt data/);
      assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
    }
  });

  it('A-CD-2 hands on chunks still buffered in a source that fails while the sink holds it back (zlib at its final flush)', async () => {
    for (let run = 0; run < 5; run++) {
      const seen: string[] = [];
      // Everything is pushed at once, then the source fails, as node:zlib does when its final flush fails while
      // a slow reader has not taken the last outputs yet: destroy() stops 'data', and those outputs were lost.
      const src = new Readable({ highWaterMark: 1, read() {} });
      for (const c of ['a', 'b', 'c', 'd', 'e']) src.push(Buffer.from(c));
      const failure = feedThenFail(src, sink(seen));
      setTimeout(() => src.destroy(new Error('unexpected end of file')), 1);
      assert.match(String(await failure), /unexpected end of file/);
      // The bytes, in order (what was still buffered may come as one chunk).
      assert.equal(seen.join(''), 'abcde');
    }
  });

  it("returns the sink's error at once and destroys the source (an early stop)", async () => {
    const seen: string[] = [];
    const src = source(['a', 'b', 'stop', 'c', 'd', 'e']);
    const failure = await feedThenFail(src, sink(seen, 'stop'));
    assert.match(String(failure), /sink refused stop/);
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(src.destroyed, true);
  });

  it("returns the signal's reason on abort and destroys both streams", async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const src = source(Array.from({ length: 1000 }, (_, i) => String(i)));
    const dst = sink(seen);
    setTimeout(() => ac.abort(new Error('user stop')), 10);
    const failure = await feedThenFail(src, dst, ac.signal);
    assert.match(String(failure), /user stop/);
    assert.ok(seen.length < 1000);
    assert.equal(src.destroyed, true);
    assert.equal(dst.destroyed, true);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    assert.match(String(await feedThenFail(source(['x']), sink([]), aborted.signal)), /already/);
  });
});
