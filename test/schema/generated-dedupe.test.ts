import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SchemaValidator } from '../../src/schema/internal/document.js';
import { validateImageManifestSchema, validatePodManifestSchema } from '../../src/schema/generated/validators.js';
import { fixturePath, repoRoot } from '../support/paths.js';

// The generated validators keep one copy of each function ajv emitted twice, make each `if` branch a function
// of its own and make no error objects that are dropped anyway (compile-schemas.mjs): the verdict and every error
// must be those of ajv's own output from the published schemas, on valid manifests and on damaged ones.

interface Validators {
  readonly validateImageManifestSchema: SchemaValidator;
  readonly validatePodManifestSchema: SchemaValidator;
}

/** ajv's output without the dedupe, loaded as a module (runtime helpers imported by absolute URL). */
async function ajvOwnOutput(): Promise<Validators> {
  const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'compile-schemas.mjs')).href)) as { generate(o?: { reference?: boolean }): string };
  const require = createRequire(join(repoRoot, 'package.json'));
  const code = tool
    .generate({ reference: true })
    .replace(/^import type .*$/m, '')
    .replace(/: SchemaValidator = /g, ' = ')
    .replace(/"(ajv\/dist\/runtime\/[a-z0-9_]+\.js)"/g, (_m, spec: string) => JSON.stringify(pathToFileURL(require.resolve(spec)).href));
  return (await import('data:text/javascript,' + encodeURIComponent(code))) as Validators;
}

const seeds: unknown[] = ['image/valid', 'pod/valid', 'image/invalid', 'pod/invalid'].flatMap((d) =>
  readdirSync(fixturePath('manifests', d))
    .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(fixturePath('manifests', d, f), 'utf8')) as unknown];
      } catch {
        return [];
      }
    }),
);

/** Every path to a value inside `v` (objects and arrays), the root included. */
function pathsOf(v: unknown, at: readonly (string | number)[] = [], out: (readonly (string | number)[])[] = []): (readonly (string | number)[])[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => void pathsOf(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

/** A copy of `v` with the value at `path` replaced (or, for `undefined`, removed). */
function replaceAt(v: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.flatMap((x, i) => (i !== head ? [x] : by === undefined && rest.length === 0 ? [] : [replaceAt(x, rest, by)]));
  const o = v as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (k !== head) copy[k] = o[k];
    else if (!(by === undefined && rest.length === 0)) copy[k] = replaceAt(o[k], rest, by);
  }
  return copy;
}

const NAMES = [
  'resource/cpu',
  'resource/memory',
  'resource/block-iops',
  'os/linux/capabilities-retain-set',
  'os/linux/seccomp-remove-set',
  'os/linux/selinux-context',
  'os/linux/cpu-shares',
  'os/unix/sysctl',
  'pre-start',
  'name',
  'x',
];

const damaged = fc
  .tuple(fc.constantFrom(...seeds), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(undefined, ...NAMES), fc.constant({ default: true, request: '1' })))
  .map(([seed, n, by]) => {
    const paths = pathsOf(seed);
    return replaceAt(seed, paths[n % paths.length]!, by);
  });

/**
 * The errors as our issues read them. `schemaPath` is left out: the generated validators move the schema's
 * `if`/`then` branches into definitions of their own, so it names those instead of the published places.
 */
const seen = (errors: SchemaValidator['errors']): unknown => errors?.map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params })) ?? errors;

function assertSame(ours: SchemaValidator, theirs: SchemaValidator, value: unknown): void {
  const a = ours(value);
  const errorsA = structuredClone(seen(ours.errors));
  const b = theirs(value);
  assert.equal(a, b);
  assert.deepEqual(errorsA, structuredClone(seen(theirs.errors)));
}

describe('generated validators without duplicate functions', () => {
  it('hold no two functions with the same text (their own names set aside), where ajv’s output does', async () => {
    const tool = (await import(pathToFileURL(join(repoRoot, 'test', 'tools', 'compile-schemas.mjs')).href)) as { generate(o?: { reference?: boolean }): string };
    const repeats = (code: string): number => {
      const texts = code
        .split(/(?=function validate\d+\()/)
        .slice(1)
        .map((f) => {
          const name = /^function (validate\d+)/.exec(f)![1]!;
          return f.replaceAll(new RegExp(`\\b${name}\\b`, 'g'), 'SELF');
        });
      return texts.length - new Set(texts).size;
    };
    assert.equal(repeats(tool.generate()), 0);
    assert.ok(repeats(tool.generate({ reference: true })) > 0);
  });

  it('give ajv’s own verdicts and errors', async () => {
    const theirs = await ajvOwnOutput();
    const pairs: [SchemaValidator, SchemaValidator][] = [
      [validateImageManifestSchema, theirs.validateImageManifestSchema],
      [validatePodManifestSchema, theirs.validatePodManifestSchema],
    ];
    for (const seed of seeds) for (const [ours, ajv] of pairs) assertSame(ours, ajv, seed);
    fc.assert(
      fc.property(damaged, (value) => {
        for (const [ours, ajv] of pairs) assertSame(ours, ajv, value);
      }),
      { numRuns: 3000 },
    );
  });
});
