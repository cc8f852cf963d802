import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './support/paths.js';

/** The spec core must run anywhere: no Node built-ins, Buffer or process in these folders. */
const PORTABLE = ['src/issues', 'src/schema', 'src/discovery', 'src/signature', 'src/internal'];

function walk(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(walk(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('portable core', () => {
  for (const area of PORTABLE) {
    it(`${area} imports no node: modules and uses no Buffer or process`, () => {
      const files = walk(join(repoRoot, area));
      assert.ok(files.length > 0, `${area} has no TypeScript files`);
      const offenders = files.filter((f) => {
        // Comments may mention Node APIs; only code counts.
        const text = readFileSync(f, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '')
          .replace(/\s\/\/ .*$/gm, '');
        return /from ['"]node:|import\(['"]node:|require\(['"]node:|\bBuffer\.|\bprocess\./.test(text);
      });
      assert.deepEqual(
        offenders.map((f) => relative(repoRoot, f)),
        [],
      );
    });
  }
});
