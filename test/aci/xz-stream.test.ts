/**
 * The built-in xz stream (xz-stream.ts) against the package's own stream (xz-decompress's XzReadableStream,
 * bridged to Node streams as decompress.ts did before): for every input, cut into chunks of any sizes, the same
 * bytes before the end or the failure, the same failure (its message, and its class after
 * classifyDecompressError). Inputs: xz files the system `xz` makes at test time (levels, every check type,
 * small blocks, several streams, padding, an over-large dictionary), the fixtures' xz images, and those damaged
 * (cut, flipped bits, bytes after the end). Then what the stream adds: it decodes only as far as its consumer
 * reads, and gives its output memory back for reuse.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { finished, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classifyDecompressError } from '../../src/aci/decompress.js';
import { detectFileType } from '../../src/aci/detect.js';
import { dropChunk } from '../../src/aci/garbage.js';
import { xzWasmStream } from '../../src/aci/xz-stream.js';
import { anyDamageArbitrary, applyAnyDamage } from '../support/damage.js';
import { fixturePath } from '../support/paths.js';

const require = createRequire(import.meta.url);
const hasXz = spawnSync('xz', ['--version'], { stdio: 'ignore' }).status === 0;

function xz(args: readonly string[], input: Uint8Array): Uint8Array {
  const r = spawnSync('xz', ['-c', ...args], { input, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** What a decoder stream gave: every byte it delivered, and its failure (undefined: it ended). */
interface Outcome {
  readonly bytes: Buffer;
  readonly error: Error | undefined;
}

/** A Node stream of `bytes` in chunks of the given sizes (cycled), as a source would deliver them. */
function chunked(bytes: Uint8Array, sizes: readonly number[]): Readable {
  const chunks: Buffer[] = [];
  for (let o = 0, i = 0; o < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    chunks.push(Buffer.from(bytes.subarray(o, o + n)));
    o += n;
  }
  return Readable.from(chunks, { objectMode: false });
}

/** Reads `stream` to its end or failure, keeping what it had buffered when it failed (as feed-then-fail.ts does). */
function drain(stream: Readable): Promise<Outcome> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      parts.push(Buffer.from(chunk));
    };
    stream.on('data', onData);
    finished(stream, { writable: false }, (error) => {
      stream.off('data', onData);
      if (error) for (let c = stream.read() as Buffer | null; c !== null; c = stream.read() as Buffer | null) parts.push(Buffer.from(c));
      resolve({ bytes: Buffer.concat(parts), error: error ?? undefined });
    });
  });
}

/** The package's stream, as decompress.ts used it before xz-stream.ts. */
function packageStream(input: Readable): Readable {
  const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress');
  const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
  return Readable.fromWeb(new XzReadableStream(web) as unknown as import('node:stream/web').ReadableStream<Uint8Array>, { highWaterMark: 512 * 1024 });
}

/** How a failure is reported: the decoder's message and classifyDecompressError's verdict on the whole file. */
function verdict(error: Error | undefined, file: Uint8Array): string {
  if (error === undefined) return 'ok';
  const f = classifyDecompressError('xz', error, true, file.subarray(Math.max(0, file.length - 65536)), file.subarray(0, 512));
  return `${error.message} -> ${f.kind}: ${f.message}`;
}

/** Both decoders on the same bytes in the same chunks: their outcomes must be the same. */
async function assertSameAsPackage(file: Uint8Array, sizes: readonly number[]): Promise<void> {
  const theirs = await drain(packageStream(chunked(file, sizes)));
  const ours = xzWasmStream(chunked(file, sizes));
  assert.ok(ours !== undefined, 'the wasm module is available');
  const mine = await drain(ours);
  assert.equal(verdict(mine.error, file), verdict(theirs.error, file));
  assert.equal(mine.bytes.length, theirs.bytes.length, 'bytes delivered');
  assert.ok(mine.bytes.equals(theirs.bytes), 'the same bytes');
}

/** Payloads: text-like, random, zeros, and a tar of the fixtures. */
const payloads: Uint8Array[] = [
  new TextEncoder().encode('the quick brown fox jumps over the lazy dog\n'.repeat(4000)),
  new Uint8Array(Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 2654435761) >>> 24))),
  new Uint8Array(300_000),
  new Uint8Array(0),
];

