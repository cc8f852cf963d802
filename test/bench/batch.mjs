// Batch benchmarks (npm run bench): one `actool validate` invocation over 1,000 small ACIs and over 10,000
// manifests, against the Go actool doing the same (per-file overhead, worker start-up, output).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, compare, goPeer, ours, root } from './lib.mjs';

export async function run(table) {
  const dir = join(benchDir, 'batch');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'aci'), { recursive: true });
  mkdirSync(join(dir, 'manifests'), { recursive: true });
  // Go validates .aci files it can read: gzip and plain tars (it runs xz for xz, bzip2 natively).
  const seeds = ['gnu-tar-gzip.aci', 'gnu-tar-xz.aci', 'gnu-tar-bzip2.aci', 'pax-long-names.aci', 'minimal.aci', 'hardlink-ok.aci'];
  const acis = [];
  for (let i = 0; i < 1000; i++) {
    const f = join(dir, 'aci', `img-${String(i).padStart(4, '0')}.aci`);
    copyFileSync(join(root, 'fixtures', 'aci', seeds[i % seeds.length]), f);
    acis.push(f);
  }
  const sources = ['image/valid/spec-example.json', 'pod/valid/spec-example-runtime.json', 'image/valid/key-case.json'].map((f) => readFileSync(join(root, 'fixtures', 'manifests', f)));
  const manifests = [];
  for (let i = 0; i < 10_000; i++) {
    const f = join(dir, 'manifests', `m-${String(i).padStart(5, '0')}.json`);
    writeFileSync(f, sources[i % sources.length]);
    manifests.push(f);
  }
  table.add('validate 1,000 small ACIs', compare({ project: ours('validate', ...acis), peers: [goPeer('validate', ...acis)] }), { targets: { 'Go actool': 1.0 }, rssTarget: 64 });
  table.add('validate 10,000 manifests', compare({ project: ours('validate', ...manifests), peers: [goPeer('validate', ...manifests)] }), { targets: { 'Go actool': 1.0 }, rssTarget: 64 });
  rmSync(dir, { recursive: true, force: true });
}
