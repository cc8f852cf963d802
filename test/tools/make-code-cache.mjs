#!/usr/bin/env node
// Writes the V8 code cache of each command bundle (NAME.cjs -> NAME.cjs.cache). Usage:
//   make-code-cache.mjs WARMUPS_JSON BUNDLE...
// It compiles each bundle as the CLI's loader does (src/cli/bundle-loader.ts), runs its top level, runs the
// command on the warm-up arguments given for it, if any ({"validate": [["a.json"]]}; output is discarded) so the
// functions a typical run calls are compiled too, and saves the result behind a header naming the bundle's build
// key. bundle-cli.mjs runs it in a fresh node without flags, once per bundle that has warm-ups: V8 rejects a cache
// made under other flags, and a warm-up may set flags at run time (src/node/v8-flags.ts), which would spoil the
// caches made after it in the same process.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BUILD_MARK, buildKey, codeCachePath, compileBundle, runBundle } from '../../dist/src/cli/bundle-loader.js';

const [warmupsJson, ...bundles] = process.argv.slice(2);
const warmups = JSON.parse(warmupsJson ?? '{}');
const quiet = { stdout() {}, stderr() {}, cwd: process.cwd(), env: {}, stderrIsTTY: false, stdinIsTTY: false };

for (const file of bundles) {
  const source = readFileSync(file, 'utf8');
  const key = buildKey(source);
  if (key === undefined) throw new Error(`${file}: no build key`);
  const script = compileBundle(file, source);
  const { command } = runBundle(file, script);
  for (const argv of warmups[basename(file, '.cjs')] ?? []) {
    const code = await command.run(argv, quiet);
    if (code !== 0) throw new Error(`${file}: warm-up ${argv.join(' ')} exited with ${code}`);
  }
  const out = codeCachePath(file);
  writeFileSync(`${out}.tmp`, Buffer.concat([Buffer.from(`${BUILD_MARK}${key}\n`, 'latin1'), script.createCachedData()]));
  renameSync(`${out}.tmp`, out);
}
