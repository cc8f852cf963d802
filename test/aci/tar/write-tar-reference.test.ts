import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeTarHeader, type TarEntryInput, type WritableEntryType } from '../../../src/aci/tar/write-tar.js';
import { referenceEncodeTarHeader } from './reference-write-tar.js';

const TYPES: WritableEntryType[] = ['file', 'link', 'symlink', 'character-device', 'block-device', 'directory', 'fifo'];

/** Names around the ustar limits: short, 100, 155/156 split points, non-ASCII, NUL, trailing slashes. */
const name = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.array(fc.constantFrom('a', 'b/', 'é', '/', 'dir/', 'x'.repeat(50) + '/', '\u0000'), { maxLength: 12 }).map((p) => p.join('')),
  fc.integer({ min: 90, max: 260 }).map((n) => 'rootfs/' + 'd/'.repeat(n >> 2) + 'f'.repeat(n & 3)),
  fc.string({ unit: 'binary', maxLength: 120 }),
);
/** Numbers in and out of the octal fields: negative, fractional, at and past 7 and 11 digits, huge. */
const num = fc.oneof(
  fc.integer({ min: 0, max: 0o7777777 }),
  fc.constantFrom(0, 0o7777777, 0o7777777 + 1, 0o77777777777, 0o77777777777 + 1, -1, 2 ** 53, 1.5, -1.5),
  fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  fc.integer(),
);
const text = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.constantFrom('root', 'ü'.repeat(20), 'a'.repeat(32), 'a'.repeat(33)));

// Device numbers: octal, base-256, and negative or fractional ones, which reach the old text path (a caller's;
// the builder's never are).
const device = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 0o7777777 }),
  fc.integer({ min: 0o7777777 + 1, max: 2 ** 32 }),
  fc.integer({ min: -4096, max: -1 }),
  fc.double({ min: 0, max: 4096, noNaN: true }),
);
const entry: fc.Arbitrary<TarEntryInput> = fc.record(
  {
    name,
    type: fc.constantFrom(...TYPES),
    mode: fc.oneof(fc.integer({ min: 0, max: 0o177777 }), fc.constant(0o644)),
    uid: num,
    gid: num,
    uname: text,
    gname: text,
    size: fc.oneof(fc.constant(undefined), num),
    mtime: num,
    linkname: fc.oneof(fc.constant(undefined), name),
    devmajor: device,
    devminor: device,
    xattrs: fc.oneof(fc.constant(undefined), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })),
  },
  { requiredKeys: ['name', 'type', 'mode', 'uid', 'gid', 'mtime'] },
) as fc.Arbitrary<TarEntryInput>;

describe('encodeTarHeader against the encoder it replaced', () => {
  it('gives the same bytes for any entry, with and without a reused block', () => {
    const block = new Uint8Array(512);
    fc.assert(
      fc.property(entry, (e) => {
        const expected = referenceEncodeTarHeader(e);
        assert.deepEqual(encodeTarHeader(e), expected);
        // The reused block is dirty from the entry before: it must be overwritten whole.
        block.fill(0xff);
        assert.deepEqual(encodeTarHeader(e, block), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes into the given block only when no PAX header is needed', () => {
    const block = new Uint8Array(512);
    assert.equal(encodeTarHeader({ name: 'rootfs/a', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 1 }, block), block);
    const long = encodeTarHeader({ name: 'rootfs/' + 'é'.repeat(10), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 1 }, block);
    assert.notEqual(long, block);
    assert.equal(long.length, 1536);
  });
});
