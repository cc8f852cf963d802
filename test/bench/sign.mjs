// Sign benchmark (npm run bench, or node test/bench/run.mjs sign): signs one file with `actool sign` and with
// `gpg --detach-sign --armor` using the same key (made by gpg in a throwaway home: ed25519 and rsa2048), and
// prints MB/s, the ratio to gpg, and peak RSS (from /usr/bin/time). Both signatures are checked with
// `gpg --verify`. The file is random bytes in .bench/sign (not committed); SIGN_BENCH_MB sets its size
// (default 512). Best of 3 runs each; wall times include process start-up.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = join(root, '.bench', 'sign');
const actool = join(root, 'dist', 'bundle', 'actool.cjs');
const MB = 1e6;

function timed(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const m = /TIME ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), rssMB: Number(m[2]) / 1024 };
}

function best(n, f) {
  let out;
  for (let i = 0; i < n; i++) {
    const r = f();
    if (out === undefined || r.wall < out.wall) out = r;
  }
  return out;
}

function makeFile(path, sizeMB) {
  try {
    if (statSync(path).size === sizeMB * MB) return;
  } catch {}
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4 * MB);
  for (let left = sizeMB * MB; left > 0; left -= chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(left, chunk.length));
  closeSync(fd);
}

export async function run() {
  if (spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('sign: gpg is not installed; skipped');
    return;
  }
  const sizeMB = Number(process.env.SIGN_BENCH_MB ?? 512);
  mkdirSync(work, { recursive: true });
  const file = join(work, 'payload.aci');
  makeFile(file, sizeMB);
  console.log(`sign: ${sizeMB} MB of random bytes, best of 3 (wall time includes process start)`);
  console.log('key       tool                         MB/s   peak RSS   vs gpg');
  for (const algo of ['ed25519', 'rsa2048']) {
    const home = mkdtempSync(join(tmpdir(), 'appc-bench-gpg-'));
    const gpg = (args) => execFileSync('gpg', ['--batch', '--yes', '--quiet', '--homedir', home, '--pinentry-mode', 'loopback', ...args]);
    try {
      gpg(['--passphrase', '', '--quick-gen-key', `Bench ${algo} <bench@example.com>`, algo, 'sign', 'never']);
      const keyFile = join(home, 'secret.asc');
      writeFileSync(keyFile, gpg(['--armor', '--export-secret-keys', 'bench@example.com']));
      const ours = join(work, `${algo}.actool.asc`);
      const theirs = join(work, `${algo}.gpg.asc`);
      const g = best(3, () => timed('gpg', ['--batch', '--yes', '--quiet', '--homedir', home, '--pinentry-mode', 'loopback', '--armor', '--output', theirs, '--detach-sign', file]));
      const a = best(3, () => timed(process.execPath, [actool, 'sign', '--overwrite', `--key=${keyFile}`, `--output=${ours}`, file]));
      for (const sig of [ours, theirs]) gpg(['--verify', sig, file]);
      const line = (tool, r) => `${algo.padEnd(9)} ${tool.padEnd(27)} ${(sizeMB / r.wall).toFixed(0).padStart(6)} ${`${r.rssMB.toFixed(0)} MB`.padStart(10)}   ${(g.wall / r.wall).toFixed(2)}x`;
      console.log(line('gpg --detach-sign --armor', g));
      console.log(line('actool sign', a));
    } finally {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
