/**
 * Small bzip2 and xz archives held in memory are decoded in one synchronous step (scan.ts scanInMemory with
 * bzip2DecodeWhole / xzDecodeWhole) instead of through the decoder streams, and gzip ones into reused memory
 * (gunzipInto, pinned to gunzipSync below). Pinned here: every reader gives on
 * the bytes exactly what it gives on the same bytes as a stream source (which always takes the streaming
 * decoders), whole outcomes, for intact, padded, concatenated, multi-block and damaged archives (cuts, flipped
 * bits, bytes after the end), with and without a maxTotalBytes limit; and both paths run, so the test is not
 * vacuous.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { detectFileType } from '../../src/aci/detect.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { bzip2DecodeWhole } from '../../src/aci/bzip2-decode.js';
import { WholeOutput } from '../../src/aci/whole-output.js';
import { gunzipInto } from '../../src/aci/gunzip-whole.js';
import { xzDecodeWhole } from '../../src/aci/xz-whole.js';
import type { AciSource } from '../../src/aci/source.js';
import { anyDamageArbitrary, applyAnyDamage } from '../support/damage.js';
import { fixturePath } from '../support/paths.js';
import { outcome, readerOutcomes } from '../support/reader-outcomes.js';

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

/** The uncompressed tars of the gzip and plain fixture images: valid ones and every kind of broken tar. */
const tars: Uint8Array[] = readdirSync(fixturePath('aci'))
  .filter((f) => f.endsWith('.aci'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(fixturePath('aci', f))))
  .flatMap((b) => {
    const type = detectFileType(b);
    if (type === 'tar') return [b];
    if (type !== 'gzip') return [];
    try {
      return [new Uint8Array(gunzipSync(b))];
    } catch {
      return [];
    }
  });

function run(tool: string, args: readonly string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(tool, args, { input, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Archives of one tar in the ways a file may hold it: levels, checks, blocks, padding, several streams. */
function variants(tool: 'bzip2' | 'xz', tar: Uint8Array, other: Uint8Array): Uint8Array[] {
  if (tool === 'bzip2') {
    const one = run('bzip2', ['-c', '-9'], tar);
    return [one, run('bzip2', ['-c', '-1'], tar), concat(one, run('bzip2', ['-c'], other)), concat(run('bzip2', ['-c'], tar.subarray(0, 1024)), run('bzip2', ['-c'], tar.subarray(1024)))];
  }
  const one = run('xz', ['-c', '-6'], tar);
  return [
    one,
    run('xz', ['-c', '-0', '--check=none'], tar),
    run('xz', ['-c', '--check=crc32'], tar),
    run('xz', ['-c', '--check=sha256'], tar),
    run('xz', ['-c', '--block-size=1024'], tar),
    concat(one, new Uint8Array(4)),
    concat(one, run('xz', ['-c'], other)),
    concat(run('xz', ['-c'], tar.subarray(0, 1024)), run('xz', ['-c'], tar.subarray(1024))),
  ];
}

/** The same bytes as a stream source, cut as the in-memory source cuts them: never decoded in memory. */
async function* asStream(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
}

/** Every reader's outcome, and validate's under `maxTotalBytes`. */
async function outcomes(source: () => AciSource, maxTotalBytes: number): Promise<string[]> {
  return [...(await readerOutcomes(source, { manifest: true })), await outcome(() => validateAci(source(), { maxTotalBytes }))];
}

for (const tool of ['bzip2', 'xz'] as const) {
  describe(`${tool} archives in memory: decoded in one step, the same outcomes as the stream`, { skip: !has(tool) && `${tool} is not installed` }, () => {
    const archives = has(tool) ? tars.flatMap((tar, i) => variants(tool, tar, tars[(i + 1) % tars.length]!)) : [];

    it('intact archives: the in-memory decoder succeeds and every reader agrees with the stream', async () => {
      let decodedInMemory = 0;
      for (const archive of archives) {
        const whole = new WholeOutput(1 << 20);
        if ((tool === 'bzip2' ? bzip2DecodeWhole : xzDecodeWhole)(archive, whole)) decodedInMemory++;
        whole.release();
        assert.deepEqual(await outcomes(() => archive, 1 << 20), await outcomes(() => asStream(archive), 1 << 20));
      }
      // Most variants decode in one step (not the ones the stream refuses, such as a second xz stream).
      assert.ok(decodedInMemory >= archives.length / 2, `${decodedInMemory} of ${archives.length}`);
    });

    it('damaged archives and size limits: every reader agrees with the stream', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(archives.length - 1), fc.array(anyDamageArbitrary, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 40_000 }), async (index, damages, limit) => {
          const bytes = damages.reduce(applyAnyDamage, archives[index]!);
          assert.deepEqual(await outcomes(() => bytes, limit), await outcomes(() => asStream(bytes), limit));
        }),
        { numRuns: 100 },
      );
    });

    it('the output limit: a decode that would pass it says so and leaves the stream to decide', () => {
      const archive = archives[0]!;
      const whole = new WholeOutput(100);
      assert.equal((tool === 'bzip2' ? bzip2DecodeWhole : xzDecodeWhole)(archive, whole), false);
      assert.ok(whole.length <= 100);
      whole.release();
    });
  });
}

describe('gunzipInto: gunzipSync with its output in memory the caller reuses', () => {
  /** What a one-shot gunzip gives: the bytes, or the error's code and message. */
  const result = (decode: () => Uint8Array): string => {
    try {
      return Buffer.from(decode()).toString('base64');
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return `throws ${err.code} ${err.message}`;
    }
  };
  const archives = tars.flatMap((tar, i) => {
    const one = new Uint8Array(gzipSync(tar));
    return [one, new Uint8Array(gzipSync(tar, { level: 1 })), concat(one, new Uint8Array(gzipSync(tars[(i + 1) % tars.length]!))), concat(one, new Uint8Array(8))];
  });

  it('the same bytes as gunzipSync, or a failure where it fails, on intact and damaged archives, under every output limit, in memory of any size', () => {
    fc.assert(
      fc.property(
        fc.nat(archives.length - 1),
        fc.array(anyDamageArbitrary, { maxLength: 3 }),
        fc.integer({ min: 0, max: 40_000 }),
        fc.constantFrom(64, 1000, 4096, 65536, 1 << 20),
        (index, damages, limit, size) => {
          const bytes = damages.reduce(applyAnyDamage, archives[index]!);
          const memory = new ArrayBuffer(size);
          const into = result(() => gunzipInto(bytes, memory, limit));
          const sync = result(() => gunzipSync(bytes, { maxOutputLength: limit }));
          // Which error comes first (the output limit or damage found later) depends on the output buffer's size;
          // the in-memory scan only asks whether it threw.
          if (into.startsWith('throws') || sync.startsWith('throws')) assert.equal(into.startsWith('throws') && sync.startsWith('throws'), true, `${into.slice(0, 80)} / ${sync.slice(0, 80)}`);
          else assert.equal(into, sync);
          if (!into.startsWith('throws')) {
            const out = gunzipInto(bytes, memory, limit);
            // Output that fits is a view of the memory given, from its start.
            if (out.length > 0 && out.length <= size) assert.equal(out.buffer, memory);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
