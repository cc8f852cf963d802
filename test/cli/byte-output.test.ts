import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteOutput } from '../../src/cli/byte-output.js';

/** A deterministic generator (no flaky seeds). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'line\n', 'é', '€', '😀', '\u2028', '\ud800', ':1:2: warning JSON_KEY_CASE /x: key "X"\n'];

describe('ByteOutput', () => {
  it('writes the UTF-8 of every text, in order, each text whole in one write, small and over 64 KiB', () => {
    const next = random(16);
    for (let run = 0; run < 40; run++) {
      const texts: string[] = [];
      for (let n = Math.floor(next() * 300); n > 0; n--) {
        const long = next() < 0.02;
        let t = '';
        for (let k = long ? 30_000 : Math.floor(next() * 40); k > 0; k--) t += PIECES[Math.floor(next() * PIECES.length)]!;
        texts.push(t);
      }
      const writes: Buffer[] = [];
      const out = new ByteOutput((bytes) => writes.push(Buffer.from(bytes)));
      for (const t of texts) out.add(t);
      out.flush();
      assert.equal(out.pending, false);
      assert.deepEqual(Buffer.concat(writes), Buffer.from(texts.join(''), 'utf8'));
      // Every write ends where a text ends (never in the middle of one), and each is at most 64 KiB unless it is one long text.
      const ends = new Set<number>();
      let at = 0;
      for (const t of texts) ends.add((at += Buffer.byteLength(t, 'utf8')));
      at = 0;
      for (const w of writes) {
        assert.ok(w.length > 0);
        assert.ok(ends.has((at += w.length)), 'a write ends inside a text');
      }
    }
  });

  it('gathers until asked or full, and reuses its buffer only after the write returned', () => {
    const seen: string[] = [];
    const out = new ByteOutput((bytes) => seen.push(Buffer.from(bytes).toString('utf8')));
    out.add('one\n');
    out.add('');
    assert.equal(out.pending, true);
    assert.deepEqual(seen, []);
    out.flush();
    out.flush();
    assert.deepEqual(seen, ['one\n']);
    out.add('two\n');
    out.flush();
    assert.deepEqual(seen, ['one\n', 'two\n']);
  });
});
