// Manifest benchmark: validates 10,000 manifests in one process, and compares a cold `actool validate`
// with a bare `node -e 0` start measured in the same run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeCommand(args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  return median(times);
}

export async function run() {
  const { parseManifest } = await import(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href);
  const inputs = ['image/valid/spec-example.json', 'pod/valid/spec-example-runtime.json', 'image/invalid/app-negative-gid.json', 'image/valid/key-case.json']
    .map((f) => readFileSync(join(root, 'fixtures', 'manifests', f)));
  const N = 10_000;
  for (let i = 0; i < 500; i++) parseManifest(inputs[i % inputs.length]); // warm up
  const t0 = performance.now();
  let valid = 0;
  for (let i = 0; i < N; i++) if (parseManifest(inputs[i % inputs.length]).ok) valid++;
  const ms = performance.now() - t0;
  console.log(`manifests: validated ${N} manifests (${valid} valid) in ${ms.toFixed(0)} ms = ${Math.round((N / ms) * 1000)} manifests/s`);

  const runs = 15;
  const bare = timeCommand(['-e', '0'], runs);
  const actool = timeCommand([join(root, 'dist', 'bundle', 'actool.cjs'), 'validate', join(root, 'fixtures', 'manifests', 'image', 'valid', 'spec-example.json')], runs);
  const ratio = actool / bare;
  console.log(`manifests: cold start, median of ${runs}: node -e 0 ${bare.toFixed(1)} ms, actool validate one.json ${actool.toFixed(1)} ms, ratio ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? 'OK' : 'OVER'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
