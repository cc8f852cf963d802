// Peak RSS at any archive size (npm run bench): one `actool validate` of a gzip ACI holding a ~1 GB tar, measured
// once against `gzip -dc | sha512sum` and the Go actool. The tar is mostly sparse zero-filled files (no disk
// space, and gzip -1 packs them ~1000:1, so the ACI is a few MB) plus some random bytes; decompression then
// outruns everything after it, which is what tests that memory stays flat (backpressure) rather than speed.
// LARGE_BENCH_MB sets the tar size (default 1024).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { LAYOUT_MANIFEST } from './layout.mjs';
import { benchDir, compare, goPeer, hasProgram, ours, sh, toolPeer } from './lib.mjs';

const MB = 1e6;

export async function run(table) {
  const sizeMB = Number(process.env.LARGE_BENCH_MB ?? 1024);
  const work = `validate (gzip), ${sizeMB >= 1000 ? `${(sizeMB / 1000).toFixed(1)} GB` : `${sizeMB} MB`} tar, once`;
  if (!hasProgram('tar') || !hasProgram('gzip')) {
    table.skip(work, 'tar and gzip make the test data; not found');
    return;
  }
  const dir = join(benchDir, 'large');
  const layout = join(dir, 'layout');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(layout, 'rootfs', 'data'), { recursive: true });
  writeFileSync(join(layout, 'manifest'), LAYOUT_MANIFEST);
  const randomMB = Math.min(32, sizeMB / 8);
  const fd = openSync(join(layout, 'rootfs', 'data', 'random'), 'w');
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < randomMB; i++) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
  const parts = 4;
  for (let i = 0; i < parts; i++) {
    const f = join(layout, 'rootfs', 'data', `zeros-${i}`);
    writeFileSync(f, '');
    truncateSync(f, Math.floor(((sizeMB - randomMB) * MB) / parts));
  }
  const aci = join(dir, 'large.aci');
  const made = spawnSync('sh', ['-c', `tar -C '${layout}' -cf - manifest rootfs | gzip -1 > '${aci}'`], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('large: making the test ACI failed');
  table.add(
    work,
    compare({
      project: ours('validate', aci),
      peers: [toolPeer('gzip -dc | sha512sum', ['gzip', 'sha512sum'], sh(`gzip -dc '${aci}' | sha512sum`)), goPeer('validate', aci)],
      rounds: 1,
    }),
    { rssTarget: 64 },
  );
  rmSync(dir, { recursive: true, force: true });
}
