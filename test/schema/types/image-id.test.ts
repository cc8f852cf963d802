import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { imageIdFromDigest, isImageID, shortImageId, validateImageID } from '../../../src/schema/types/image-id.js';
import { isAppcError } from '../../../src/issues/appc-error.js';
import type { CheckCase } from '../../support/check-table.js';
import { assertIssues, show } from '../../support/check-table.js';
import { readJsonFixture } from '../../support/paths.js';

interface Table {
  cases: CheckCase[];
  short: { input: string; output: string }[];
}
const table = readJsonFixture<Table>('types', 'image-id.json');

describe('Image ID', () => {
  for (const c of table.cases) {
    it(`${c.rule} checks ${show(c.input)}: ${c.issues.map((i) => i[0]).join(', ') || 'clean'}`, () => {
      const r = validateImageID(c.input);
      assertIssues(r, c.issues);
      assert.equal(isImageID(c.input), c.issues.length === 0);
      if (r.ok) {
        assert.equal(r.value, c.input);
        assert.equal(validateImageID(c.input, { strict: true }).ok, c.issues.length === 0);
      }
    });
  }
  it('T-HS-5 builds an image ID from a digest (bytes or hex, either case)', () => {
    const digest = createHash('sha512').update('hello').digest();
    const want = 'sha512-' + digest.toString('hex');
    assert.equal(imageIdFromDigest(new Uint8Array(digest)), want);
    assert.equal(imageIdFromDigest(digest.toString('hex').toUpperCase()), want);
    assert.ok(isImageID(imageIdFromDigest(digest.toString('hex'))));
  });
  for (const bad of ['abc', 'z'.repeat(128), new Uint8Array(32)]) {
    it(`T-HS-5 refuses digest ${show(typeof bad === 'string' ? bad : `${bad.length} bytes`)} with IMAGEID_BAD_DIGEST`, () => {
      assert.throws(
        () => imageIdFromDigest(bad),
        (e) => isAppcError(e) && e.code === 'IMAGEID_BAD_DIGEST',
      );
    });
  }
  for (const c of table.short) {
    it(`T-HS-6 shortens ${show(c.input)}`, () => {
      assert.equal(shortImageId(c.input), c.output);
    });
  }
});

describe('Image ID fast path', () => {
  it('property: the strict form passes every rule of the Go-lenient check (which returns at once for it)', () => {
    // 128 hex digits, sometimes one of them replaced or one more or less.
    const hex = fc
      .tuple(fc.array(fc.constantFrom('0', '9', 'a', 'f'), { minLength: 128, maxLength: 128 }), fc.nat(127), fc.constantFrom('', 'A', 'g', '-', '0', '00', 'keep'))
      .map(([cs, at, bad]) => (bad === 'keep' ? cs.join('') : cs.slice(0, at).join('') + bad + cs.slice(at + 1).join('')));
    let strict = 0;
    fc.assert(
      fc.property(fc.constantFrom('sha512-', 'sha512', 'sha256-', '-', 'sha512--'), hex, (prefix, digest) => {
        const v = prefix + digest;
        if (!isImageID(v)) return;
        strict++;
        const parts = v.split('-');
        assert.ok(parts.length === 2 && parts[0] === 'sha512' && /^[0-9a-f]{128}$/.test(parts[1]!), v);
      }),
      { numRuns: 3000 },
    );
    assert.ok(strict > 100);
  });
});
