// Random and mutated inputs: the converter either writes ACIs that validate or throws a coded AppcError;
// it never crashes with another error, never hangs, and never leaves files behind on failure.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { validateAci } from '../../src/aci/validate-aci.js';
import { convertOciImage } from '../../src/convert/convert.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import type { TarSpec } from '../support/make-tar.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { fixturePath } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'convert-props-'));
after(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;
let converted = 0;
const HOST = { os: 'linux', architecture: 'amd64' } as const;

/** Converts; on success every ACI validates, on failure the error is coded and the directory is empty. */
async function check(input: string, layered: boolean): Promise<void> {
  const out = join(work, `out-${seq++}`);
  mkdirSync(out);
  try {
    const r = await convertOciImage(input, { output: join(out, 'x.aci'), layered, host: HOST });
    for (const img of r.images) {
      const v = await validateAci(img.path);
      assert.ok(v.ok, JSON.stringify(v.issues));
    }
    converted++;
  } catch (e) {
    assert.ok(isAppcError(e), `not an AppcError: ${e instanceof Error ? e.stack : String(e)}`);
    assert.match(e.code, /^(CONVERT_|ACI_OUTPUT_EXISTS)/);
    assert.deepEqual(readdirSync(out), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('converter properties', () => {
  it('random layers (whiteouts, opaque markers, symlinks, hard links, hostile names) convert or fail cleanly', async () => {
    // Plain names weigh more than hostile ones, so that enough images reach the success path as well.
    const seg = fc.oneof({ arbitrary: fc.constantFrom('a', 'b', 'c'), weight: 4 }, { arbitrary: fc.constantFrom('.wh.a', '.wh.b', '.wh..wh..opq', '..', '.', '.wh...', ''), weight: 1 });
    const name = fc.array(seg, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    const member: fc.Arbitrary<TarSpec> = fc.oneof(
      fc.record({ file: name, content: fc.string({ maxLength: 20 }) }),
      name.map((dir) => ({ dir })),
      fc.record({ symlink: name, target: fc.oneof(name, fc.constantFrom('/etc', '../../..', 'a')) }),
      fc.record({ hardlink: name, target: fc.oneof(name, fc.constantFrom('/a', '../a', '')) }),
    );
    const layers = fc.array(fc.record({ members: fc.array(member, { maxLength: 6 }), gzip: fc.boolean() }), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(layers, fc.boolean(), async (ls, layered) => {
        const dir = join(work, `layout-${seq++}`);
        writeOciLayout(dir, { layers: ls });
        try {
          await check(dir, layered);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
    // The generator must reach the success path too, or the property says little.
    assert.ok(converted > 5, `only ${converted} of 60 random images converted`);
  });

  it('mutated docker save archives and OCI layout documents convert or fail cleanly', async () => {
    const tar = readFileSync(fixturePath('convert', 'docker-legacy.tar'));
    const ociTar = readFileSync(fixturePath('convert', 'oci-basic.tar'));
    const index = readFileSync(fixturePath('convert', 'oci-basic', 'index.json'));
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('legacy', 'oci', 'index'), mutation, fc.option(fc.nat()), async (which, flips, cut) => {
        const base = which === 'legacy' ? tar : which === 'oci' ? ociTar : index;
        let bytes = Buffer.from(base);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        const input = join(work, `mutated-${seq++}`);
        if (which === 'index') {
          mkdirSync(input);
          for (const f of ['oci-layout']) writeFileSync(join(input, f), readFileSync(fixturePath('convert', 'oci-basic', f)));
          mkdirSync(join(input, 'blobs'));
          // Blobs by symlink would be refused; copy the small ones.
          const blobs = fixturePath('convert', 'oci-basic', 'blobs', 'sha256');
          mkdirSync(join(input, 'blobs', 'sha256'));
          for (const b of readdirSync(blobs)) writeFileSync(join(input, 'blobs', 'sha256', b), readFileSync(join(blobs, b)));
          writeFileSync(join(input, 'index.json'), bytes);
        } else writeFileSync(input, bytes);
        try {
          await check(input, false);
        } finally {
          rmSync(input, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
