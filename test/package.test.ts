import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PACKAGE_VERSION } from '../src/version.js';
import { assertGolden } from './support/golden.js';
import { repoRoot } from './support/paths.js';

const run = promisify(execFile);

interface PackageJson {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  repository?: { url: string };
  bugs?: { url: string };
  main: string;
  types: string;
  scripts: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports: Record<string, unknown>;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

/** The entry points users import, and the area each subpath stands for. */
const AREAS = ['core', 'signature', 'aci', 'node', 'render', 'convert', 'publish', 'serve'] as const;

async function exportNames(specifier: string): Promise<string[]> {
  return Object.keys((await import(specifier)) as Record<string, unknown>).sort();
}

describe('package entry points', () => {
  it('the names users reach for import from appc itself', async () => {
    const root = (await import('appc' as string)) as Record<string, unknown>;
    for (const name of ['validateAci', 'readAciManifest', 'buildAci', 'extractAci', 'verifyAci', 'discover', 'renderImage', 'convertOciImage', 'parseManifest', 'validatePath']) {
      assert.equal(typeof root[name], 'function', name);
    }
  });

  it("snapshot of every entry point's export names (test/package-exports.json; UPDATE_GOLDEN=1 to accept a change)", async () => {
    const snapshot: Record<string, string[]> = { appc: await exportNames('appc') };
    for (const area of AREAS) snapshot[`appc/${area}`] = await exportNames(`appc/${area}`);
    assertGolden(join(repoRoot, 'test', 'package-exports.json'), snapshot);
  });

  it('one subpath per area: the areas share no name, and appc is exactly their union', async () => {
    const owner = new Map<string, string>();
    for (const area of AREAS) {
      for (const name of await exportNames(`appc/${area}`)) {
        assert.equal(owner.get(name), undefined, `${name} is exported by both appc/${owner.get(name)} and appc/${area}`);
        owner.set(name, area);
      }
    }
    assert.deepEqual(await exportNames('appc'), [...owner.keys()].sort());
  });

  it('the portable core imports nothing from node: (it is what the browser condition gives)', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /from ['"]node:|import\(['"]node:/, relative(repoRoot, file));
      for (const m of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) visit(join(file, '..', m[1]!));
    };
    visit(join(repoRoot, 'dist', 'src', 'core.js'));
    assert.ok(seen.size > 20);
  });

  it('PACKAGE_VERSION matches package.json', () => {
    assert.equal(PACKAGE_VERSION, pkg.version);
    assert.match(pkg.engines.node, /^>=20\.19/);
  });
});

describe('package manifest', () => {
  it('has a license file, repository and bugs, and no install script', () => {
    assert.equal(pkg.license, 'Apache-2.0');
    assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
    assert.match(pkg.repository?.url ?? '', /^git\+https:\/\//);
    assert.match(pkg.bugs?.url ?? '', /^https:\/\//);
    for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[hook], undefined, hook);
    // prepare builds a clone (README's first command); it is guarded for --omit=dev (tested below) and not in the tarball.
    assert.equal(pkg.scripts['prepare'], 'node test/tools/prepare.mjs');
  });

  it('dependencies are exactly the packages the shipped code loads (lzma-native optional)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (p !== join(repoRoot, 'dist', 'src', 'cli')) walk(p);
        } else if (/\.c?js$/.test(e.name)) files.push(p);
      }
    };
    walk(join(repoRoot, 'dist', 'src'));
    walk(join(repoRoot, 'dist', 'bundle'));
    const loaded = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
        const spec = m[1]!;
        // Comments quote text after "from" too; a package name has no spaces.
        if (/\s/.test(spec) || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue;
        loaded.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].sort();
    assert.deepEqual([...loaded].sort(), declared);
    assert.deepEqual(Object.keys(pkg.optionalDependencies ?? {}), ['lzma-native']);
  });
});

