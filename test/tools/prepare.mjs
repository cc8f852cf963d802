#!/usr/bin/env node
// `npm ci` / `npm install` in a clone run this (the `prepare` script): it builds dist/ so `npx actool` works
// right away. With --omit=dev there is no TypeScript, and a clone installed for production only has nothing
// to build with, so it says so and succeeds. Consumers of the packed tarball never run it (npm runs
// `prepare` for clones and git dependencies, not for tarballs, and this file is not in the package).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'node_modules', 'typescript', 'package.json'))) {
  console.log('appc: dev dependencies are not installed (--omit=dev), so dist/ is not built; run `npm ci` to build it.');
  process.exit(0);
}
const npm = process.env['npm_execpath'];
const r = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
