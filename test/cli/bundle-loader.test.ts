import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUILD_MARK, beforeNextBundleRuns, buildKey, cachedDataFor, codeCachePath, compileBundle, requireBundle, runBundle } from '../../src/cli/bundle-loader.js';
import { repoRoot } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'appc-bundle-loader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a bundle whose export is `value`, closed by build `key`. */
function writeBundle(name: string, value: string, key: string): string {
  const file = join(dir, name);
  writeFileSync(file, `"use strict";\nmodule.exports = { value: ${JSON.stringify(value)}, dir: __dirname, req: typeof require };\n${BUILD_MARK}${key}\n`);
  return file;
}

/** Writes the code cache of `file` as bundle-cli.mjs does, under header `key`. */
function writeCache(file: string, key: string): void {
  const source = readFileSync(file, 'utf8');
  const script = compileBundle(file, source);
  runBundle(file, script);
  writeFileSync(codeCachePath(file), Buffer.concat([Buffer.from(`${BUILD_MARK}${key}\n`, 'latin1'), script.createCachedData()]));
}

describe('bundle loader: command bundles with a code cache that is only a hint', () => {
  it('runs a bundle as a CommonJS module, with or without its cache', () => {
    const file = writeBundle('plain.cjs', 'plain', 'a'.repeat(32));
    assert.deepEqual(requireBundle(file), { value: 'plain', dir, req: 'function' });
    writeCache(file, 'a'.repeat(32));
    assert.deepEqual(requireBundle(file), { value: 'plain', dir, req: 'function' });
  });

  it('uses a cache only for the build named in its header', () => {
    const key = 'b'.repeat(32);
    const file = writeBundle('keyed.cjs', 'x', key);
    writeCache(file, key);
    const cache = readFileSync(codeCachePath(file));
    const data = cachedDataFor(cache, key);
    assert.ok(data !== undefined && data.length > 0);
    assert.equal(cachedDataFor(cache, 'c'.repeat(32)), undefined);
    assert.equal(cachedDataFor(Buffer.from('junk'), key), undefined);
    assert.equal(buildKey('module.exports = 1;\n'), undefined);
    assert.equal(buildKey(`x\n${BUILD_MARK}not-hex\n`), undefined);
  });

  it('a stale cache never runs old code: another build, another source of the same build key, or garbage', () => {
    const key = 'd'.repeat(32);
    const file = writeBundle('stale.cjs', 'old', key);
    writeCache(file, key);
    // A new build: the key changed, the old cache is ignored.
    writeBundle('stale.cjs', 'new', 'e'.repeat(32));
    assert.equal((requireBundle(file) as { value: string }).value, 'new');
    // The same key over a different source (hand-edited bundle): V8 rejects the data (another length). Checked
    // before anything compiles this source, since V8's in-memory cache would answer first.
    writeBundle('stale.cjs', 'newer', key);
    assert.equal(compileBundle(file, readFileSync(file, 'utf8'), cachedDataFor(readFileSync(codeCachePath(file)), key)).cachedDataRejected, true);
    assert.equal((requireBundle(file) as { value: string }).value, 'newer');
    // Garbage behind a valid header: rejected, the source runs.
    writeFileSync(codeCachePath(file), Buffer.concat([Buffer.from(`${BUILD_MARK}${key}\n`, 'latin1'), Buffer.alloc(4096, 7)]));
    assert.equal((requireBundle(file) as { value: string }).value, 'newer');
  });

  it('every command bundle of this build has a cache this node accepts', () => {
    const commands = join(repoRoot, 'dist', 'bundle', 'commands');
    const bundles = readdirSync(commands).filter((f) => f.endsWith('.cjs'));
    assert.ok(bundles.includes('validate.cjs'));
    for (const name of bundles) {
      const file = join(commands, name);
      const source = readFileSync(file, 'utf8');
      const key = buildKey(source);
      assert.ok(key !== undefined, `${name} has no build key`);
      const data = cachedDataFor(readFileSync(codeCachePath(file)), key);
      assert.ok(data !== undefined, `${name}: the cache is of another build`);
      // Coverage runs (c8) and other V8 flags may make V8 refuse the data; that is safe, only slower.
      if (process.env['NODE_V8_COVERAGE'] === undefined && process.execArgv.length === 0) {
        assert.equal(compileBundle(file, source, data).cachedDataRejected, false, `${name}: V8 rejects its cache`);
      }
    }
  });
  it('runs a preparation once, after the bundle is compiled and before its top level, or at once when no bundle loads', () => {
    const order: string[] = [];
    (globalThis as { appcTestOrder?: string[] }).appcTestOrder = order;
    const file = join(dir, 'ordered.cjs');
    writeFileSync(file, `"use strict";\nglobalThis.appcTestOrder.push('top level');\n${BUILD_MARK}${'f'.repeat(32)}\n`);
    writeCache(file, 'f'.repeat(32));
    order.length = 0;
    const runNow = beforeNextBundleRuns(() => order.push('prepare'));
    requireBundle(file);
    runNow();
    assert.deepEqual(order, ['prepare', 'top level']);
    // The next bundle runs without it.
    requireBundle(file);
    assert.deepEqual(order, ['prepare', 'top level', 'top level']);
    // No bundle loaded (the unbundled CLI): the caller runs it, once.
    const later = beforeNextBundleRuns(() => order.push('prepare later'));
    later();
    later();
    requireBundle(file);
    assert.deepEqual(order.slice(3), ['prepare later', 'top level']);
  });
});
