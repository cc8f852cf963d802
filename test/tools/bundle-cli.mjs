#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/) with esbuild into dist/bundle/: a small dispatcher (actool.cjs) and one
// self-contained CommonJS file per command (commands/NAME.cjs), loaded only when that command runs. On Node 20 each
// ES module costs start-up time, and CommonJS loads faster, so a cold `actool validate one.json` stays within 1.4x a
// bare `node -e 0` (measured in `npm run bench`; 1.13-1.26x with the code cache below). The library itself stays
// plain tsc output (ESM).
//
// Each command bundle also gets a V8 code cache (commands/NAME.cjs.cache), made by a fresh `node` that loads the
// bundle, and the dispatcher loads commands through src/cli/bundle-loader.ts, which uses the cache when it was
// made for the same build (the bundle's last line and the cache's header carry the same key) and V8 accepts it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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

// Packages a command loads only for some inputs get a bundle of their own in vendor/, so the command's bundle
// (read and compiled on every run) stays small: fast-glob (~80 KB) is needed only when an argument is a glob.
const VENDOR = ['fast-glob'];
await build({
  ...common,
  entryPoints: Object.fromEntries(VENDOR.map((name) => [name, createRequire(join(root, 'package.json')).resolve(name)])),
  outdir: join(outdir, 'vendor'),
  outExtension: { '.js': '.cjs' },
});

/**
 * Node built-ins a command may not need on a given run load on first use instead of at the bundle's start
 * (esbuild turns every import into a require() at the top). Each becomes a module of getters, one per export of
 * the real module, that requires it when first read. A tiny uncompressed build: 152 -> 144 M instructions
 * (callgrind), image-id and validate of an ACI 4-5 M fewer. crypto, stream, fs/promises and v8 stay eager: most
 * runs need them, and a built-in first loaded after the CLI set a V8 flag at run time (aci/garbage.ts) cannot use
 * node's embedded code cache (V8 checks the flags it was made under): loading them lazily cost more than it saved.
 */
const LAZY_BUILTINS = ['zlib', 'child_process', 'os', 'worker_threads', 'readline', 'net', 'http', 'https', 'dns', 'tls'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^node:(${LAZY_BUILTINS.join('|')})$`) }, (args) =>
      // The getter module's own require() is the real built-in.
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
      const getters = names.map((n) => `get ${n}() { return load().${n}; }`).join(',\n');
      return {
        contents: `let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));\nmodule.exports = {\n${getters}\n};`,
        loader: 'js',
      };
    });
  },
};

// One bundle per command.
const commands = readdirSync(join(cli, 'commands')).filter((f) => f.endsWith('.js') && f !== 'index.js');
await build({
  ...common,
  entryPoints: Object.fromEntries(commands.map((f) => [f.replace(/\.js$/, ''), join(cli, 'commands', f)])),
  outdir: join(outdir, 'commands'),
  outExtension: { '.js': '.cjs' },
  plugins: [
    {
      name: 'vendor-external',
      setup(b) {
        b.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (args) => ({ path: `../vendor/${args.path}.cjs`, external: true }));
      },
    },
    lazyBuiltins,
  ],
});

// The build key closes each bundle; then fresh nodes (no flags, as the CLI runs) write the code caches.
const bundles = commands.map((f) => join(outdir, 'commands', f.replace(/\.js$/, '.cjs')));
for (const file of bundles) appendFileSync(file, `\n//appc-build ${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 32)}\n`);
makeCodeCaches(bundles);

/**
 * Writes every bundle's code cache. Warm-up runs put the functions of a typical run in the cache too, not only
 * the top level: validate a manifest, a pod manifest and an ACI; build a small layout uncompressed and with gzip;
 * image-id, cat-manifest and extract an ACI (a tiny build: 183 -> 159 M instructions, 61 -> 34 M of them lazy
 * compiles, in callgrind). A bundle with warm-ups gets a node of its own, since a warm-up may set V8 flags that
 * would spoil later caches; a cache the CLI's V8 would still reject is made again without warm-ups.
 */
function makeCodeCaches(files) {
  const scratch = mkdtempSync(join(tmpdir(), 'appc-code-cache-'));
  try {
    const layout = join(scratch, 'layout');
    mkdirSync(join(layout, 'rootfs', 'etc'), { recursive: true });
    writeFileSync(join(layout, 'manifest'), JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/warm-up', labels: [{ name: 'os', value: 'linux' }] }));
    writeFileSync(join(layout, 'rootfs', 'etc', 'hostname'), 'warm-up\n');
    symlinkSync('etc/hostname', join(layout, 'rootfs', 'hostname'));
    const manifests = join(root, 'fixtures', 'manifests');
    const aci = join(root, 'fixtures', 'aci', 'members-ok.aci');
    const warmups = {
      validate: [[join(manifests, 'image', 'valid', 'spec-example.json')], [join(manifests, 'pod', 'valid', 'spec-example-runtime.json')], [aci]],
      build: [
        ['--compression=none', layout, join(scratch, 'plain.aci')],
        [layout, join(scratch, 'gzip.aci')],
      ],
      'image-id': [[aci]],
      'cat-manifest': [[aci]],
      extract: [[aci, join(scratch, 'extracted')]],
    };
    const run = (args) => {
      const made = spawnSync(process.execPath, [join(root, 'test', 'tools', 'make-code-cache.mjs'), ...args], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
      if (made.status !== 0) throw new Error('bundle-cli: making the code caches failed');
    };
    const name = (file) => basename(file, '.cjs');
    run(['{}', ...files.filter((f) => warmups[name(f)] === undefined)]);
    for (const file of files.filter((f) => warmups[name(f)] !== undefined)) run([JSON.stringify({ [name(file)]: warmups[name(file)] }), file]);
    const checked = spawnSync(process.execPath, [join(root, 'test', 'tools', 'check-code-cache.mjs'), ...files], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (checked.status !== 0) throw new Error(`bundle-cli: checking the code caches failed: ${checked.stderr}`);
    const rejected = checked.stdout.split('\n').filter(Boolean);
    for (const file of rejected) console.warn(`bundle-cli: V8 rejects the warmed-up code cache of ${name(file)}; writing it without warm-ups`);
    if (rejected.length > 0) run(['{}', ...rejected]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The dispatcher: the command table's imports load the command bundles (through the code cache loader)
// instead of bundling them in.
const loader = join(cli, 'bundle-loader.js');
await build({
  ...common,
  entryPoints: [join(cli, 'actool.js')],
  outfile: join(outdir, 'actool.cjs'),
  plugins: [
    {
      name: 'commands-external',
      setup(b) {
        b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => (args.importer.endsWith(join('commands', 'index.js')) ? { path: args.path.slice(2, -3), namespace: 'command-bundle' } : undefined));
        b.onLoad({ filter: /.*/, namespace: 'command-bundle' }, (args) => ({
          contents: `module.exports = require(${JSON.stringify(loader)}).requireBundle(require('node:path').join(__dirname, 'commands', ${JSON.stringify(`${args.path}.cjs`)}));`,
          loader: 'js',
          resolveDir: cli,
        }));
      },
    },
  ],
});
