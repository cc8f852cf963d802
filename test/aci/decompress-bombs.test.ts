/**
 * Flat memory for every format (issue #10 item 6, A-CD-2): bzip2 and xz input decode with backpressure, by
 * the system tool (`bzip2 -dc`, `xz -dc`, used above 256 KiB of input) or the built-in decoder (always for
 * small inputs, or with APPC_DECOMPRESSOR=builtin), and both
 * give the same verdict on damaged streams. Bombs are concatenated streams of compressed zeros, made here
 * with the system tools (skipped visibly without them). Timeouts are safety nets only.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../../src/aci/tar/write-tar.js';
import { tempDir, TEST_MANIFEST } from '../support/aci-layout.js';
import { actoolPath, repoRoot } from '../support/paths.js';
import { runActool } from '../support/run-actool.js';

const tmp = tempDir('appc-bombs-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const DECODERS = ['system', 'builtin'] as const;
const MiB = 1024 * 1024;

const compress = (tool: 'bzip2' | 'xz', data: Uint8Array, level = '-9'): Buffer => {
  const r = spawnSync(tool, ['-c', level], { input: data, maxBuffer: 256 * MiB });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
};

const manifestBody = new TextEncoder().encode(TEST_MANIFEST);
const header = (name: string, type: 'file' | 'directory', size = 0): Uint8Array => encodeTarHeader({ name, type, mode: type === 'file' ? 0o644 : 0o755, uid: 0, gid: 0, mtime: 1_000_000, size });

/** A whole image tar whose rootfs holds one file of `size` random bytes. */
function tarWithRandomFile(size: number): Buffer {
  return Buffer.concat([
    header('manifest', 'file', manifestBody.length),
    manifestBody,
    new Uint8Array(padding(manifestBody.length)),
    header('rootfs', 'directory'),
    header('rootfs/r', 'file', size),
    randomBytes(size),
    new Uint8Array(padding(size)),
    END_OF_ARCHIVE,
  ]);
}

/**
 * The tar of a bomb up to the body of `rootfs/zeros` (`zeroBytes` long): the manifest, rootfs and 300 KB of random
 * bytes, which make the compressed file larger than the size up to which the built-in decoder is always used.
 */
function bombHead(zeroBytes: number): Buffer {
  const noise = randomBytes(300_000);
  return Buffer.concat([
    header('manifest', 'file', manifestBody.length),
    manifestBody,
    new Uint8Array(padding(manifestBody.length)),
    header('rootfs', 'directory'),
    header('rootfs/noise', 'file', noise.length),
    noise,
    new Uint8Array(padding(noise.length)),
    header('rootfs/zeros', 'file', zeroBytes),
  ]);
}

/**
 * An ACI with `rootfs/zeros` of `zeroBytes` (a multiple of 64 MiB), as concatenated streams of `tool`. A
 * random file first makes it larger than the size up to which the built-in decoder is always used, so the
 * default setting runs the system tool.
 */
function bomb(tool: 'bzip2' | 'xz', zeroBytes: number): string {
  const head = bombHead(zeroBytes);
  const zeros = compress(tool, new Uint8Array(64 * MiB), tool === 'xz' ? '-0' : '-9');
  const parts = [compress(tool, head)];
  for (let n = 0; n < zeroBytes / (64 * MiB); n++) parts.push(zeros);
  parts.push(compress(tool, END_OF_ARCHIVE));
  const file = join(tmp, `bomb-${zeroBytes}.${tool}.aci`);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

interface Verdict {
  readonly ok: boolean;
  readonly bytes: number;
  readonly codes: readonly string[];
  readonly maxRss: number;
}

/** validateAci in a fresh process (so its peak RSS is this file's alone), with the chosen decoder. */
function validateInChild(file: string, decoder: (typeof DECODERS)[number]): Promise<Verdict> {
  const script = `
    const { validateAci } = await import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'aci', 'validate-aci.js'))});
    const r = await validateAci(${JSON.stringify(file)});
    process.stdout.write(JSON.stringify({ ok: r.ok, bytes: r.bytes, codes: r.issues.map((i) => i.code), maxRss: process.resourceUsage().maxRSS * 1024 }));`;
  return new Promise((resolve, reject) => {
    const env = { ...process.env, APPC_DECOMPRESSOR: decoder === 'builtin' ? 'builtin' : '' };
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Verdict) : reject(new Error(`child exited ${code}: ${out}`))));
  });
}

