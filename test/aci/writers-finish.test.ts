/**
 * Writers never hang (issue #10 item 5): every compressor finishes on incompressible input larger than its
 * blocks and buffers, on all cores and pinned to one; a failed or interrupted write prints one line naming
 * the output and leaves no temporary file. Timeouts here are safety nets only.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createCompressor } from '../../src/aci/compress.js';
import type { Compression } from '../../src/aci/detect.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../../src/aci/tar/write-tar.js';
import { tempDir, TEST_MANIFEST } from '../support/aci-layout.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { actoolPath } from '../support/paths.js';

const tmp = tempDir('appc-writers-');
after(() => rmSync(tmp, { recursive: true, force: true }));
// 8 MiB and an odd tail: more than the gzip writer's blocks in flight, and a last block that is not full.
const RANDOM = randomBytes(8 * 1024 * 1024 + 12_345);
const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const hasTaskset = has('taskset');
const SAFETY = { timeout: 180_000 };

/** Decompresses with the system tool (or zlib), independently of the library's readers. */
function decompress(compression: Compression, bytes: Buffer): Buffer {
  if (compression === 'none') return bytes;
  if (compression === 'gzip') return gunzipSync(bytes);
  const r = spawnSync(compression, ['-dc'], { input: bytes, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Runs actool, optionally pinned to CPU 0, and optionally signalled once `signalWhen` holds. */
function actool(args: readonly string[], options: { pinned?: boolean; signal?: NodeJS.Signals; signalWhen?: () => boolean } = {}): Promise<Run> {
  const argv = options.pinned ? ['taskset', '-c', '0', process.execPath, actoolPath, ...args] : [process.execPath, actoolPath, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let poll: NodeJS.Timeout | undefined;
    if (options.signal) {
      poll = setInterval(() => {
        if (options.signalWhen?.() !== false) {
          clearInterval(poll);
          child.kill(options.signal);
        }
      }, 10);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

function layoutWithRandomFile(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  writeFileSync(join(dir, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(dir, 'rootfs', 'random'), RANDOM);
  return dir;
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.tmp-'));

describe('writers finish on incompressible input (#10 item 5)', () => {
  const kinds: { compression: Compression; parallel?: boolean }[] = [{ compression: 'gzip' }, { compression: 'gzip', parallel: false }, { compression: 'none' }, { compression: 'xz' }];
  if (has('bzip2')) kinds.push({ compression: 'bzip2' });
  for (const { compression, parallel } of kinds) {
    it(`createCompressor(${compression}${parallel === false ? ', serial' : ''}) round-trips 8 MiB of random bytes written in uneven chunks`, SAFETY, async () => {
      const c = createCompressor(compression, parallel === false ? { parallel } : {});
      const file = join(tmp, `c-${compression}-${parallel ?? 'default'}`);
      const written = pipeline(c.output, createWriteStream(file));
      for (let o = 0; o < RANDOM.length; ) {
        const n = Math.min(RANDOM.length - o, 700_001);
        if (!c.input.write(RANDOM.subarray(o, o + n))) await new Promise((r) => c.input.once('drain', r));
        o += n;
      }
      c.input.end();
      await Promise.all([written, c.done]);
      assert.ok(decompress(compression, readFileSync(file)).equals(RANDOM));
    });
  }

  const layout = layoutWithRandomFile('random-layout');
  for (const pinned of hasTaskset ? [false, true] : [false]) {
    const where = pinned ? ' on one core (taskset -c 0)' : '';
    it(`A-BD-4 build with default gzip, then patch-manifest, finish${where}`, SAFETY, async () => {
      const built = join(tmp, `built-${pinned}.aci`);
      const b = await actool(['build', '--overwrite', layout, built], { pinned });
      assert.equal(b.code, 0, b.stderr);
      const patched = join(tmp, `patched-${pinned}.aci`);
      const p = await actool(['patch-manifest', '--overwrite', '--name=example.com/patched', built, patched], { pinned });
      assert.equal(p.code, 0, p.stderr);
      for (const f of [built, patched]) assert.equal((await validateAci(f)).ok, true, f);
      assert.deepEqual(leftovers(tmp), []);
    });

    it(`convert with default gzip finishes on a random layer${where}`, SAFETY, async () => {
      const header = encodeTarHeader({ name: 'random', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1_000_000, size: RANDOM.length });
      const layerTar = Buffer.concat([header, RANDOM, new Uint8Array(padding(RANDOM.length)), END_OF_ARCHIVE]);
      const oci = join(tmp, `oci-${pinned}`);
      writeOciLayout(oci, { layers: [{ tar: layerTar }] });
      const out = join(tmp, `converted-${pinned}.aci`);
      const r = await actool(['convert', '--name=example.com/random', oci, out], { pinned });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await validateAci(out)).ok, true);
    });
  }

  // bzip2 runs its segmented writer; xz is left out: its multi-threaded encoder writes nothing before the
  // whole 8 MiB block is compressed (seconds), and it shares the child-process compressor with bzip2.
  for (const compression of ['none', ...(has('bzip2') ? ['bzip2'] : [])]) {
    it(`ACI_WRITE_FAILED: a full file (RLIMIT_FSIZE) gives one line naming the output, exit 3, no temporary file (${compression})`, SAFETY, async (t) => {
      if (!has('bash')) return t.skip('needs bash for ulimit');
      const dir = join(tmp, `efbig-${compression}`);
      mkdirSync(dir);
      const out = join(dir, 'out.aci');
      const r = await new Promise<Run>((resolve) => {
        const child = spawn('bash', ['-c', 'ulimit -f 2048; exec "$0" "$@"', process.execPath, actoolPath, 'build', `--compression=${compression}`, layout, out], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('close', (code, signal) => resolve({ code, signal, stderr }));
      });
      assert.equal(r.code, 3);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^build: .*out\.aci: writing the archive failed: .*\[ACI_WRITE_FAILED\]\n$/);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  // xz is the slowest writer: the temporary file exists well before the build can finish. bzip2 spools its
  // segments next to the output (unlinked files, never seen in the directory).
  const signalled = [['SIGINT', 'xz'], ['SIGTERM', 'xz'], ...(has('bzip2') ? [['SIGINT', 'bzip2'] as const] : [])] as const;
  for (const [signal, compression] of signalled) {
    it(`${signal} during a build removes the temporary file and names the output${compression === 'xz' ? '' : ` (${compression})`}`, SAFETY, async () => {
      const dir = join(tmp, `sig-${signal}-${compression}`);
      mkdirSync(dir);
      const out = join(dir, 'out.aci');
      const r = await actool(['build', `--compression=${compression}`, layout, out], { signal, signalWhen: () => leftovers(dir).length > 0 });
      assert.equal(r.signal, signal);
      assert.match(r.stderr, new RegExp(`^interrupted by ${signal}: .*out\\.aci was not written`));
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(existsSync(out), false);
    });
  }

  it('image ID of the random build is the sha512 of its tar', SAFETY, async () => {
    const out = join(tmp, 'id.aci');
    const r = await actool(['build', '--compression=none', layout, out]);
    assert.equal(r.code, 0, r.stderr);
    const v = await validateAci(out);
    assert.equal(v.ok, true);
    assert.equal(v.imageId, 'sha512-' + createHash('sha512').update(readFileSync(out)).digest('hex'));
  });
});
