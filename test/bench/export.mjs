// Export benchmark (npm run bench, or node test/bench/export.mjs): generates a layout of mixed files into
// .bench/export (not committed), builds it into a gzip ACI with `actool build`, then times `actool export` of
// that ACI to an OCI layout and to a docker-archive, and prints the throughput ratio export/build of the same
// tree (target <= 1.2x) with the peak RSS of each (memory must stay flat: the export streams). Set
// EXPORT_BENCH_MB to change the size (default 256).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLayout } from './layout.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(root, '.bench', 'export');
const actool = join(root, 'dist', 'bundle', 'actool.cjs');
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

/** Runs a command under /usr/bin/time: wall seconds and peak RSS (MB). */
function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', process.execPath, actool, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m || r.status !== 0) throw new Error(`actool ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), rssMB: Number(m[2]) / 1024, cpu: Number(m[3]) + Number(m[4]) };
}

export async function run() {
  const sizeMB = Number(process.env.EXPORT_BENCH_MB ?? 256);
  mkdirSync(work, { recursive: true });
  const layout = join(work, 'layout');
  const aci = join(work, 'bench.aci');
  console.log(`export: generating a ${sizeMB} MB layout in ${layout} ...`);
  const gen = makeLayout(layout, sizeMB, MANIFEST);
  console.log(`export: ${(gen.bytes / MB).toFixed(0)} MB in ${gen.smallFiles + gen.largeFiles} files`);
  let build;
  let oci;
  let docker;
  // Best of 3, interleaved, so load on the machine hits both sides alike.
  for (let i = 0; i < 3; i++) {
    const b = timed(['build', '--overwrite', layout, aci]);
    const o = timed(['export', '--overwrite', aci, join(work, 'out.oci')]);
    const d = timed(['export', '--overwrite', '--format=docker-archive', aci, join(work, 'out.tar')]);
    if (!build || b.wall < build.wall) build = b;
    if (!oci || o.wall < oci.wall) oci = o;
    if (!docker || d.wall < docker.wall) docker = d;
  }
  const rate = (r) => `${(gen.bytes / MB / r.wall).toFixed(0)} MB/s, ${r.cpu.toFixed(2)} s CPU`;
  console.log(`export: actool build (gzip ACI) of the tree: ${build.wall.toFixed(2)} s (${rate(build)}), peak RSS ${build.rssMB.toFixed(0)} MB`);
  console.log(
    `export: actool export -> OCI layout: ${oci.wall.toFixed(2)} s (${rate(oci)}), peak RSS ${oci.rssMB.toFixed(0)} MB; ratio export/build ${(oci.wall / build.wall).toFixed(2)}x (target <= 1.2x) ${oci.wall / build.wall <= 1.2 ? 'OK' : 'OVER'}, CPU ratio ${(oci.cpu / build.cpu).toFixed(2)}x`,
  );
  console.log(
    `export: actool export -> docker-archive: ${docker.wall.toFixed(2)} s (${rate(docker)}), peak RSS ${docker.rssMB.toFixed(0)} MB; ratio export/build ${(docker.wall / build.wall).toFixed(2)}x, CPU ratio ${(docker.cpu / build.cpu).toFixed(2)}x`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
