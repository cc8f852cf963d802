#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/) with esbuild into dist/bundle/: a small dispatcher (actool.cjs) and one
// self-contained CommonJS file per command (commands/NAME.cjs), loaded only when that command runs. On Node 20 each
// ES module costs start-up time, and CommonJS loads faster, so a cold `actool validate one.json` stays within 1.5x a
// bare `node -e 0` (measured in `npm run bench`). The library itself stays plain tsc output (ESM).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Native or very large packages stay in node_modules and load only in the commands that need them.
  external: ['lzma-native', 'openpgp', 'unbzip2-stream', 'xz-decompress', 'cli-progress'],
  // import() becomes require(), so loading a command or a lazily used module never goes through the ESM loader.
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__appcImportMetaUrl' },
  banner: { js: "const __appcImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  minify: true,
  // No source map: the bundle ships, its sources (dist/src/cli) do not; debug with dist/src instead.
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

// One bundle per command.
const commands = readdirSync(join(cli, 'commands')).filter((f) => f.endsWith('.js') && f !== 'index.js');
await build({
  ...common,
  entryPoints: Object.fromEntries(commands.map((f) => [f.replace(/\.js$/, ''), join(cli, 'commands', f)])),
  outdir: join(outdir, 'commands'),
  outExtension: { '.js': '.cjs' },
});

// The dispatcher: the command table's imports point at the command bundles instead of bundling them in.
await build({
  ...common,
  entryPoints: [join(cli, 'actool.js')],
  outfile: join(outdir, 'actool.cjs'),
  plugins: [
    {
      name: 'commands-external',
      setup(b) {
        b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) =>
          args.importer.endsWith(join('commands', 'index.js')) ? { path: `./commands/${args.path.slice(2, -3)}.cjs`, external: true } : undefined,
        );
      },
    },
  ],
});
