#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/actool.js) into dist/bundle/ with esbuild, one chunk per command,
// so a cold `actool validate` loads a few files instead of dozens of modules (start-up target: 1.5x `node -e 0`).
// The library itself stays plain tsc output; only the `actool` binary is bundled.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { actool: join(root, 'dist', 'src', 'cli', 'actool.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Native or very large packages stay in node_modules and load only when a command needs them.
  external: ['lzma-native', 'openpgp', 'unbzip2-stream', 'xz-decompress', 'cli-progress'],
  // CommonJS dependencies inside an ESM bundle need a require().
  banner: { js: "import { createRequire as __appcCreateRequire } from 'node:module'; const require = __appcCreateRequire(import.meta.url);" },
  legalComments: 'none',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
