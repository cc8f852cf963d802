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
  it("docs/cli.md is generated from the commands' help texts", async () => {
    const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'gen-cli-doc.mjs')).href)) as { render(): Promise<string> };
    assert.equal(readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8'), await tool.render(), 'run `npm run docs:cli`');
  });
});

describe('spec rule catalogue (docs/spec-rules.md)', () => {
  const ID = /\b[A-Z]{1,2}(?:-[A-Z]{1,4})?-\d+[a-z]?\b/g;
  const listed = [...readFileSync(join(repoRoot, 'docs', 'spec-rules.md'), 'utf8').matchAll(/^- \*\*([A-Z][A-Z0-9-]*)\*\*: \S/gm)].map((m) => m[1]!);

  it('lists each rule ID once, one line each', () => {
    assert.ok(listed.length > 150, `only ${listed.length} rules`);
    assert.deepEqual(
      listed.filter((id, i) => listed.indexOf(id) !== i),
      [],
    );
  });

  it('has every rule ID that src/ and test/ cite, ranges such as S-1..S-5 or A-BD-1..5 included', () => {
    const known = new Set(listed);
    const cited = new Set<string>();
    for (const text of [...collect(join(repoRoot, 'src'), /\.ts$/), ...collect(join(repoRoot, 'test'), /\.(ts|mjs)$/)]) {
      for (const m of text.matchAll(ID)) cited.add(m[0]);
      // A range names its ends only; every rule between them is cited too.
      for (const m of text.matchAll(/\b([A-Z]{1,2}(?:-[A-Z]{1,4})?)-(\d+)\.\.(?:\1-)?(\d+)\b/g)) {
        for (let n = Number(m[2]); n <= Number(m[3]); n++) cited.add(`${m[1]}-${n}`);
      }
    }
    assert.ok(cited.size > 100, `only ${cited.size} IDs cited`);
    assert.deepEqual([...cited].filter((id) => !known.has(id)).sort(), []);
  });
});
