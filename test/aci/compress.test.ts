import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { bzip2DecodeStream } from '../../src/aci/bzip2-decode.js';
import { type Compressor, createCompressor } from '../../src/aci/compress.js';
import { compressFile, createProgramCompressor, type FileRun } from '../../src/aci/compress-child.js';
import { createSegmentedCompressor } from '../../src/aci/compress-segments.js';
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

/** Writes `data` in uneven chunks, honouring backpressure; resolves with the output and `done`'s outcome. */
async function run(c: Compressor, data: Buffer, step = 70_001): Promise<Buffer> {
  const chunks: Buffer[] = [];
  c.output.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve, reject) => {
    c.output.on('end', resolve);
    c.output.on('error', reject);
  });
  const failed = new Promise<never>((_, reject) => c.input.on('error', reject));
  const written = (async () => {
    for (let o = 0; o < data.length; o += step) {
      if (!c.input.write(data.subarray(o, o + step))) await Promise.race([new Promise((r) => c.input.once('drain', r)), failed]);
    }
    c.input.end();
  })();
  const all = Promise.all([c.done, ended, written]);
  // Whichever fails first is the answer; the others' rejections are expected then.
  for (const p of [c.done, ended, written, failed]) p.catch(() => {});
  await all;
  return Buffer.concat(chunks);
}

const MIXED = Buffer.concat([randomBytes(300_000), Buffer.from('appc '.repeat(200_000)), randomBytes(123_457)]);

describe('segmented compression (bzip2 on several cores)', () => {
  it('keeps the segments in order whatever finishes first (cat as the compressor, 3 at once)', async () => {
    const out = await run(
      createSegmentedCompressor((i, o) => compressFile('cat', [], i, o), 100_000, 3),
      MIXED,
    );
    assert.ok(out.equals(MIXED));
  });

  it('gives a bzip2 file of concatenated streams that bzip2 and the built-in decoder read back', async () => {
    const out = await run(
      createSegmentedCompressor((i, o) => compressFile('bzip2', ['-c', '-9'], i, o), 250_000, 2),
      MIXED,
    );
    assert.ok(execFileSync('bzip2', ['-dc'], { input: out, maxBuffer: 1 << 26 }).equals(MIXED));
    const decoded: Buffer[] = [];
    for await (const c of bzip2DecodeStream(Readable.from([out]))) decoded.push(c as Buffer);
    assert.ok(Buffer.concat(decoded).equals(MIXED));
  });

  it('holds at most parallel - 1 segments of input: the newest is fed at the pace of its process (cat, 8 MiB in 1 MiB segments)', async () => {
    const data = Buffer.concat([randomBytes(4 << 20), Buffer.from('appc '.repeat(900_000)), randomBytes(123_457)]);
    const allocUnsafe = Buffer.allocUnsafe;
    let allocated = 0;
    Buffer.allocUnsafe = ((size: number) => {
      // Pieces and segments (the test's own concatenation of the output is larger).
      if (size >= 64 << 10 && size <= 1 << 20) allocated += size;
      return allocUnsafe(size);
    }) as typeof Buffer.allocUnsafe;
    let out: Buffer;
    try {
      out = await run(
        createSegmentedCompressor((i, o) => compressFile('cat', [], i, o), 1 << 20, 2),
        data,
        1 << 20,
      );
    } finally {
      Buffer.allocUnsafe = allocUnsafe;
    }
    assert.ok(out.equals(data));
    // One segment held, and a few pieces in the pipes; collecting whole segments took three (3 MiB).
    assert.ok(allocated <= (1 << 20) + (8 << 16), `${allocated} bytes of input held`);
  });

  it('an empty input is one empty stream', async () => {
    const out = await run(
      createSegmentedCompressor((i, o) => compressFile('bzip2', ['-c', '-9'], i, o), 250_000, 2),
      Buffer.alloc(0),
    );
    assert.equal(execFileSync('bzip2', ['-dc'], { input: out }).length, 0);
  });

  it('a segment whose process fails fails the whole write (no hang)', async () => {
    let n = 0;
    const c = createSegmentedCompressor((i, o) => (n++ === 1 ? compressFile('sh', ['-c', 'head -c 10 >/dev/null; exit 7'], i, o) : compressFile('cat', [], i, o)), 100_000, 2);
    await assert.rejects(run(c, MIXED), /exited with code 7|EPIPE|closed/);
    await assert.rejects(c.done);
  });

  it('a missing program is ACI_COMPRESSOR_MISSING', async () => {
    const c = createSegmentedCompressor((i, o) => compressFile('appc-no-such-bzip2', [], i, o), 100_000, 2);
    await assert.rejects(run(c, MIXED), (e: unknown) => isAppcError(e) && e.code === 'ACI_COMPRESSOR_MISSING');
  });

  it('destroying the input stops every process', async () => {
    const children: FileRun[] = [];
    const c = createSegmentedCompressor(
      (i, o) => {
        const k = compressFile('cat', [], i, o);
        children.push(k);
        return k;
      },
      100_000,
      2,
    );
    c.output.on('error', () => {});
    c.input.write(MIXED.subarray(0, 250_000));
    await new Promise((r) => setTimeout(r, 50));
    c.input.destroy();
    await assert.rejects(c.done);
    // Each process has ended: killed, or done with the bytes it had when its input closed.
    await Promise.allSettled(children.map((k) => k.done));
    // Two segments full; the third starts with its first byte if the first was out by then.
    assert.ok(children.length === 2 || children.length === 3, `${children.length} processes`);
  });
});

describe('a compressing process that dies', () => {
  it('rejects done and fails the streams, without hanging', async () => {
    const c = createProgramCompressor('sh', ['-c', 'head -c 1000 >/dev/null; kill -9 $$']);
    await assert.rejects(run(c, MIXED), /killed by SIGKILL|EPIPE|closed/);
    await assert.rejects(c.done, /sh was killed by SIGKILL/);
  });
});

describe('xz writer choice', () => {
  it('APPC_COMPRESSOR=builtin writes xz with lzma-native (when installed); both read back the same', async (t) => {
    let native = true;
    try {
      createRequire(import.meta.url)('lzma-native');
    } catch {
      native = false;
    }
    if (!native) return t.skip('lzma-native is not installed');
    const before = process.env['APPC_COMPRESSOR'];
    process.env['APPC_COMPRESSOR'] = 'builtin';
    let builtin: Buffer;
    try {
      builtin = await run(createCompressor('xz'), MIXED);
    } finally {
      if (before === undefined) delete process.env['APPC_COMPRESSOR'];
      else process.env['APPC_COMPRESSOR'] = before;
    }
    const system = await run(createCompressor('xz'), MIXED);
    for (const out of [builtin, system]) assert.ok(execFileSync('xz', ['-dc'], { input: out, maxBuffer: 1 << 26 }).equals(MIXED));
  });

  it('an xz preset outside 0-9 is refused before anything runs', () => {
    assert.throws(() => createCompressor('xz', { xzPreset: 12 }), RangeError);
  });
});