/** A consumer project's package-lock: the packed tarball plus the production packages of our own lock, so `npm ci --offline` needs only the npm cache. */
function consumerLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { appc: `file:${tarball}` } },
    'node_modules/appc': {
      version: pkg.version,
      resolved: `file:${tarball}`,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      optionalDependencies: pkg.optionalDependencies ?? {},
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

/** What a consumer writes first; compiled as ESM (.mts) and as CommonJS (.cts). */
const CONSUMER = `import { validateAci, readAciManifest, buildAci, extractAci, verifyAci, discover, renderImage, convertOciImage, parseManifest } from 'appc';
import type { ImageManifest, Issue, PublicKeyInfo, Result, SignatureCheck } from 'appc';
import { parseManifest as parseCore } from 'appc/core';
import { readPublicKeys } from 'appc/signature';
import { computeImageId } from 'appc/aci';
import { validatePath } from 'appc/node';
import { DirStore } from 'appc/render';
import { parseImageReference } from 'appc/convert';

const used = [validateAci, readAciManifest, buildAci, extractAci, verifyAci, discover, renderImage, convertOciImage, parseCore, readPublicKeys, computeImageId, validatePath, DirStore, parseImageReference];
const parsed: Result<unknown> = parseManifest('{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}');
const issues: readonly Issue[] = parsed.ok ? parsed.warnings : parsed.issues;
const name = parsed.ok ? (parsed.value as ImageManifest).name : undefined;
const keys: PublicKeyInfo[] = [];
const check: SignatureCheck | undefined = undefined;
console.log(JSON.stringify({ functions: used.every((f) => typeof f === 'function'), ok: parsed.ok, issues: issues.length, name, keys: keys.length, check: check === undefined }));
`;
const EXPECTED_OUTPUT = { functions: true, ok: true, issues: 0, name: 'example.com/app', keys: 0, check: true };

const TSC_7 = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
// TypeScript 7 removed node10 resolution; consumers on it use TypeScript 5.
const TSC_5 = join(repoRoot, 'node_modules', 'typescript-5', 'bin', 'tsc');

/** Consumer projects: one tsconfig each, every one strict with `skipLibCheck: false`. */
const PROJECTS: { name: string; tsc: string; options: Record<string, unknown>; run: boolean }[] = [
  { name: 'nodenext', tsc: TSC_7, options: { module: 'nodenext', moduleResolution: 'nodenext' }, run: true },
  { name: 'bundler', tsc: TSC_7, options: { module: 'preserve', moduleResolution: 'bundler', noEmit: true }, run: false },
  { name: 'node10', tsc: TSC_5, options: { module: 'commonjs', moduleResolution: 'node10' }, run: true },
];

describe('the packed tarball, installed into fresh consumer projects', { timeout: 600_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'appc-package-'));
  const consumer = join(tmp, 'consumer');
  let tarball = '';
  let files: string[] = [];
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(async () => {
    // --ignore-scripts: the build is current (pretest), and prepack must not rebuild dist/ under running tests.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: repoRoot, maxBuffer: 64 << 20 });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp, packed!.filename);
    files = packed!.files.map((f) => f.path);
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { appc: `file:${tarball}` } }));
    writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: consumer });
  });

  it('ships the library, the CLI bundle, schemas, sources for its source maps, LICENSE; no tests, no CLI sources', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/core.js', 'dist/bundle/actool.cjs', 'schemas/cli-report.schema.json']) {
      assert.ok(files.includes(f), f);
    }
    assert.deepEqual(
      files.filter((f) => f.startsWith('dist/test') || f.startsWith('test/') || f.startsWith('dist/src/cli/') || f.startsWith('src/cli/')),
      [],
    );
    const shipped = new Set(files);
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(consumer, 'node_modules', 'appc', map), 'utf8')) as { sources: string[] };
      for (const s of sources) assert.ok(shipped.has(join(map, '..', s)), `${map} points at ${s}, which is not in the package`);
    }
  });

  it('the actool bin runs from the installed package', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'actool');
    assert.match((await run(bin, ['version'])).stdout, new RegExp(`actool version ${pkg.version.replace(/\./g, '\\.')}`));
    const manifest = join(tmp, 'm.json');
    writeFileSync(manifest, '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}');
    await run(bin, ['validate', manifest]);
  });

  it('under the browser condition appc is the portable core', async () => {
    const script = "const a = await import('appc'); const c = await import('appc/core'); console.log(JSON.stringify([Object.keys(a).length, Object.keys(c).length, typeof a.validateAci]))";
    const { stdout } = await run(process.execPath, ['--conditions=browser', '--input-type=module', '-e', script], { cwd: consumer });
    const [rootCount, coreCount, validateAci] = JSON.parse(stdout) as [number, number, string];
    assert.equal(rootCount, coreCount);
    assert.equal(validateAci, 'undefined');
  });

  for (const project of PROJECTS) {
    it(`compiles ESM and CommonJS consumers with moduleResolution ${project.name} and skipLibCheck false${project.run ? ', and runs them' : ''}`, async () => {
      const dir = join(consumer, project.name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
      writeFileSync(join(dir, 'esm.mts'), CONSUMER);
      writeFileSync(join(dir, 'cjs.cts'), CONSUMER);
      const compilerOptions = { target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], typeRoots: [join(repoRoot, 'node_modules', '@types')], outDir: 'out', ...project.options };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['esm.mts', 'cjs.cts'] }));
      const compiled = await run(process.execPath, [project.tsc, '-p', dir], { cwd: dir }).catch((e: { stdout?: string }) => ({ error: e.stdout ?? String(e) }));
      assert.ok(!('error' in compiled), 'error' in compiled ? compiled.error : '');
      if (!project.run) return;
      for (const out of ['esm.mjs', 'cjs.cjs']) {
        const { stdout } = await run(process.execPath, [join(dir, 'out', out)], { cwd: dir });
        assert.deepEqual(JSON.parse(stdout), EXPECTED_OUTPUT, out);
      }
    });
  }

  it('npm ci --omit=dev in a clone installs, and its prepare step says why nothing was built', async () => {
    const clone = join(tmp, 'clone');
    mkdirSync(clone);
    for (const f of ['package.json', 'package-lock.json', 'test/tools/prepare.mjs']) cpSync(join(repoRoot, f), join(clone, f));
    const { stdout } = await run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: clone });
    assert.match(stdout, /dev dependencies are not installed/);
    assert.ok(existsSync(join(clone, 'node_modules', 'openpgp')));
    assert.equal(existsSync(join(clone, 'node_modules', 'typescript')), false);
  });
});

describe('documentation examples', () => {
  it('every name the README and docs import exists in the entry point they import it from', async () => {
    const docs = [
      'README.md',
      ...readdirSync(join(repoRoot, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    let checked = 0;
    for (const doc of docs) {
      const text = readFileSync(join(repoRoot, doc), 'utf8');
      for (const m of text.matchAll(/^import \{([^}]*)\} from '(appc(?:\/[a-z]+)?)';/gm)) {
        const entry = (await import(m[2]!)) as Record<string, unknown>;
        for (const raw of m[1]!.split(',')) {
          const name = raw.trim().split(/\s+as\s+/)[0]!;
          if (name === '' || name.startsWith('type ')) continue;
          assert.ok(name in entry, `${doc}: ${name} is not exported by ${m[2]}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 30, `only ${checked} names checked`);
  });
});
