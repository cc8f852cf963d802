import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { bzip2DecodeStream } from '../../src/aci/bzip2-decode.js';
import { type Compressor, createCompressor } from '../../src/aci/compress.js';
import { compressFile, createProgramCompressor, type FileRun } from '../../src/aci/compress-child.js';
import { createSegmentedCompressor } from '../../src/aci/compress-segments.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { tempDir } from '../support/aci-layout.js';

/** The compiled sources (dist/src/aci), for a child process that runs them. */
const sourceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'aci');

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

/** A spool directory of the test's own, empty. */
const spoolRoot = tempDir('appc-spool-');
after(() => rmSync(spoolRoot, { recursive: true, force: true }));
let spools = 0;
const newSpoolDir = (): string => {
  const dir = join(spoolRoot, String(spools++));
  mkdirSync(dir);
  return dir;
};

const bzip2 = (i: number, o: number): FileRun => compressFile('bzip2', ['-c', '-9'], i, o);
const cat = (i: number, o: number): FileRun => compressFile('cat', [], i, o);

describe('segmented compression (bzip2 on several cores)', () => {
  it('keeps the segments in order whatever finishes first (cat as the compressor, 3 at once), leaving no file behind', async () => {
    const dir = newSpoolDir();
    const out = await run(createSegmentedCompressor(cat, 100_000, 3, dir), MIXED);
    assert.ok(out.equals(MIXED));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('gives a bzip2 file of concatenated streams that bzip2 and the built-in decoder read back', async () => {
    const out = await run(createSegmentedCompressor(bzip2, 250_000, 2, newSpoolDir()), MIXED);
    assert.ok(execFileSync('bzip2', ['-dc'], { input: out, maxBuffer: 1 << 26 }).equals(MIXED));
    const decoded: Buffer[] = [];
    for await (const c of bzip2DecodeStream(Readable.from([out]))) decoded.push(c as Buffer);
    assert.ok(Buffer.concat(decoded).equals(MIXED));
  });

  it('the bytes depend on the segment size only: 1, 2 or 3 at once give `bzip2 -c -9` of each segment, concatenated (what the in-memory writer of session 16 wrote)', async () => {
    const segment = 250_000;
    const pieces: Buffer[] = [];
    for (let o = 0; o < MIXED.length; o += segment) pieces.push(execFileSync('bzip2', ['-c', '-9'], { input: MIXED.subarray(o, o + segment) }));
    const expected = Buffer.concat(pieces);
    for (const parallel of [1, 2, 3]) {
      const out = await run(createSegmentedCompressor(bzip2, segment, parallel, newSpoolDir()), MIXED);
      assert.ok(out.equals(expected), `parallel ${parallel}`);
    }
  });

  it('allocates only the 64 KiB pieces of output it reads back: the input goes into the files uncopied (cat, 8 MiB in 1 MiB segments)', async () => {
    const data = Buffer.concat([randomBytes(4 << 20), Buffer.from('appc '.repeat(900_000)), randomBytes(123_457)]);
    const allocated: number[] = [];
    const originals = { allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow, alloc: Buffer.alloc };
    for (const name of ['allocUnsafe', 'allocUnsafeSlow', 'alloc'] as const) {
      const original = originals[name];
      (Buffer as unknown as Record<string, (size: number) => Buffer>)[name] = (size: number) => {
        // Not the small pooled ones, nor the test's own concatenation of the output.
        if (size >= 4096 && size <= 1 << 20) allocated.push(size);
        return (original as (size: number) => Buffer).call(Buffer, size);
      };
    }
    let out: Buffer;
    try {
      out = await run(createSegmentedCompressor(cat, 1 << 20, 2, newSpoolDir()), data, 1 << 20);
    } finally {
      Object.assign(Buffer, originals);
    }
    assert.ok(out.equals(data));
    assert.ok(
      allocated.every((n) => n === 64 << 10),
      `allocated ${allocated.filter((n) => n !== 64 << 10).join(', ')}`,
    );
    // One piece per 64 KiB of output, and one spare that read the end of a file.
    assert.ok(allocated.length <= Math.ceil(data.length / (64 << 10)) + 1, `${allocated.length} pieces`);
  });

  it('an empty input is one empty stream', async () => {
    const out = await run(createSegmentedCompressor(bzip2, 250_000, 2, newSpoolDir()), Buffer.alloc(0));
    assert.equal(execFileSync('bzip2', ['-dc'], { input: out }).length, 0);
  });

  it('a segment whose process fails fails the whole write (no hang), leaving no file behind', async () => {
    let n = 0;
    const dir = newSpoolDir();
    const c = createSegmentedCompressor((i, o) => (n++ === 1 ? compressFile('sh', ['-c', 'head -c 10 >/dev/null; exit 7'], i, o) : cat(i, o)), 100_000, 2, dir);
    await assert.rejects(run(c, MIXED), /exited with code 7|closed/);
    await assert.rejects(c.done, /sh exited with code 7/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a missing program is ACI_COMPRESSOR_MISSING', async () => {
    const c = createSegmentedCompressor((i, o) => compressFile('appc-no-such-bzip2', [], i, o), 100_000, 2, newSpoolDir());
    await assert.rejects(run(c, MIXED), (e: unknown) => isAppcError(e) && e.code === 'ACI_COMPRESSOR_MISSING');
  });

  it('a spool directory where no file can be made fails the write naming it (no hang)', async () => {
    const missing = join(newSpoolDir(), 'missing');
    const c = createSegmentedCompressor(cat, 100_000, 2, missing);
    await assert.rejects(run(c, MIXED), /closed|could not be created/);
    await assert.rejects(c.done, (e: unknown) => {
      assert.match(String(e), /the temporary file of a compressed segment in .*missing could not be created: no such file or directory/);
      return true;
    });
  });

  it('a spool file that cannot be written (RLIMIT_FSIZE) fails the write naming the directory, leaving no file behind', { timeout: 60_000 }, (t) => {
    if (spawnSync('bash', ['-c', 'true']).status !== 0) return t.skip('needs bash for ulimit');
    const dir = newSpoolDir();
    // A child node with a 1 MiB file size limit spools 2 MiB segments: the first write past 1 MiB fails (EFBIG).
    const script = `
      import { createSegmentedCompressor } from ${JSON.stringify(pathToFileURL(join(sourceDir, 'compress-segments.js')).href)};
      import { compressFile } from ${JSON.stringify(pathToFileURL(join(sourceDir, 'compress-child.js')).href)};
      const c = createSegmentedCompressor((i, o) => compressFile('cat', [], i, o), 2 << 20, 2, process.argv[1]);
      c.output.resume();
      c.output.on('error', () => {});
      c.input.end(Buffer.alloc(3 << 20, 1));
      c.done.then(() => console.log('done'), (e) => console.log(String(e)));
    `;
    const r = spawnSync('bash', ['-c', 'ulimit -f 1024; exec "$0" --input-type=module -e "$1" "$2"', process.execPath, script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the temporary file of a compressed segment in .* could not be written: EFBIG/);
    assert.deepEqual(readdirSync(dir), []);
  });

  /** Two segments of 100,000 bytes whose processes copy their input and then sleep; the processes it started. */
  function sleepingSegments(dir: string): { c: Compressor; children: FileRun[] } {
    const children: FileRun[] = [];
    const c = createSegmentedCompressor(
      (i, o) => {
        const k = compressFile('sh', ['-c', 'cat; exec sleep 30'], i, o);
        children.push(k);
        return k;
      },
      100_000,
      2,
      dir,
    );
    return { c, children };
  }

  it('destroying the input stops every process', async () => {
    const dir = newSpoolDir();
    const { c, children } = sleepingSegments(dir);
    c.output.on('error', () => {});
    c.input.write(MIXED.subarray(0, 250_000));
    await new Promise((r) => setTimeout(r, 50));
    c.input.destroy();
    await assert.rejects(c.done);
    // Each process has ended, killed while it slept.
    const ends = await Promise.allSettled(children.map((k) => k.done));
    assert.equal(children.length, 2);
    for (const end of ends) assert.match(String((end as PromiseRejectedResult).reason), /killed by SIGTERM/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('destroying the output (a discarded write) stops every process', async () => {
    const { c, children } = sleepingSegments(newSpoolDir());
    c.input.on('error', () => {});
    c.input.write(MIXED.subarray(0, 250_000));
    await new Promise((r) => setTimeout(r, 50));
    c.output.destroy();
    await assert.rejects(c.done, /closed before its end/);
    const ends = await Promise.allSettled(children.map((k) => k.done));
    assert.equal(children.length, 2);
    for (const end of ends) assert.match(String((end as PromiseRejectedResult).reason), /killed by SIGTERM/);
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
