/**
 * What keeps the writers' memory flat (issue #16, peak RSS; docs/design.md "s13-rss"): opening an output keeps
 * V8's young generation small, the parallel gzip writer deflates whole tar buffers where they are (no 1 MiB
 * copies of its own) and hands its output on as views of zlib's own buffers, each under glibc's 128 KiB mmap
 * threshold and marked as the only view of its memory, the archive writer frees each marked chunk once it is
 * written, and the layout's manifest is read into a buffer sized from the file. None of it changes a byte:
 * the gzip bytes are those of zlib's one-shot `gzip()` per 1 MiB block, as before.
 * This file turns bounded garbage on for its process (as the CLI does), so marked chunks are really freed.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { gunzipSync, gzip } from 'node:zlib';
import { openArchiveOutput, writeChunks } from '../../src/aci/archive-output.js';
import { buildAci } from '../../src/aci/build-aci.js';
import { createCompressor } from '../../src/aci/compress.js';
import { createProgramCompressor } from '../../src/aci/compress-child.js';
import { createFileSink } from '../../src/aci/file-sink.js';
import { boundGarbage, dropChunk, markSoleView } from '../../src/aci/garbage.js';
import { MEMBER_HEADER_BYTES, sizedMemberHeader, sizedMemberLength } from '../../src/aci/gzip-members.js';
import { validateLayout } from '../../src/aci/layout.js';
import { incompressibleBytes, TEST_MANIFEST, tempDir } from '../support/aci-layout.js';

const tmp = tempDir('appc-writer-memory-');
after(() => {
  boundGarbage(false);
  rmSync(tmp, { recursive: true, force: true });
});
const MIB = 1 << 20;

/** Text-like bytes (they compress about 4x), so members have several zlib output buffers. */
function textBytes(length: number): Buffer {
  const words = ['image', 'manifest', 'rootfs ', 'layer\n', 'const ', 'value', '{ }', '0x1f8b ', 'usr/lib '];
  const out = Buffer.alloc(length);
  let x = 7;
  for (let o = 0; o < length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    o += out.write(words[x % words.length]!, o);
  }
  return out;
}

/** 3.5 MiB of mixed input: whole blocks that compress, one that does not, and a partial last block. */
const INPUT = Buffer.concat([textBytes(2 * MIB), incompressibleBytes(MIB, 'writer-memory'), textBytes(MIB / 2)]);

/**
 * The bytes the writer made before s13 (and must still make): zlib's one-shot gzip of each 1 MiB block with
 * 128 KiB output buffers (as the old writer called it; level 0's stored blocks depend on the buffer size), its
 * header replaced by the sized one.
 */
async function referenceGzip(input: Buffer, level: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let o = 0; o === 0 || o < input.length; o += MIB) {
    const out = await new Promise<Buffer>((resolve, reject) => gzip(input.subarray(o, o + MIB), { level, chunkSize: 128 << 10 }, (e, r) => (e ? reject(e) : resolve(r))));
    const rest = out.subarray(10);
    parts.push(sizedMemberHeader(MEMBER_HEADER_BYTES + rest.length), rest);
  }
  return Buffer.concat(parts);
}

/** Collects a compressor's output as copies, passing each chunk to `seen` first. */
function collect(output: NodeJS.ReadableStream, seen: (chunk: Buffer) => void = () => {}): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    output.on('data', (chunk: Buffer) => {
      parts.push(Buffer.from(chunk));
      seen(chunk);
    });
    output.on('end', () => resolve(Buffer.concat(parts)));
    output.on('error', reject);
  });
}

/** Feeds `input` through a compressor's sink in whole 1 MiB buffers (the last one partial), as TarOutput does. */
async function throughSink(level: number, input: Buffer, onRelease: (index: number) => void = () => {}): Promise<Buffer> {
  const c = createCompressor('gzip', { gzipLevel: level });
  assert.ok(c.sink, 'the parallel gzip writer has a sink');
  const out = collect(c.output);
  let index = 0;
  for (let o = 0; o < input.length; o += MIB) {
    const i = index++;
    await c.sink(Buffer.from(input.subarray(o, o + MIB)), () => onRelease(i));
  }
  c.input.end();
  return out;
}

const newSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('writer memory', () => {
  // First: no other test in this file may have set the flag before.
  it('opening an archive output keeps the young generation small, once the program bounded its garbage', async () => {
    boundGarbage();
    const out = await openArchiveOutput(join(tmp, 'young.aci'), { compression: 'none' });
    const start = newSpace();
    try {
      let kept: object[] = [];
      for (let i = 0; i < 1_600_000; i++) {
        kept.push({ i, s: `x${i}`, a: [i, i + 1] });
        if (kept.length === 500) kept = [];
      }
      // Without it V8 grows the new space to 32 MiB under this churn.
      assert.ok(newSpace() <= Math.max(start, 4 << 20), `new space grew from ${start} to ${newSpace()} bytes`);
    } finally {
      await out.discard();
    }
  });

  for (const level of [0, 1, 6, 9]) {
    it(`gzip level ${level}: the same bytes as zlib's one-shot gzip per 1 MiB block, through the input stream and through the sink`, async () => {
      const expected = await referenceGzip(INPUT, level);
      const c = createCompressor('gzip', { gzipLevel: level });
      const out = collect(c.output);
      // Uneven writes: blocks are cut by the compressor, not by the writes.
      for (let o = 0; o < INPUT.length; o += 300_001) c.input.write(INPUT.subarray(o, o + 300_001));
      c.input.end();
      assert.ok((await out).equals(expected), 'input stream');
      assert.ok((await throughSink(level, INPUT)).equals(expected), 'sink');
    });
  }

  it('gzip: the output is each member header, then views of zlib buffers under 128 KiB, each the only view of its memory', async () => {
    const c = createCompressor('gzip');
    let views = 0;
    const out = collect(c.output, (chunk) => {
      if (chunk.length === MEMBER_HEADER_BYTES && sizedMemberLength(chunk) !== undefined) return;
      views++;
      assert.ok(chunk.buffer.byteLength <= 64 << 10, `a ${chunk.buffer.byteLength}-byte buffer: over glibc's mmap threshold`);
      dropChunk(chunk);
      assert.equal(chunk.byteLength, 0, 'a marked chunk is freed at once');
    });
    c.input.end(INPUT);
    assert.ok(gunzipSync(await out).equals(INPUT));
    // The incompressible MiB alone needs 17 buffers of 64 KiB.
    assert.ok(views >= 17, `${views} views`);
  });

  it('gzip sink: whole 1 MiB buffers are deflated where they are (no 1 MiB block of its own) and released once deflated', async () => {
    const allocUnsafe = Buffer.allocUnsafe;
    let blocks = 0;
    Buffer.allocUnsafe = ((size: number) => {
      // Blocks are exactly 1 MiB (the collected output's concatenation is not).
      if (size === MIB) blocks++;
      return allocUnsafe(size);
    }) as typeof Buffer.allocUnsafe;
    const released: number[] = [];
    let out: Buffer;
    try {
      // Whole buffers only (no partial last one, which is copied into a block).
      out = await throughSink(6, INPUT.subarray(0, 3 * MIB), (i) => released.push(i));
    } finally {
      Buffer.allocUnsafe = allocUnsafe;
    }
    assert.equal(blocks, 0, 'blocks allocated by the compressor');
    assert.deepEqual(
      released.sort((a, b) => a - b),
      [0, 1, 2],
    );
    assert.ok(gunzipSync(out).equals(INPUT.subarray(0, 3 * MIB)));
  });

  it("a compressing program's output (xz, bzip2) comes as pipe reads marked as the only view of their memory", async () => {
    const c = createProgramCompressor('cat', []);
    let chunks = 0;
    const out = collect(c.output, (chunk) => {
      chunks++;
      dropChunk(chunk);
      assert.equal(chunk.byteLength, 0, 'a marked chunk is freed at once');
    });
    c.input.end(INPUT);
    assert.ok((await out).equals(INPUT));
    await c.done;
    assert.ok(chunks > 1);
  });

  it('writeChunks writes every chunk in order and frees exactly the marked ones once written', async () => {
    const source = new PassThrough();
    const shared = Buffer.alloc(200_000, 3);
    const chunks = [Buffer.allocUnsafe(70_000).fill(1), shared.subarray(0, 100_000), Buffer.allocUnsafe(90_000).fill(2), shared.subarray(100_000)];
    markSoleView(chunks[0]!);
    markSoleView(chunks[2]!);
    const expected = Buffer.concat(chunks);
    const path = join(tmp, 'chunks.bin');
    const fd = openSync(path, 'wx');
    try {
      const written = writeChunks(
        source,
        createFileSink(fd, (e) => assert.fail(String(e)), { background: true }),
      );
      for (const chunk of chunks) source.write(chunk);
      source.end();
      await written;
    } finally {
      closeSync(fd);
    }
    assert.ok(readFileSync(path).equals(expected));
    assert.deepEqual(
      chunks.map((c) => c.byteLength),
      [0, 100_000, 0, 100_000],
    );
  });

  it('a gzip build gives the reference bytes of its tar (bounded garbage on)', async () => {
    const layout = join(tmp, 'layout');
    mkdirSync(join(layout, 'rootfs'), { recursive: true });
    writeFileSync(join(layout, 'manifest'), TEST_MANIFEST);
    writeFileSync(join(layout, 'rootfs', 'mixed'), INPUT);
    writeFileSync(join(layout, 'rootfs', 'small'), 'small\n');
    const settings = { reproducible: true, imageId: false } as const;
    await buildAci(layout, join(tmp, 'plain.aci'), { ...settings, compression: 'none' });
    await buildAci(layout, join(tmp, 'gzip.aci'), { ...settings, compression: 'gzip' });
    assert.ok(readFileSync(join(tmp, 'gzip.aci')).equals(await referenceGzip(readFileSync(join(tmp, 'plain.aci')), 6)));
  });

  it("reads a layout's manifest into a buffer sized from the file, not from the 1 MiB limit", async () => {
    const layout = join(tmp, 'manifest-layout');
    mkdirSync(join(layout, 'rootfs'), { recursive: true });
    writeFileSync(join(layout, 'manifest'), TEST_MANIFEST);
    const alloc = Buffer.alloc;
    let largest = 0;
    Buffer.alloc = ((size: number, fill?: string | number, encoding?: BufferEncoding) => {
      largest = Math.max(largest, size);
      return alloc(size, fill, encoding);
    }) as typeof Buffer.alloc;
    let report;
    try {
      report = await validateLayout(layout);
    } finally {
      Buffer.alloc = alloc;
    }
    assert.equal(report.ok, true, JSON.stringify(report.issues));
    assert.ok(largest <= 64 << 10, `a ${largest}-byte buffer`);
  });
});
