// Layers and the archive formats of exportOciImage (oci-archive, docker-archive) are written through the
// builder's archive output: a write failing (a layer, or mid-pack) is ACI_WRITE_FAILED naming the output and
// leaves neither the output nor the staging directory (an output being replaced stays as it was), and SIGINT or
// SIGTERM during a CLI export removes everything it had written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs, { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportOciImage } from '../../src/convert/export.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { incompressibleBytes, tempDir } from '../support/aci-layout.js';
import { actoolPath } from '../support/paths.js';
import { writeAci } from './export-support.js';

const tmp = tempDir('appc-export-archive-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const APP = { name: 'example.com/app', labels: [{ name: 'os', value: 'linux' }], app: { exec: ['/bin/app'], user: '0', group: '0' } };
// Incompressible and several MiB: the layer blob takes several writes of the pack.
const BIG = incompressibleBytes(3 << 20, 'export-archive').toString('latin1');
const aci = writeAci(join(tmp, 'big.aci'), APP, [{ dir: 'bin' }, { file: 'bin/app', content: BIG, mode: 0o755 }]);
// Larger for the interrupt: the export runs long enough after its staging directory appears to be signalled.
const HUGE = incompressibleBytes(24 << 20, 'export-interrupt').toString('latin1');

/** Makes every fs.writeSync from the `after`-th on fail with ENOSPC (the pack writes synchronously; layers do not). */
function failWritesAfter(afterCalls: number): { calls: () => number; restore(): void } {
  const original = fs.writeSync;
  let calls = 0;
  fs.writeSync = ((...args: Parameters<typeof fs.writeSync>) => {
    if (++calls > afterCalls) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (original as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  return {
    calls: () => calls,
    restore() {
      fs.writeSync = original;
      syncBuiltinESMExports();
    },
  };
}

describe('export archives: failures and interrupts leave nothing behind', () => {
  for (const format of ['oci-archive', 'docker-archive'] as const) {
    it(`a write failing mid-pack is ACI_WRITE_FAILED naming the output; no output, no staging directory (${format})`, async () => {
      const parent = join(tmp, `fail-${format}`);
      mkdirSync(parent);
      const out = join(parent, 'out.tar');
      const hook = failWritesAfter(1);
      try {
        await assert.rejects(exportOciImage(aci, { output: out, format }), (e: unknown) => isAppcError(e) && e.code === 'ACI_WRITE_FAILED' && e.file === out && /no space left/.test(e.message));
        assert.ok(hook.calls() > 1, 'the failure came after the pack had started writing');
      } finally {
        hook.restore();
      }
      assert.deepEqual(readdirSync(parent), []);
    });
  }

  it('a write of a layer failing is ACI_WRITE_FAILED naming the output (not the layer file); nothing is left', async () => {
    const parent = join(tmp, 'fail-layer');
    mkdirSync(parent);
    const out = join(parent, 'out.oci');
    // Layers are written on the thread pool (fs.write), the pack synchronously (fs.writeSync).
    const original = fs.write;
    fs.write = ((...args: unknown[]) => {
      const callback = args[args.length - 1] as (e: NodeJS.ErrnoException) => void;
      process.nextTick(() => callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })));
    }) as typeof fs.write;
    syncBuiltinESMExports();
    try {
      await assert.rejects(exportOciImage(aci, { output: out }), (e: unknown) => isAppcError(e) && e.code === 'ACI_WRITE_FAILED' && e.file === out && /no space left/.test(e.message));
    } finally {
      fs.write = original;
      syncBuiltinESMExports();
    }
    assert.deepEqual(readdirSync(parent), []);
  });

  it('with overwrite, a failed pack leaves the old output as it was; the next export replaces it', async () => {
    const parent = join(tmp, 'fail-overwrite');
    mkdirSync(parent);
    const out = join(parent, 'out.tar');
    writeFileSync(out, 'old');
    const hook = failWritesAfter(1);
    try {
      await assert.rejects(exportOciImage(aci, { output: out, format: 'docker-archive', overwrite: true }), (e: unknown) => isAppcError(e) && e.code === 'ACI_WRITE_FAILED');
    } finally {
      hook.restore();
    }
    assert.deepEqual(readdirSync(parent), ['out.tar']);
    assert.equal(readFileSync(out, 'latin1'), 'old');
    await exportOciImage(aci, { output: out, format: 'docker-archive', overwrite: true });
    assert.deepEqual(readdirSync(parent), ['out.tar']);
    assert.ok(readFileSync(out).length > BIG.length);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during actool export removes the staging directory and the archive's temporary file, naming the output once`, { timeout: 120_000 }, async () => {
      const parent = join(tmp, `signal-${signal}`);
      mkdirSync(parent);
      const out = join(parent, 'out.tar');
      const input = writeAci(join(tmp, `huge-${signal}.aci`), APP, [{ file: 'huge', content: HUGE }]);
      const child = spawn(process.execPath, [actoolPath, 'export', '--format=docker-archive', input, out], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
      // Signal as soon as the staging directory exists (if the export wins the race, its output must be whole).
      let sent = false;
      while (child.exitCode === null && child.signalCode === null && !sent) {
        if (readdirSync(parent).some((f) => f.includes('.export-'))) {
          child.kill(signal);
          sent = true;
        } else await new Promise((r) => setTimeout(r, 2));
      }
      const [code, got] = await closed;
      if (code === 0) {
        assert.deepEqual(readdirSync(parent), ['out.tar']);
        return;
      }
      assert.equal(got, signal, stderr);
      assert.deepEqual(readdirSync(parent), []);
      assert.equal(existsSync(out), false);
      assert.equal(stderr, `interrupted by ${signal}: ${out} was not written (its temporary file is removed)\n`);
    });
  }
});
