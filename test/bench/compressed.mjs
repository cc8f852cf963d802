// xz and bzip2 benchmarks (npm run bench): validate and build against the system tools' pipelines and the Go
// actool. Builds with these compressors are slow, so they run one round on a slice of the layout
// (COMPRESSED_BENCH_MB, default 64 MB of the big-file part). CPU times (user + sys, children included) are
// printed too: on a shared machine they say more than wall times about work saved or added. Peak RSS is
// the largest process of the command (for xz builds the compressor: `xz -6` needs ~94 MiB a thread), and our
// node process's own peak beside it, which the RSS target applies to.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchLayout } from './aci.mjs';
import { compare, goPeer, hasProgram, ours, sh, toolPeer } from './lib.mjs';

/** A smaller layout: the manifest and the first large files up to `mb`. */
function slice(layout, dir, mb) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'rootfs', 'big'), { recursive: true });
  cpSync(join(layout, 'manifest'), join(dir, 'manifest'));
  let total = 0;
  const names = readdirSync(join(layout, 'rootfs', 'big')).sort((a, b) => (a.split('-')[1] | 0) - (b.split('-')[1] | 0));
  // Take every kind: round-robin over the name prefixes.
  const kinds = new Map();
  for (const n of names) {
    const k = n.split('-')[0];
    if (!kinds.has(k)) kinds.set(k, []);
    kinds.get(k).push(n);
  }
  for (let i = 0; total < mb * 1e6; i++) {
    let added = false;
    for (const list of kinds.values()) {
      if (i < list.length && total < mb * 1e6) {
        cpSync(join(layout, 'rootfs', 'big', list[i]), join(dir, 'rootfs', 'big', list[i]));
        total += statSync(join(dir, 'rootfs', 'big', list[i])).size;
        added = true;
      }
    }
    if (!added) break;
  }
  return dir;
}

/** Prints the CPU seconds of a compare() result: ours and each peer's. */
function printCpu(work, result) {
  const peers = result.peers.filter((p) => !p.skip).map((p) => `${p.name} ${p.cpu.toFixed(2)} s`);
  console.log(`compressed: ${work}: CPU ours ${result.project.cpu.toFixed(2)} s; ${peers.join('; ')}`);
}

/** Adds a row and prints its CPU times. */
function addRow(table, work, result, targets) {
  printCpu(work, result);
  table.add(work, result, targets);
}

export async function run(table) {
  const { dir, layout, tarList } = benchLayout();
  const plain = join(dir, 'plain.aci');
  // The full layout's tar, compressed by the system tools: the input of the validate rows.
  spawnSync(process.execPath, ours('build', '--overwrite', '--compression=none', layout, plain).slice(1), { stdio: 'inherit' });
  const small = slice(layout, join(dir, 'slice'), Number(process.env.COMPRESSED_BENCH_MB ?? 64));
  const out = join(dir, 'compressed-out.aci');
  const peerOut = join(dir, 'compressed-peer.aci');
  for (const [tool, flags] of [
    ['xz', '-T0 -6'],
    ['bzip2', '-9'],
  ]) {
    if (!hasProgram(tool)) {
      console.log(`compressed: ${tool} rows skipped: ${tool} not found (the test data is made with it)`);
      continue;
    }
    const file = join(dir, `bench-${tool}.aci`);
    spawnSync('sh', ['-c', `${tool} -c ${flags} < '${plain}' > '${file}'`], { stdio: 'inherit' });
    addRow(
      table,
      `validate (${tool})`,
      compare({ project: ours('validate', file), ownRss: true, peers: [toolPeer(`${tool} -dc | sha512sum`, [tool, 'sha512sum'], sh(`${tool} -dc '${file}' | sha512sum`)), goPeer('validate', file)] }),
      { targets: { [`${tool} -dc | sha512sum`]: 1.0, 'Go actool': 1.0 }, rssTarget: 64 },
    );
    addRow(
      table,
      `build ${tool}, ${Number(process.env.COMPRESSED_BENCH_MB ?? 64)} MB`,
      compare({
        project: ours('build', '--overwrite', `--compression=${tool}`, small, out),
        ownRss: true,
        // The target peer compresses the same bytes in the same order as our build (names sorted, as Go's
        // build and the image ID require): xz's time depends on the order (GNU tar's directory order mixed this
        // layout's incompressible files among the others and xz -T0 took ~25% less time on it). The default
        // order is shown for reference.
        peers: [
          toolPeer(`tar --sort=name | ${tool} ${flags}`, ['tar', tool], sh(`tar -C '${small}' --sort=name -cf - ${tarList} | ${tool} -c ${flags} > '${peerOut}'`)),
          toolPeer(`tar -c | ${tool} ${flags}`, ['tar', tool], sh(`tar -C '${small}' -cf - ${tarList} | ${tool} -c ${flags} > '${peerOut}'`)),
        ],
        rounds: 1,
      }),
      { targets: { [`tar --sort=name | ${tool} ${flags}`]: 1.0 }, rssTarget: 64 },
    );
    rmSync(file, { force: true });
  }
  rmSync(small, { recursive: true, force: true });
}
