#!/usr/bin/env node
// Prints the bundles (given as arguments) whose code cache a fresh node without flags rejects, one per line, as
// the CLI's loader would find them (src/cli/bundle-loader.ts). Used by bundle-cli.mjs after making the caches.
import { readFileSync } from 'node:fs';
import { buildKey, cachedDataFor, codeCachePath, compileBundle } from '../../dist/src/cli/bundle-loader.js';

for (const file of process.argv.slice(2)) {
  const source = readFileSync(file, 'utf8');
  const data = cachedDataFor(readFileSync(codeCachePath(file)), buildKey(source) ?? '');
  if (data === undefined || compileBundle(file, source, data).cachedDataRejected !== false) console.log(file);
}
