/**
 * Loads a command bundle of the `actool` binary (dist/bundle/commands/NAME.cjs) with the V8 code cache
 * that `npm run build` writes next to it (NAME.cjs.cache), so a cold start does not parse and compile a
 * few hundred kilobytes of JavaScript again (issue #16: that was the largest part of the start-up cost).
 * Node 20 has no built-in compile cache (`module.enableCompileCache` is Node 22.1+), hence this.
 *
 * A cache is only a hint: it is used when its header names the same build as the bundle's last line
 * (`//appc-build KEY`, a hash of the bundle written by test/tools/bundle-cli.mjs), and V8 itself rejects
 * data made by another V8 version, with other flags, or for a source of another length. Anything else
 * (no cache, a cache of another build, an unreadable file, a rejection) compiles the source as Node would.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The last line of a bundle that has a code cache; the header line of its cache starts the same way. */
export const BUILD_MARK = '//appc-build ';

/** The code cache file of a bundle. */
export function codeCachePath(bundle: string): string {
  return `${bundle}.cache`;
}

/** The build key on the bundle's last line, or undefined when it has none. */
export function buildKey(source: string): string | undefined {
  const at = source.lastIndexOf(BUILD_MARK);
  if (at < 0) return undefined;
  const key = source.slice(at + BUILD_MARK.length).trim();
  return /^[0-9a-f]{16,64}$/.test(key) ? key : undefined;
}

/** The V8 data of `cache` if its header names build `key`; undefined otherwise. */
export function cachedDataFor(cache: Buffer, key: string): Buffer | undefined {
  const header = `${BUILD_MARK}${key}\n`;
  if (cache.length <= header.length || cache.toString('latin1', 0, header.length) !== header) return undefined;
  return cache.subarray(header.length);
}

/** Compiles a bundle as CommonJS (the wrapper Node uses), with `cachedData` when given. */
export function compileBundle(file: string, source: string, cachedData?: Buffer): Script {
  return new Script(Module.wrap(source), { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
}

/** Runs a compiled bundle as the module `file` and returns its exports. */
export function runBundle(file: string, script: Script): unknown {
  const module = new Module(file);
  module.filename = file;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/** What runs before the next command bundle's top level (see {@link beforeNextBundleRuns}). */
let beforeRun: (() => unknown) | undefined;

/**
 * Runs `prepare` once, right before the next command bundle's top level runs: after its code cache was taken,
 * so `prepare` may set V8 flags (a flag set before the cache is read changes V8's flag hash, and V8 then
 * refuses the cache), but before the command's code allocates anything. Returns a function that runs
 * `prepare` at once if no bundle did (the unbundled CLI, or a command already loaded); call it after loading.
 */
export function beforeNextBundleRuns(prepare: () => unknown): () => void {
  beforeRun = prepare;
  return () => {
    if (beforeRun !== prepare) return;
    beforeRun = undefined;
    prepare();
  };
}

/** `require(file)` for a command bundle, using its code cache when it fits (see the file comment). */
export function requireBundle(file: string): unknown {
  const source = readFileSync(file, 'utf8');
  const key = buildKey(source);
  let cachedData: Buffer | undefined;
  if (key !== undefined) {
    try {
      cachedData = cachedDataFor(readFileSync(codeCachePath(file)), key);
    } catch {
      // No cache (or an unreadable one): compile from source.
    }
  }
  const script = compileBundle(file, source, cachedData);
  const prepare = beforeRun;
  beforeRun = undefined;
  prepare?.();
  return runBundle(file, script);
}
