// Export benchmark (npm run bench, or node test/bench/run.mjs export): generates a layout of mixed files into
// .bench/export (not committed), builds it into a gzip ACI with `actool build`, then times `actool export` of
// that ACI to an OCI layout and to a docker-archive against `actool build` of the same tree, in alternating rounds,
// and adds a row for each to the bench table (target: export within 1.2x the build; peak RSS shows memory stays
// flat, as the export streams). Set EXPORT_BENCH_MB to change the size (default 256).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeLayout } from './layout.mjs';
import { benchDir, compare, ours } from './lib.mjs';

const work = join(benchDir, 'export');
const MB = 1e6;
const MANIFEST = JSON.stringify({
  acKind: 'ImageManifest',
  acVersion: '0.8.11',
  name: 'example.com/bench',
  labels: [
    { name: 'version', value: '1.0.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ],
  app: { exec: ['/bin/app'], user: '0', group: '0' },
});

export async function run(table) {
  const sizeMB = Number(process.env.EXPORT_BENCH_MB ?? 256);
  mkdirSync(work, { recursive: true });
  const layout = join(work, 'layout');
  const aci = join(work, 'bench.aci');
  const gen = makeLayout(layout, sizeMB, MANIFEST);
  console.log(`export: ${(gen.bytes / MB).toFixed(0)} MB layout in ${gen.smallFiles + gen.largeFiles} files`);
  const build = ours('build', '--overwrite', layout, aci);
  // One set of rounds: the build first (it makes the ACI the exports read), then both exports.
  const r = compare({
    project: build,
    peers: [
      { name: 'OCI', argv: ours('export', '--overwrite', aci, join(work, 'out.oci')) },
      { name: 'docker', argv: ours('export', '--overwrite', '--format=docker-archive', aci, join(work, 'out.tar')) },
    ],
  });
  const [oci, docker] = r.peers;
  const buildPeer = { ...r.project, name: 'actool build (same tree)' };
  const target = { targets: { 'actool build (same tree)': 1.2 } };
  table.add('export -> OCI layout (gzip ACI)', { project: oci, peers: [buildPeer] }, target);
  table.add('export -> docker-archive', { project: docker, peers: [buildPeer] }, target);
}
