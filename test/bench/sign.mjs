// Sign benchmark (npm run bench, or node test/bench/run.mjs sign): signs one file with `actool sign` and with
// `gpg --detach-sign --armor` using the same key (made by gpg in a throwaway home: ed25519 and rsa2048), and adds
// a row per key to the bench table (median of alternating rounds, peak RSS; wall times include process start-up).
// Both signatures are checked with `gpg --verify`. The file is random bytes in .bench/sign (not committed);
// SIGN_BENCH_MB sets its size (default 512).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, compare, ours } from './lib.mjs';

const work = join(benchDir, 'sign');
const MB = 1e6;

function makeFile(path, sizeMB) {
  try {
    if (statSync(path).size === sizeMB * MB) return;
  } catch {}
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4 * MB);
  for (let left = sizeMB * MB; left > 0; left -= chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(left, chunk.length));
  closeSync(fd);
}

export async function run(table) {
  const sizeMB = Number(process.env.SIGN_BENCH_MB ?? 512);
  if (spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status !== 0) {
    // gpg makes the keys, so without it there is nothing to sign with.
    for (const algo of ['ed25519', 'rsa2048']) table.skip(`sign ${algo}, ${sizeMB} MB`, 'gpg not found; it makes the keys');
    return;
  }
  mkdirSync(work, { recursive: true });
  const file = join(work, 'payload.aci');
  makeFile(file, sizeMB);
  for (const algo of ['ed25519', 'rsa2048']) {
    const home = mkdtempSync(join(tmpdir(), 'appc-bench-gpg-'));
    const gpgArgs = ['--batch', '--yes', '--quiet', '--homedir', home, '--pinentry-mode', 'loopback'];
    const gpg = (args) => execFileSync('gpg', [...gpgArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      gpg(['--passphrase', '', '--quick-gen-key', `Bench ${algo} <bench@example.com>`, algo, 'sign', 'never']);
      const keyFile = join(home, 'secret.asc');
      writeFileSync(keyFile, gpg(['--armor', '--export-secret-keys', 'bench@example.com']));
      const mine = join(work, `${algo}.actool.asc`);
      const theirs = join(work, `${algo}.gpg.asc`);
      table.add(
        `sign ${algo}, ${sizeMB} MB`,
        compare({
          project: ours('sign', '--overwrite', `--key=${keyFile}`, `--output=${mine}`, file),
          peers: [{ name: 'gpg --detach-sign --armor', argv: ['gpg', ...gpgArgs, '--armor', '--output', theirs, '--detach-sign', file] }],
        }),
      );
      // Both signatures must verify (gpg's "Good signature" lines go to the pipe, not the bench output).
      for (const sig of [mine, theirs]) gpg(['--verify', sig, file]);
    } finally {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    }
  }
}