/** The fixtures' xz images. */
const fixtureFiles: Uint8Array[] = readdirSync(fixturePath('aci'))
  .filter((f) => f.endsWith('.aci'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(fixturePath('aci', f))))
  .filter((b) => detectFileType(b) === 'xz');

/** Files in the ways xz can write a payload. */
function variants(payload: Uint8Array, other: Uint8Array): Uint8Array[] {
  const one = xz(['-6'], payload);
  return [
    one,
    xz(['-0', '--check=none'], payload),
    xz(['-1', '--check=crc32'], payload),
    xz(['--check=crc64'], payload),
    xz(['--check=sha256'], payload),
    xz(['--block-size=4096'], payload),
    xz(['--format=xz', '--lzma2=dict=128MiB'], payload.subarray(0, 4096)),
    concat(one, new Uint8Array(4)),
    concat(one, new Uint8Array(3)),
    concat(one, xz([], other)),
    concat(one, new Uint8Array(8), xz(['--check=none'], other)),
  ];
}

/** Chunk sizes a source may deliver: tiny, around the module's 64 KiB buffer, and 1 MiB file reads. */
const sizesArbitrary = fc.array(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 60_000, max: 70_000 }), fc.constant(1 << 20)), { minLength: 1, maxLength: 4 });

describe("the built-in xz stream gives the package stream's bytes and verdicts", { skip: !hasXz && 'xz is not installed (it makes the test files)' }, () => {
  const files = hasXz ? [...payloads.flatMap((p, i) => variants(p, payloads[(i + 1) % payloads.length]!)), ...fixtureFiles] : [];

  it('every variant and fixture, in 1 MiB chunks and in small ones', async () => {
    for (const file of files) {
      await assertSameAsPackage(file, [1 << 20]);
      await assertSameAsPackage(file, [7, 65_536, 100]);
    }
  });

  it('damaged files cut into chunks of any sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), fc.array(anyDamageArbitrary, { minLength: 1, maxLength: 3 }), sizesArbitrary, async (index, damages, sizes) => {
        await assertSameAsPackage(damages.reduce(applyAnyDamage, files[index]!), sizes);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the built-in xz stream: backpressure and reused memory', { skip: !hasXz && 'xz is not installed (it makes the test files)' }, () => {
  it('decodes only as far as its consumer reads, one piece at a time, and gives the same bytes', async () => {
    const zeros = new Uint8Array(32 << 20);
    const file = xz(['-6'], zeros);
    const stream = xzWasmStream(chunked(file, [1 << 20]));
    assert.ok(stream !== undefined);
    stream.pause();
    stream.read(0);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(stream.readableLength <= 512 * 1024, `${stream.readableLength} bytes decoded ahead of a consumer that reads nothing`);
    let total = 0;
    let nonZero = 0;
    for await (const chunk of stream) {
      const c = chunk as Buffer;
      // One piece at a time: the async iterator's read() takes everything buffered, so two pieces would come glued.
      assert.ok(c.length <= 256 * 1024, `a chunk of ${c.length} bytes`);
      total += c.length;
      if (c.some((b) => b !== 0)) nonZero++;
      dropChunk(c);
    }
    assert.equal(total, zeros.length);
    assert.equal(nonZero, 0);
  });

  it('a second stream while one is decoding uses the package stream, with the same bytes', async () => {
    const payload = payloads[0]!;
    const file = xz(['-6'], payload);
    const first = xzWasmStream(chunked(file, [1000]));
    assert.ok(first !== undefined);
    assert.equal(xzWasmStream(chunked(file, [1000])), undefined);
    const [a, b] = await Promise.all([drain(first), drain(packageStream(chunked(file, [1000])))]);
    assert.ok(a.bytes.equals(Buffer.from(payload)));
    assert.ok(b.bytes.equals(Buffer.from(payload)));
    const after = xzWasmStream(chunked(file, [1000]));
    assert.ok(after !== undefined, 'free again once the first has ended');
    assert.ok((await drain(after)).bytes.equals(Buffer.from(payload)));
  });

  it('destroying the stream stops the input and frees the decoder for the next one', async () => {
    const file = xz(['-6'], new Uint8Array(8 << 20));
    const input = chunked(file, [4096]);
    const stream = xzWasmStream(input);
    assert.ok(stream !== undefined);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(input.destroyed);
    const next = xzWasmStream(chunked(file, [1 << 20]));
    assert.ok(next !== undefined);
    assert.equal((await drain(next)).bytes.length, 8 << 20);
  });
});
