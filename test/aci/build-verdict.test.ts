/**
 * buildAci walks the layout once, validating and writing as it goes: pins its verdict to validateLayout's (the
 * separate walk it replaced) on broken layouts, and the `imageId: false` build to the same bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildAci } from '../../src/aci/build-aci.js';
import { validateLayout } from '../../src/aci/layout.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { makeLayout, tempDir, TEST_MANIFEST } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A layout made by `make` in a new directory. */
function layout(make: (dir: string) => void): string {
  const dir = join(tmp, `case-${n++}`);
  mkdirSync(dir);
  make(dir);
  return dir;
}

const base = (dir: string): void => {
  mkdirSync(join(dir, 'rootfs', 'etc'), { recursive: true });
  writeFileSync(join(dir, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(dir, 'rootfs', 'etc', 'hosts'), 'x'.repeat(5000));
};

const CASES: Record<string, (dir: string) => void> = {
  valid: base,
  'extra top-level entry': (d) => {
    base(d);
    writeFileSync(join(d, 'extra'), 'x');
  },
  'extra entry sorting before the manifest': (d) => {
    base(d);
    mkdirSync(join(d, 'aaa'));
  },
  'no rootfs': (d) => writeFileSync(join(d, 'manifest'), TEST_MANIFEST),
  'no manifest': (d) => mkdirSync(join(d, 'rootfs')),
  'rootfs is a symlink': (d) => {
    mkdirSync(join(d, 'real'));
    writeFileSync(join(d, 'manifest'), TEST_MANIFEST);
    symlinkSync('real', join(d, 'rootfs'));
  },
  'manifest is a directory': (d) => {
    mkdirSync(join(d, 'rootfs'));
    mkdirSync(join(d, 'manifest'));
  },
  'invalid manifest': (d) => {
    base(d);
    writeFileSync(join(d, 'manifest'), '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"Bad Name"}');
  },
  // A warning: passes, and fails under strict.
  'symlink escaping rootfs': (d) => {
    base(d);
    symlinkSync('../../../etc/passwd', join(d, 'rootfs', 'escape'));
  },
  'name that is not UTF-8': (d) => {
    base(d);
    writeFileSync(Buffer.concat([Buffer.from(join(d, 'rootfs') + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'x');
  },
  'name that is not UTF-8 in an invalid layout': (d) => {
    base(d);
    writeFileSync(Buffer.concat([Buffer.from(join(d, 'rootfs') + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'x');
    writeFileSync(join(d, 'extra'), 'x');
  },
};

/** What a build gives: its error's code and issues, or the warnings of a success. */
async function buildVerdict(dir: string, out: string, strict: boolean): Promise<{ code: string; issues: unknown }> {
  try {
    const r = await buildAci(dir, out, { strict, imageId: false });
    return { code: 'OK', issues: r.warnings };
  } catch (e) {
    const err = e as { code: string; issues?: unknown };
    return { code: err.code, issues: err.issues ?? [] };
  }
}

describe('buildAci: one walk, the verdict of validateLayout', () => {
  for (const [name, make] of Object.entries(CASES)) {
    for (const strict of [false, true]) {
      it(`${name}${strict ? ' (strict)' : ''}`, async () => {
        const dir = layout(make);
        const expected = await validateLayout(dir, strict ? { strict: true } : {});
        const out = join(tmp, `out-${n++}.aci`);
        const got = await buildVerdict(dir, out, strict);
        if (!expected.ok || !expected.manifest?.ok) {
          assert.equal(got.code, 'ACI_LAYOUT_INVALID');
          assert.deepEqual(got.issues, expected.issues);
        } else if (name.startsWith('name that is not UTF-8')) {
          // A valid layout whose names cannot be archived: the writer's refusal, as before.
          assert.equal(got.code, 'ACI_UNSUPPORTED_NAME');
        } else {
          assert.equal(got.code, 'OK');
          assert.deepEqual(got.issues, expected.issues);
        }
        assert.equal(existsSync(out), got.code === 'OK');
        assert.deepEqual(
          readdirSync(tmp).filter((f) => f.includes('.tmp-')),
          [],
        );
      });
    }
  }

  it('an invalid layout is reported before a missing output directory, as when validation came first', async () => {
    const dir = layout(CASES['extra top-level entry']!);
    await assert.rejects(buildAci(dir, join(tmp, 'missing-dir', 'x.aci')), { code: 'ACI_LAYOUT_INVALID' });
    const good = layout(base);
    await assert.rejects(buildAci(good, join(tmp, 'missing-dir', 'x.aci')), { code: 'ENOENT' });
  });
});

describe('buildAci imageId option', () => {
  it('imageId: false writes the same bytes and reports no image ID', async () => {
    const dir = makeLayout(tmp, 'same-bytes');
    for (const compression of ['none', 'gzip'] as const) {
      const [a, b] = [join(tmp, `with-${compression}.aci`), join(tmp, `without-${compression}.aci`)];
      const withId = await buildAci(dir, a, { compression, reproducible: true });
      const without = await buildAci(dir, b, { compression, reproducible: true, imageId: false });
      assert.equal(without.imageId, undefined);
      assert.equal('imageId' in without, false);
      assert.deepEqual(readFileSync(b), readFileSync(a));
      assert.equal((await validateAci(b)).imageId, withId.imageId);
      assert.equal(without.entryCount, withId.entryCount);
      assert.equal(without.bytes, withId.bytes);
    }
  });

  it('an uncompressed build larger than the early-sync interval is whole and hashes right', async () => {
    const dir = layout((d) => {
      base(d);
      writeFileSync(join(d, 'rootfs', 'big'), Buffer.alloc(40 << 20, 0x5a));
    });
    const out = join(tmp, 'big.aci');
    const r = await buildAci(dir, out, { compression: 'none' });
    const bytes = readFileSync(out);
    assert.equal(bytes.length, r.bytes);
    assert.equal(r.imageId, `sha512-${createHash('sha512').update(bytes).digest('hex')}`);
  });
});
