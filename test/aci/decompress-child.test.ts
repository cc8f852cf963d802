/**
 * The `bzip2 -dc` child under `stdbuf -o1M` (fewer, larger pipe reads) must decode exactly as the bare child:
 * the same bytes, and for a damaged stream the same bytes before the same error (A-CD-2). The bare child is
 * what runs when PATH has no `stdbuf`, so each case is decoded twice, once with a PATH that holds only bzip2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { childDecompressStream, decompressCommand } from '../../src/aci/decompress-child.js';
import { findProgram } from '../../src/aci/find-program.js';

const bzip2 = findProgram('bzip2');
const stdbuf = findProgram('stdbuf');

/** Compressible text and incompressible bytes, ~3 MB of output over several bzip2 blocks. */
function sample(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 40; i++) parts.push(Buffer.from(`line ${i} `.repeat(4000)), randomBytes(30_000));
  return Buffer.concat(parts);
}

function compressBzip2(data: Buffer): Buffer {
  const r = spawnSync('bzip2', ['-c', '-9'], { input: data, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

/** Decodes with the child found for `path` (PATH), returning the output's digest and length and the error message. */
async function decode(program: string, input: Buffer, path: string): Promise<{ sha: string; length: number; error: string | undefined }> {
  const before = process.env['PATH'];
  process.env['PATH'] = path;
  try {
    const out = childDecompressStream('bzip2', program, Readable.from([input]));
    const hash = createHash('sha256');
    let length = 0;
    let error: string | undefined;
    try {
      for await (const chunk of out) {
        hash.update(chunk as Buffer);
        length += (chunk as Buffer).length;
      }
    } catch (e) {
      error = (e as Error).message;
    }
    return { sha: hash.digest('hex'), length, error };
  } finally {
    process.env['PATH'] = before;
  }
}

describe('A-CD-2 bzip2 child process: stdbuf gives the bare child bytes and errors', { skip: bzip2 === undefined ? 'bzip2 is not installed' : false }, () => {
  const bareDir = mkdtempSync(join(tmpdir(), 'appc-bzip2-only-'));
  if (bzip2 !== undefined) symlinkSync(bzip2, join(bareDir, 'bzip2'));
  after(() => rmSync(bareDir, { recursive: true, force: true }));

  it('runs bzip2 under stdbuf exactly when stdbuf is on PATH', () => {
    const command = decompressCommand('bzip2', bzip2!);
    if (stdbuf === undefined) assert.deepEqual(command, { file: bzip2, args: ['-dc'] });
    else assert.deepEqual(command, { file: stdbuf, args: ['-o1M', bzip2, '-dc'] });
    const before = process.env['PATH'];
    process.env['PATH'] = bareDir;
    try {
      assert.deepEqual(decompressCommand('bzip2', bzip2!), { file: bzip2, args: ['-dc'] });
    } finally {
      process.env['PATH'] = before;
    }
    // xz 5.4's threaded decoder (it holds whole blocks) within a memory limit of ours; older xz on one thread;
    // both with a memory limit a 64 MiB dictionary fits.
    const xz = findProgram('xz');
    if (xz !== undefined) {
      const version = /xz \(XZ Utils\) (\d+)\.(\d+)/.exec(spawnSync(xz, ['--version'], { encoding: 'utf8' }).stdout);
      const threaded = version !== null && Number(version[1]) * 100 + Number(version[2]) >= 504;
      assert.deepEqual(decompressCommand('xz', xz), { file: xz, args: ['-dc', ...(threaded ? ['-T2', '--memlimit-mt=80MiB'] : ['-T1']), '--memlimit-decompress=80MiB'] });
    }
  });

  const data = sample();
  const good = compressBzip2(data);
  const flipped = Buffer.from(good);
  flipped[Math.floor(good.length * 0.6)]! ^= 0x55;
  const cases: [string, Buffer][] = [
    ['a valid stream', good],
    ['a stream cut in its middle', good.subarray(0, Math.floor(good.length / 2))],
    ['a byte flipped in a later block', flipped],
    ['garbage after the stream', Buffer.concat([good, Buffer.from('not bzip2 at all\n')])],
  ];
  for (const [name, input] of cases) {
    it(`${name}: the same output and error with and without stdbuf`, async () => {
      const bare = await decode(bzip2!, input, bareDir);
      const buffered = await decode(bzip2!, input, process.env['PATH'] ?? '');
      assert.deepEqual(buffered, bare);
      if (input === good) {
        assert.equal(bare.error, undefined);
        assert.equal(bare.sha, createHash('sha256').update(data).digest('hex'));
      } else assert.notEqual(bare.error, undefined);
    });
  }
});

describe('the child takes its input chunks through its pipe and says which it is done with', { skip: bzip2 === undefined ? 'bzip2 is not installed' : false }, () => {
  it('releases every input chunk once the pipe took it, before the output ends', async () => {
    const data = sample();
    const good = compressBzip2(data);
    const chunks: Buffer[] = [];
    for (let o = 0; o < good.length; o += 100_000) chunks.push(Buffer.from(good.subarray(o, o + 100_000)));
    const released = new Set<Uint8Array>();
    const out = childDecompressStream('bzip2', bzip2!, Readable.from(chunks), (chunk) => released.add(chunk));
    const hash = createHash('sha256');
    for await (const c of out) hash.update(c as Buffer);
    assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
    assert.equal(released.size, chunks.length);
    for (const c of chunks) assert.ok(released.has(c), 'a chunk was not released');
  });
});
