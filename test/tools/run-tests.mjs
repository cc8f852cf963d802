#!/usr/bin/env node
// Runs the test files, and only them: dist/test/**/*.test.js. Node 20's `node --test DIR` also runs every
// .js under a folder named test/, which would execute the helpers in dist/test/support as test files, and
// Node 20 takes no glob arguments, so the files are listed here. Extra arguments go to node --test
// (`npm test -- --test-name-pattern=A-ID`).
//
// With --coverage, or in CI (CI=true, as .ci/run runs), the run goes through c8 with the thresholds of
// .c8rc.json (dist/src only), and fails below them. Locally plain `npm test` skips c8: collecting and
// mapping coverage of every spawned actool writes about 260 MB of temporary files and takes ~20 s to report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

/**
 * Every *.test.js below `dir` whose TypeScript source still exists (tsc never deletes the output of a
 * renamed or removed test), sorted so runs are comparable.
 */
export function testFiles(dir = join(root, 'dist', 'test')) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js') && existsSync(join(root, relative(join(root, 'dist'), p)).replace(/\.js$/, '.ts'))) out.push(relative(root, p));
    }
  };
  walk(dir);
  return out.sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== '--coverage');
  const coverage = process.argv.includes('--coverage') || process.env['CI'] === 'true';
  const reporter = args.some((a) => a.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
  const test = ['--test', ...reporter, ...args, ...testFiles()];
  const command = coverage ? [join(root, 'node_modules', 'c8', 'bin', 'c8.js'), process.execPath, ...test] : test;
  const r = spawnSync(process.execPath, command, { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
