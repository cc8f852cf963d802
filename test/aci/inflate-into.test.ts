/**
 * inflateInto (aci/inflate-into.ts) gives gunzip()'s bytes and verdicts: the same output, the same compressed
 * byte count, and a failure where gunzip() fails (damaged input, output over the limit), whether the output
 * fits the memory it is given or not; and that memory is reused only through dropChunk (markRecyclable).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { boundGarbage, dropChunk, markRecyclable } from '../../src/aci/garbage.js';
import { inflateInto } from '../../src/aci/inflate-into.js';

type Outcome = { readonly bytes: string; readonly consumed: number } | 'fails';

function viaGunzip(input: Uint8Array, maxOutput: number): Promise<Outcome> {
  return new Promise((resolve) => {
    gunzip(input, { info: true, maxOutputLength: maxOutput }, (err, r) => {
      const info = r as unknown as { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
      if (err || !info) return resolve('fails');
      resolve({ bytes: info.buffer.toString('base64'), consumed: info.engine.bytesWritten });
    });
  });
}

function viaInflateInto(input: Uint8Array, memory: ArrayBuffer, maxOutput: number): Promise<{ outcome: Outcome; inMemory: boolean }> {
  return new Promise((resolve) => {
    const started = inflateInto(input, memory, maxOutput, (out, consumed) => {
      if (out === undefined) return resolve({ outcome: 'fails', inMemory: false });
      resolve({ outcome: { bytes: out.toString('base64'), consumed }, inMemory: out.buffer === memory && out.byteOffset === 0 });
    });
    assert.ok(started, 'this Node lets zlib write into the given memory');
  });
}

describe('inflateInto', () => {
  it('writes an output that fits into the given memory, and a larger one elsewhere', async () => {
    const data = Buffer.from('appc '.repeat(10_000));
    const memory = new ArrayBuffer(64 << 10);
    const fits = await viaInflateInto(gzipSync(data), memory, 1 << 20);
    assert.deepEqual(fits.outcome, { bytes: data.toString('base64'), consumed: gzipSync(data).length });
    assert.ok(fits.inMemory);
    const big = Buffer.from('x'.repeat(200_000));
    const larger = await viaInflateInto(gzipSync(big), memory, 1 << 20);
    assert.deepEqual(larger.outcome, await viaGunzip(gzipSync(big), 1 << 20));
    assert.ok(!larger.inMemory);
  });

  it("property: gunzip()'s bytes, byte count and failures on random, multi-member and damaged input", async () => {
    const input = fc.record({
      parts: fc.array(fc.record({ size: fc.integer({ min: 0, max: 100_000 }), seed: fc.nat(), random: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      damage: fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
        fc.record({ kind: fc.constant('trailing' as const), bytes: fc.constantFrom('zeros', 'garbage') }),
      ),
      memory: fc.constantFrom(1 << 10, 64 << 10, (1 << 20) + (64 << 10)),
      maxOutput: fc.constantFrom(50_000, 4 << 20),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ parts, damage, memory, maxOutput }) => {
        const members = parts.map(({ size, seed, random }) => {
          const data = Buffer.alloc(size);
          let x = seed + 1;
          for (let i = 0; i < size; i++) {
            x = (x * 1103515245 + 12345) & 0x7fffffff;
            data[i] = random ? x >> 16 : 97 + ((x >> 20) % 5);
          }
          return gzipSync(data);
        });
        let bytes = Buffer.concat(members);
        if (damage.kind === 'flip') {
          const at = Math.min(bytes.length - 1, Math.floor(damage.at * bytes.length));
          bytes[at]! ^= damage.value;
        }
        if (damage.kind === 'cut') bytes = bytes.subarray(0, Math.floor(damage.at * bytes.length));
        if (damage.kind === 'trailing') bytes = Buffer.concat([bytes, damage.bytes === 'zeros' ? Buffer.alloc(9) : Buffer.from('GARBAGE')]);
        const got = await viaInflateInto(bytes, new ArrayBuffer(memory), maxOutput);
        assert.deepEqual(got.outcome, await viaGunzip(bytes, maxOutput), JSON.stringify({ damage, memory, maxOutput }));
      }),
      { numRuns: 200 },
    );
  });
});

describe('dropChunk on a recyclable chunk', () => {
  it('hands the memory back as it was, every old view emptied', () => {
    const chunk = Buffer.from(new ArrayBuffer(1 << 16)).fill(7);
    const back: ArrayBuffer[] = [];
    boundGarbage(true);
    try {
      markRecyclable(chunk, (memory) => back.push(memory));
      dropChunk(chunk);
    } finally {
      boundGarbage(false);
    }
    assert.equal(back.length, 1);
    assert.equal(chunk.length, 0, 'the old view is detached');
    assert.equal(back[0]!.byteLength, 1 << 16);
    assert.equal(new Uint8Array(back[0]!)[1234], 7, 'the memory is handed back as it was');
  });
});
