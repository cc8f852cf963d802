/**
 * Sized gzip members (src/aci/gzip-members.ts): the writer's output is plain multi-member gzip whose member
 * chain the parallel reader can walk, and the parallel reader (decompress-gzip-members.ts) gives exactly the
 * bytes and the verdict of the serial decoder, on valid files and on damaged ones (a property over random
 * archives and damage: flips, cuts, lying lengths, garbage or zeros between members, foreign members).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ArchiveError } from '../../src/aci/archive-codes.js';
import { createCompressor } from '../../src/aci/compress.js';
import { openGzipMembers } from '../../src/aci/decompress-gzip-members.js';
import { sizedMemberLength } from '../../src/aci/gzip-members.js';
import { openArchive } from '../../src/aci/open-archive.js';
import type { AciSource } from '../../src/aci/source.js';

const dir = mkdtempSync(join(tmpdir(), 'gzip-members-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
function tempFile(bytes: Uint8Array): string {
  const path = join(dir, `${fileCount++}.gz`);
  writeFileSync(path, bytes);
  return path;
}

/** An independent sized-member writer (as test/tools/make-gzip-member-fixtures.mjs): `claim` overrides the length field. */
function member(data: Uint8Array, claim?: number): Buffer {
  const body = deflateRawSync(data, { level: 6 });
  const h = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, 8, 0, 0x41, 0x43, 4, 0, 0, 0, 0, 0]);
  h.writeUInt32LE(claim ?? 20 + body.length + 8, 16);
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc32(data) >>> 0, 0);
  t.writeUInt32LE(data.length, 4);
  return Buffer.concat([h, body, t]);
}

/**
 * What a reader made of a file: its bytes' sha512 and length, or the code it failed with. `queueAhead: false`
 * reads as extract does (one member inflating while the consumer works on the last).
 */
async function readThrough(source: AciSource, queueAhead = true): Promise<string> {
  let archive;
  try {
    archive = await openArchive(source, { queueAhead });
  } catch (e) {
    if (e instanceof ArchiveError) return e.code;
    throw e;
  }
  const hash = createHash('sha512');
  try {
    for await (const _ of archive.chunks(() => false, hash)) void _;
    return `ok ${archive.bytes} ${hash.digest('hex').slice(0, 32)}`;
  } catch (e) {
    if (e instanceof ArchiveError) return e.code;
    throw e;
  } finally {
    archive.close();
  }
}

/** The same bytes read serially: a stream source, which never takes the parallel path. */
async function* serially(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('sized gzip members: the writer', () => {
  it('writes plain multi-member gzip whose length fields chain exactly to the end of the file', async () => {
    const input = Buffer.alloc(3 * (1 << 20) + 12345);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7 + (i >> 11)) & 0xff;
    const c = createCompressor('gzip');
    const out = collect(c.output);
    c.input.end(input);
    const gz = await out;
    assert.ok(gunzipSync(gz).equals(input), 'any gzip reader reads it');
    let p = 0;
    let members = 0;
    while (p < gz.length) {
      const n = sizedMemberLength(gz.subarray(p, p + 20));
      assert.ok(n !== undefined, `a sized member at ${p}`);
      p += n;
      members++;
    }
    assert.equal(p, gz.length);
    assert.equal(members, 4);
  });

  it('writes one empty member for empty input', async () => {
    const c = createCompressor('gzip');
    const out = collect(c.output);
    c.input.end();
    const gz = await out;
    assert.equal(gunzipSync(gz).length, 0);
    assert.equal(sizedMemberLength(gz), gz.length);
  });
});

describe("sized gzip members: the parallel reader gives the serial decoder's bytes and verdict", () => {
  it('takes the parallel path for sized members in a file, and only then', () => {
    const sized = tempFile(member(Buffer.from('hello')));
    const foreign = tempFile(gzipSync(Buffer.from('hello')));
    const opened = openGzipMembers(sized);
    assert.ok(opened !== undefined);
    opened.close();
    assert.equal(openGzipMembers(foreign), undefined);
  });

  it('reads a file of many members as the serial decoder does', async () => {
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i++) data[i] = (i % 251) ^ (i >> 9);
    const gz = Buffer.concat(Array.from({ length: Math.ceil(data.length / 3000) }, (_, i) => member(data.subarray(i * 3000, (i + 1) * 3000))));
    const parallel = await readThrough(tempFile(gz));
    assert.equal(parallel, await readThrough(serially(gz)));
    assert.equal(await readThrough(tempFile(gz), false), parallel);
    assert.match(parallel, /^ok 200000 /);
  });

  const damage = fc.oneof(
    fc.record({ kind: fc.constant('none' as const) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('lie' as const), member: fc.nat(), delta: fc.integer({ min: -64, max: 64 }) }),
    fc.record({ kind: fc.constant('between' as const), member: fc.nat(), bytes: fc.constantFrom('zeros', 'garbage', 'magic') }),
    fc.record({ kind: fc.constant('foreign' as const), member: fc.nat() }),
    fc.record({ kind: fc.constant('trailing' as const), bytes: fc.constantFrom('zeros', 'garbage') }),
  );
  const content = fc.record({
    size: fc.integer({ min: 0, max: 40_000 }),
    block: fc.integer({ min: 64, max: 8192 }),
    seed: fc.integer({ min: 0, max: 1000 }),
    random: fc.boolean(),
  });

  it('property: same bytes and same verdict on random sized-member files, damaged or not', async () => {
    await fc.assert(
      fc.asyncProperty(content, damage, async (c, d) => {
        const data = Buffer.alloc(c.size);
        let x = c.seed + 1;
        for (let i = 0; i < data.length; i++) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          data[i] = c.random ? x >> 16 : 97 + ((x >> 20) % 5);
        }
        const blocks: Buffer[] = [];
        for (let o = 0; o < data.length || blocks.length === 0; o += c.block) blocks.push(data.subarray(o, o + c.block));
        const members = blocks.map((b) => member(b));
        const m = d.kind === 'lie' || d.kind === 'between' || d.kind === 'foreign' ? d.member % members.length : 0;
        if (d.kind === 'lie') members[m] = member(blocks[m]!, Math.max(0, members[m]!.length + d.delta));
        if (d.kind === 'foreign') members[m] = gzipSync(blocks[m]!);
        if (d.kind === 'between') members.splice(m, 0, d.bytes === 'zeros' ? Buffer.alloc(9) : d.bytes === 'garbage' ? Buffer.from('GARBAGE') : Buffer.from([0x1f, 0x8b, 8, 0]));
        if (d.kind === 'trailing') members.push(d.bytes === 'zeros' ? Buffer.alloc(9) : Buffer.from('GARBAGE'));
        let gz = Buffer.concat(members);
        if (d.kind === 'flip') {
          gz = Buffer.from(gz);
          const at = Math.min(gz.length - 1, Math.floor(d.at * gz.length));
          gz[at]! ^= d.value;
        }
        if (d.kind === 'cut') gz = gz.subarray(0, Math.floor(d.at * gz.length));
        const serial = await readThrough(serially(gz));
        const file = tempFile(gz);
        assert.equal(await readThrough(file), serial, `damage ${JSON.stringify(d)}`);
        assert.equal(await readThrough(file, false), serial, `damage ${JSON.stringify(d)}, one member in flight`);
      }),
      { numRuns: 300 },
    );
  });
});
