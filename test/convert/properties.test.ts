import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { isAppcError } from '../../src/issues/appc-error.js';
import { convertOciImage } from '../../src/convert/convert.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { fixturePath } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-convert-prop-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('convertOciImage on mutated input (property)', () => {
  it('a flipped byte, a truncation or garbage anywhere in a layout gives a clean AppcError or a valid ACI, never a crash', async () => {
    const source = fixturePath('convert', 'oci-app');
    const blobs = readdirSync(join(source, 'blobs', 'sha256')).map((b) => join('blobs', 'sha256', b));
    const files = ['index.json', 'oci-layout', ...blobs];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.nat(), fc.oneof(fc.constant('flip'), fc.constant('truncate'), fc.constant('append')), async (file, at, how) => {
        const dir = join(tmp, `case${run++}`);
        cpSync(source, dir, { recursive: true });
        const path = join(dir, file);
        const bytes = readFileSync(path);
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        const mutated = how === 'flip' ? Buffer.from(bytes.map((b, k) => (k === i ? b ^ 0x20 : b))) : how === 'truncate' ? bytes.subarray(0, i) : Buffer.concat([bytes, Buffer.from('garbage')]);
        writeFileSync(path, mutated);
        const out = join(dir, 'out.aci');
        try {
          await convertOciImage(dir, out);
          assert.equal((await validateAci(out)).ok, true);
        } catch (e) {
          assert.ok(isAppcError(e), `not an AppcError: ${String(e)}`);
          assert.match(e.code, /^(CONVERT|ACI)_/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
