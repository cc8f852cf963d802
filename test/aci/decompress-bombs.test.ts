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
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../../src/aci/tar/write-tar.js';
import { tempDir, TEST_MANIFEST } from '../support/aci-layout.js';
import { repoRoot } from '../support/paths.js';

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

/**
 * An ACI with `rootfs/zeros` of `zeroBytes` (a multiple of 64 MiB), as concatenated streams of `tool`. A
 * random file first makes it larger than the size up to which the built-in decoder is always used, so the
 * default setting runs the system tool.
 */
function bomb(tool: 'bzip2' | 'xz', zeroBytes: number): string {
  const noise = randomBytes(300_000);
  const head = Buffer.concat([
    header('manifest', 'file', manifestBody.length),
    manifestBody,
    new Uint8Array(padding(manifestBody.length)),
    header('rootfs', 'directory'),
    header('rootfs/noise', 'file', noise.length),
    noise,
    new Uint8Array(padding(noise.length)),
    header('rootfs/zeros', 'file', zeroBytes),
  ]);
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
      const tar = Buffer.concat([
        header('manifest', 'file', manifestBody.length),
        manifestBody,
        new Uint8Array(padding(manifestBody.length)),
        header('rootfs', 'directory'),
        header('rootfs/r', 'file', 300_000),
        randomBytes(300_000),
        new Uint8Array(padding(300_000)),
        END_OF_ARCHIVE,
      ]);
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
