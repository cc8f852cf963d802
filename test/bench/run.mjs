// `npm run bench [module ...]`: runs the benchmark modules below in order, then prints one table of every
// row they added (project time, peak RSS, peer time, ratio, target). Ratios are against peers measured in
// the same run, so they are comparable across machines; the machine may be shared, so medians are used.
//
// To add a benchmark: write test/bench/NAME.mjs exporting `async function run(table)` (add rows with
// table.add(work, compare({...}), { targets, rssTarget }) from lib.mjs, or just print lines), and list
// NAME here.
import { rmSync } from 'node:fs';
import { benchDir, goActool, Table } from './lib.mjs';

const MODULES = ['aci', 'compressed', 'large', 'batch', 'startup', 'sign', 'export'];

const only = process.argv.slice(2);
const table = new Table();
console.log(`bench: peers: GNU tar/gzip/xz/bzip2 when on PATH; Go actool ${goActool ? `= ${goActool}` : 'skipped (set ACTOOL_GO=/path/to/actool)'}`);
for (const name of MODULES) {
  if (only.length > 0 && !only.includes(name)) continue;
  const mod = await import(new URL(`./${name}.mjs`, import.meta.url).href);
  if (typeof mod.run !== 'function') continue;
  console.log(`== ${name}`);
  await mod.run(table);
}
console.log('');
table.print();
if (!process.env.BENCH_KEEP) rmSync(benchDir, { recursive: true, force: true });