for (const tool of ['bzip2', 'xz'] as const) {
  describe(`A-CD-2 ${tool} input in flat memory (#10 item 6)`, { skip: has(tool) ? false : `no ${tool} program to make the test archives` }, () => {
    for (const decoder of DECODERS) {
      // 1 GiB where the issue asks for it; smaller where the decoder is slow (memory is flat just as well).
      const size = tool === 'bzip2' ? (decoder === 'system' ? 1024 * MiB : 256 * MiB) : 512 * MiB;
      it(`a ${size / MiB} MiB ${tool} bomb validates under 300 MB RSS (${decoder} decoder)`, { timeout: 900_000 }, async (t) => {
        const v = await validateInChild(bomb(tool, size), decoder);
        assert.deepEqual(v.codes, []);
        assert.equal(v.ok, true);
        assert.ok(v.bytes > size, `read ${v.bytes} bytes`);
        assert.ok(v.maxRss < 300 * MiB, `peak RSS ${Math.round(v.maxRss / MiB)} MB`);
        t.diagnostic(`peak RSS ${Math.round(v.maxRss / MiB)} MB`);
      });
    }

    it(`damaged ${tool} streams are errors with either decoder`, { timeout: 300_000 }, async () => {
      const tar = tarWithRandomFile(300_000);
      const ok = compress(tool, tar);
      const corrupt = Buffer.from(ok);
      corrupt.writeUInt8(corrupt.readUInt8(corrupt.length >> 1) ^ 0x55, corrupt.length >> 1);
      const half = tar.length >> 1;
      const cases: { name: string; bytes: Buffer; ok: boolean; codes: readonly string[] }[] = [
        { name: 'whole', bytes: ok, ok: true, codes: [] },
        { name: 'two streams', bytes: Buffer.concat([compress(tool, tar.subarray(0, half)), compress(tool, tar.subarray(half))]), ok: true, codes: [] },
        { name: 'truncated', bytes: ok.subarray(0, ok.length - 100), ok: false, codes: ['ACI_TRUNCATED'] },
        { name: 'corrupt', bytes: corrupt, ok: false, codes: ['ACI_CORRUPT_COMPRESSION'] },
        // Which of the two codes depends on whether the tar end was parsed before the decoder failed.
        { name: 'garbage after the stream', bytes: Buffer.concat([ok, Buffer.from('garbage garbage garbage')]), ok: false, codes: ['ACI_CORRUPT_COMPRESSION', 'ACI_TRAILING_DATA'] },
      ];
      for (const c of cases) {
        const file = join(tmp, `${c.name}.${tool}.aci`);
        writeFileSync(file, c.bytes);
        for (const decoder of DECODERS) {
          const v = await validateInChild(file, decoder);
          assert.equal(v.ok, c.ok, `${c.name} (${decoder}): ${v.codes.join(', ')}`);
          if (!c.ok)
            assert.ok(
              v.codes.some((code) => c.codes.includes(code)),
              `${c.name} (${decoder}): ${v.codes.join(', ')}`,
            );
        }
      }
    });
  });
}

/** An ACI holding `rootfs/zeros` of `zeroBytes`, xz-compressed as one block whose header states its size. */
function oneBlockXzBomb(zeroBytes: number): string {
  const head = bombHead(zeroBytes);
  const tar = Buffer.concat([head, Buffer.alloc(zeroBytes), END_OF_ARCHIVE]);
  // Threaded compression writes the sizes into the block header, which is what lets a threaded decoder buffer the block.
  const r = spawnSync('xz', ['-c', '-0', '-T2', `--block-size=${tar.length}`], { input: tar, maxBuffer: 64 * MiB });
  assert.equal(r.status, 0, String(r.stderr));
  const file = join(tmp, `one-block-${zeroBytes}.xz.aci`);
  writeFileSync(file, r.stdout);
  return file;
}

/** Runs the CLI's validate under GNU time: the exit code and the peak RSS of the largest process (node or its xz child). */
function validateUnderTime(file: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; peakRss: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, actoolPath, 'validate', file], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  const lines = r.stderr.trim().split('\n');
  return { status: r.status, stdout: r.stdout, peakRss: Number(lines[lines.length - 1]) * 1024 };
}

describe('A-CD-2 the xz child in bounded memory', { skip: has('xz') ? false : 'no xz program to make the test archives' }, () => {
  it("a single xz block that claims 192 MiB decodes without holding the block (over the threads' memory limit)", {
    skip: existsSync('/usr/bin/time') ? false : 'no GNU time to measure the xz child',
  }, () => {
    const run = validateUnderTime(oneBlockXzBomb(192 * MiB));
    assert.equal(run.status, 0, run.stdout);
    // A threaded xz without our limit held the whole block (192 MiB and more); node's own peak is ~60-70 MB.
    assert.ok(run.peakRss < 128 * MiB, `peak RSS ${Math.round(run.peakRss / MiB)} MB`);
  });

  it('a dictionary of 64 MiB (xz -9) is read, one of 96 MiB is refused, with the same verdict from either decoder', { timeout: 120_000 }, async () => {
    // Over 256 KiB of input, so the system decoder reads it unless the built-in one is forced.
    const tar = tarWithRandomFile(400_000);
    for (const [dict, ok] of [
      ['64MiB', true],
      ['96MiB', false],
    ] as const) {
      const r = spawnSync('xz', ['-c', `--lzma2=preset=0,dict=${dict}`], { input: tar, maxBuffer: 64 * MiB });
      assert.equal(r.status, 0, String(r.stderr));
      const file = join(tmp, `dict-${dict}.xz.aci`);
      writeFileSync(file, r.stdout);
      const messages: string[] = [];
      for (const decoder of DECODERS) {
        const v = await validateInChild(file, decoder);
        assert.equal(v.ok, ok, `${dict} (${decoder}): ${v.codes.join(', ')}`);
        assert.deepEqual(v.codes, ok ? [] : ['ACI_CORRUPT_COMPRESSION'], `${dict} (${decoder})`);
        const cli = await runActool(['validate', file], { env: { APPC_DECOMPRESSOR: decoder === 'builtin' ? 'builtin' : '' } });
        messages.push(cli.stderr + cli.stdout);
      }
      assert.equal(messages[0], messages[1], `${dict}: both decoders say the same`);
      if (!ok) assert.match(messages[0]!, /needs a dictionary larger than 64 MiB/);
    }
  });
});
