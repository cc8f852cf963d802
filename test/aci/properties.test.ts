import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ACI_CODES } from '../../src/aci/codes.js';
import { detectFileType } from '../../src/aci/detect.js';
import { readAciEntries } from '../../src/aci/entries.js';
import { extractAci } from '../../src/aci/extract.js';
import { validateAci, type AciReport } from '../../src/aci/validate-aci.js';
import { fixturePath } from '../support/paths.js';

const seeds = ['gnu-tar-gzip.aci', 'gnu-tar-bzip2.aci', 'gnu-tar-xz.aci', 'pax-long-names.aci', 'sparse-gnu.aci', 'hardlink-ok.aci'].map((n) => new Uint8Array(readFileSync(fixturePath('aci', n))));
// Mutations of the uncompressed tar reach the tar parser; mutations of compressed bytes mostly test the decoders.
const tars = seeds
  .slice(0, 1)
  .concat(seeds.slice(3))
  .map((s) => new Uint8Array(gunzipSync(s)));

function assertReport(r: AciReport): void {
  assert.equal(typeof r.ok, 'boolean');
  assert.ok(Array.isArray(r.issues));
  for (const i of r.issues) {
    assert.equal(typeof i.code, 'string');
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(i.message.length > 0);
    if (i.entry !== 'manifest') assert.ok(i.code in ACI_CODES, `unknown code ${i.code}`);
  }
  if (r.ok) assert.match(r.imageId ?? '', /^sha512-[0-9a-f]{128}$/);
}

/** Byte edits: flips, overwrites with interesting values, truncation, insertion. */
const mutation = (max: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(max), value: fc.constantFrom(0, 0xff, 0x30, 0x37, 0x20, 0x2f, 0x2e, 0x80, 0x78, 0x4c, 0x53, 0x31, 0x32) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(max), value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(max), value: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(max), value: fc.integer({ min: 0, max: 255 }) }),
  );

function mutate(input: Uint8Array, edits: { kind: 'set' | 'flip' | 'cut' | 'insert'; at: number; value: number }[]): Uint8Array {
  let b = input.slice();
  for (const e of edits) {
    const at = e.at % Math.max(1, b.length);
    if (e.kind === 'set') b[at] = e.value;
    else if (e.kind === 'flip') b[at] = b[at]! ^ e.value;
    else if (e.kind === 'cut') b = b.subarray(0, at);
    else b = new Uint8Array([...b.subarray(0, at), e.value, ...b.subarray(at)]);
  }
  return b;
}

describe('ACI properties: mutated archives only ever give reports', () => {
  it('mutated compressed archives (gzip, bzip2, xz): validateAci resolves with well-formed issues', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.array(mutation(1 << 20), { minLength: 1, maxLength: 4 }), async (seed, edits) => {
        assertReport(await validateAci(mutate(seed, edits)));
      }),
      { numRuns: 150 },
    );
  });

  it('mutated tar streams (plain and re-gzipped): validateAci and readAciEntries never hang or throw anything but AppcError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...tars), fc.array(mutation(1 << 16), { minLength: 1, maxLength: 6 }), fc.boolean(), async (tar, edits, compress) => {
        const bytes = mutate(tar, edits);
        const input = compress ? new Uint8Array(gzipSync(bytes)) : bytes;
        assertReport(await validateAci(input, { maxTotalBytes: 1 << 22 }));
        try {
          for await (const e of readAciEntries(input, { maxTotalBytes: 1 << 22 })) for await (const c of e.body) void c;
        } catch (err) {
          assert.equal((err as { name?: string }).name, 'AppcError', String(err));
        }
      }),
      { numRuns: 250 },
    );
  });

  it('A-VA-1 extract = validate on mutated tar streams: extract succeeds exactly when validate accepts, refuses with its first error, and a refusal leaves nothing', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'extract-prop-'));
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...tars), fc.array(mutation(1 << 16), { minLength: 1, maxLength: 4 }), async (tar, edits) => {
          const input = mutate(tar, edits);
          const report = await validateAci(input, { maxTotalBytes: 1 << 22 });
          const dir = join(tmp, `x${n++}`);
          let code = 'ok';
          try {
            await extractAci(input, dir, { maxTotalBytes: 1 << 22 });
          } catch (e) {
            code = (e as { code?: string }).code ?? String(e);
          }
          assert.equal(code, report.issues.find((i) => i.severity === 'error')?.code ?? 'ok');
          if (code !== 'ok') assert.equal(existsSync(dir), false);
          assert.deepEqual(
            readdirSync(tmp).filter((f) => f.includes('.partial-')),
            [],
          );
        }),
        { numRuns: 80 },
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('random bytes: detection and validation never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        detectFileType(bytes);
        assertReport(await validateAci(bytes));
      }),
      { numRuns: 200 },
    );
  });
});
