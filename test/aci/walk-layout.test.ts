import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { entryTypeOf, entryTypeOfBigIntStats } from '../../src/aci/entry-type.js';
import { compareCodePoints, walkLayoutSync } from '../../src/aci/walk-layout.js';
import { tempDir } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The walk as it was before names were read as strings: bytes throughout, Buffer.compare order. */
function walkBytes(root: Buffer, rel = '', parentUtf8 = true, out: { rel: string; abs: Buffer; utf8: boolean; dir: boolean }[] = []): typeof out {
  const names = readdirSync(root, { encoding: 'buffer' }).sort(Buffer.compare);
  for (const n of names) {
    const abs = Buffer.concat([root, Buffer.from('/'), n]);
    const name = n.toString('utf8');
    const item = { rel: rel === '' ? name : `${rel}/${name}`, abs, utf8: parentUtf8 && isUtf8(n), dir: lstatSync(abs).isDirectory() };
    out.push(item);
    if (item.dir) walkBytes(abs, item.rel, item.utf8, out);
  }
  return out;
}

describe('walkLayoutSync', () => {
  it('orders strings by code point, as Buffer.compare orders their UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), (a, b) => {
        assert.equal(Math.sign(compareCodePoints(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 5000 },
    );
    assert.ok(compareCodePoints('\uFFFD', '\u{1F600}') < 0);
    assert.ok(compareCodePoints('\uE000', '\uD7FF') > 0);
  });

  it('walks what a byte walk walks: non-BMP, U+E000-U+FFFF, a real U+FFFD, names that are not UTF-8', () => {
    const root = join(tmp, 'names');
    // Read as strings: the root and plain/ (order across UTF-16 and UTF-8 differences); as bytes: fffd/ (a
    // real U+FFFD), sub/ and sub/deep/ (names that are not UTF-8), and below them.
    mkdirSync(join(root, 'plain', 'deep'), { recursive: true });
    for (const n of ['a', 'B', '\u00e9', 'z\u{1F600}', 'z\uE000', 'z\uFFFC', 'zz']) writeFileSync(join(root, n), 'x');
    writeFileSync(join(root, 'plain', 'deep', 'x\u{10000}'), 'x');
    writeFileSync(join(root, 'plain', 'deep', 'x\uFFFF'), 'x');
    mkdirSync(join(root, 'fffd', '\uFFFDdir', 'in'), { recursive: true });
    writeFileSync(join(root, 'fffd', 'z\uFFFD'), 'x');
    writeFileSync(join(root, 'fffd', '\uFFFDdir', 'in', 'f'), 'x');
    mkdirSync(join(root, 'sub', 'deep'), { recursive: true });
    symlinkSync('../a', join(root, 'sub', 'link'));
    const bad = Buffer.concat([Buffer.from(join(root, 'sub') + '/'), Buffer.from([0x62, 0xff])]);
    mkdirSync(bad);
    writeFileSync(Buffer.concat([bad, Buffer.from('/inner\u{1F600}')]), 'x');
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'sub', 'deep') + '/'), Buffer.from([0xc3])]), 'x');
    const walked = [...walkLayoutSync(root)].map((f) => ({ rel: f.rel, abs: Buffer.from(f.abs), utf8: f.utf8, dir: f.stats.isDirectory() }));
    assert.deepEqual(walked, walkBytes(Buffer.from(root)));
    assert.ok(walked.some((f) => !f.utf8));
  });

  it('finds the entry type from the mode as the stats tests do', async () => {
    const dir = join(tmp, 'types');
    mkdirSync(join(dir, 'd'), { recursive: true });
    writeFileSync(join(dir, 'f'), 'x');
    symlinkSync('f', join(dir, 'l'));
    const paths = [join(dir, 'd'), join(dir, 'f'), join(dir, 'l'), '/dev/null'];
    try {
      execFileSync('mkfifo', [join(dir, 'p')]);
      paths.push(join(dir, 'p'));
    } catch {
      // No mkfifo here: the other types still count.
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 's'), resolve));
    paths.push(join(dir, 's'));
    try {
      const seen = new Set<string>();
      for (const p of paths) {
        const stats = lstatSync(p, { bigint: true });
        assert.equal(entryTypeOfBigIntStats(stats), entryTypeOf(stats), p);
        seen.add(entryTypeOf(stats));
      }
      assert.ok(seen.has('unknown') && seen.has('character-device') && seen.has('symlink'));
    } finally {
      server.close();
    }
  });
});
