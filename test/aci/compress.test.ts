import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createProgramCompressor } from '../../src/aci/compress.js';
import { isAppcError } from '../../src/issues/appc-error.js';

async function compress(program: string, args: string[], data: Buffer): Promise<Buffer> {
  const c = createProgramCompressor(program, args);
  const chunks: Buffer[] = [];
  c.output.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve, reject) => {
    c.output.on('end', resolve);
    c.output.on('error', reject);
  });
  c.input.end(data);
  await Promise.all([c.done, ended]);
  return Buffer.concat(chunks);
}

describe('compressors that run a program (xz without lzma-native, bzip2)', () => {
  it('xz through the xz program round-trips', async () => {
    const data = Buffer.from('appc '.repeat(100_000));
    const xz = await compress('xz', ['-c', '-6', '-T0'], data);
    assert.deepEqual(xz.subarray(0, 6), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    assert.ok(execFileSync('xz', ['-dc'], { input: xz }).equals(data));
  });

  it('a missing program is ACI_COMPRESSOR_MISSING naming it, and the streams fail instead of hanging', async () => {
    await assert.rejects(compress('appc-no-such-xz', [], Buffer.from('x')), (e: unknown) => {
      assert.ok(isAppcError(e) && e.code === 'ACI_COMPRESSOR_MISSING', String(e));
      assert.match(e.message, /"appc-no-such-xz" program/);
      return true;
    });
  });
});
