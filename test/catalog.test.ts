import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { CODE_SECTIONS } from '../src/catalog.js';
import { repoRoot } from './support/paths.js';

function collect(dir: string, exts: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, exts, out);
    else if (exts.test(name)) out.push(readFileSync(p, 'latin1'));
  }
  return out;
}

describe('code catalogue', () => {
  const all = CODE_SECTIONS.flatMap((s) => Object.keys(s.codes));

  it('has no code twice, and every code is UPPER_SNAKE', () => {
    assert.equal(new Set(all).size, all.length, 'duplicate codes across tables');
    for (const c of all) assert.match(c, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
  });

  it('every code is asserted by a test or named by a fixture', () => {
    const corpus = [...collect(join(repoRoot, 'test'), /\.ts$/), ...collect(join(repoRoot, 'fixtures'), /\.json$/)].join('\n');
    // The catalogue's own test names no code, so a mention elsewhere is a test or fixture that expects it.
    const missing = all.filter((c) => !new RegExp(`\\b${c}\\b`).test(corpus));
    assert.deepEqual(missing, []);
  });

  it('docs/errors.md is generated from the current tables', async () => {
    const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'gen-errors-doc.mjs')).href)) as { render(): Promise<string> };
    assert.equal(readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8'), await tool.render(), 'run `npm run docs:errors`');
  });
});

describe('CLI reference', () => {
  it('docs/cli.md is generated from the commands\' help texts', async () => {
    const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'gen-cli-doc.mjs')).href)) as { render(): Promise<string> };
    assert.equal(readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8'), await tool.render(), 'run `npm run docs:cli`');
  });
});
