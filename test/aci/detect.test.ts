import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressionOf, detectFileType } from '../../src/aci/detect.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function tarHead(length: number, magic = 'ustar\u000000'): Uint8Array {
  const b = new Uint8Array(length);
  b.set(text(magic).subarray(0, Math.max(0, Math.min(8, length - 257))), 257);
  return b;
}

describe('detectFileType (A-CD-1..3)', () => {
  const cases: [string, Uint8Array, string][] = [
    ['gzip magic', bytes(0x1f, 0x8b, 8, 0), 'gzip'],
    ['bzip2 magic', text('BZh91AY&SY'), 'bzip2'],
    ['xz magic', bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0), 'xz'],
    ['POSIX ustar', tarHead(512), 'tar'],
    ['GNU "ustar  " magic', tarHead(512, 'ustar  \u0000'), 'tar'],
    ['tar cut to 263 bytes', tarHead(263), 'tar'],
    ['tar cut to 262 bytes (Go needs more than 262)', tarHead(262), 'unknown'],
    ['v7 tar without magic', new Uint8Array(512).fill(1, 0, 10), 'unknown'],
    ['zstd magic', bytes(0x28, 0xb5, 0x2f, 0xfd, 0x04), 'zstd'],
    ['lzma-alone header', bytes(0x5d, 0x00, 0x00, 0x80, 0x00), 'lzma'],
    ['OpenPGP SKESK, new format', bytes(0xc3, 0x0d, 0x04), 'openpgp'],
    ['OpenPGP SKESK, old format', bytes(0x8c, 0x0d, 0x04), 'openpgp'],
    ['OpenPGP PKESK', bytes(0x85, 0x01, 0x0c), 'openpgp'],
    ['ASCII-armored OpenPGP message', text('-----BEGIN PGP MESSAGE-----\n\nhQEMA'), 'openpgp'],
    ['JSON manifest', text('{"acKind":"ImageManifest"}'), 'text'],
    ['empty file (Go sniffs it as text)', bytes(), 'text'],
    ['UTF-8 BOM text', bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d), 'text'],
    ['UTF-16 text', bytes(0xff, 0xfe, 0x7b, 0x00), 'unknown'],
    ['HTML', text('  <html><body>x</body></html>'), 'unknown'],
    ['XML', text('<?xml version="1.0"?><a/>'), 'unknown'],
    ['PDF', text('%PDF-1.4 ...'), 'unknown'],
    ['binary control bytes', bytes(0x7b, 0x01, 0x02), 'unknown'],
    ['RIFF WAVE', text('RIFF1234WAVEfmt '), 'unknown'],
  ];
  for (const [name, input, expected] of cases) {
    it(`A-CD-1 ${name} is ${expected}`, () => assert.equal(detectFileType(input), expected));
  }
  it('A-CD-1 looks at the first 512 bytes only', () => {
    const b = new Uint8Array(600).fill(0x61);
    b[550] = 0;
    assert.equal(detectFileType(b), 'text');
  });
  it('A-CD-2 maps file types to compressions', () => {
    assert.equal(compressionOf('gzip'), 'gzip');
    assert.equal(compressionOf('tar'), 'none');
    assert.equal(compressionOf('zstd'), undefined);
    assert.equal(compressionOf('text'), undefined);
  });
});
