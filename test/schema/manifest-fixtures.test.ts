import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Result } from '../../src/issues/issue.js';
import { parseImageManifest } from '../../src/schema/image-manifest.js';
import { parsePodManifest } from '../../src/schema/pod-manifest.js';
import type { Manifest } from '../../src/schema/manifest.js';
import { parseManifest, stringifyManifest } from '../../src/schema/manifest.js';
import { validateImageManifestSchema, validatePodManifestSchema } from '../../src/schema/generated/validators.js';
import { assertGolden } from '../support/golden.js';
import { fixturePath } from '../support/paths.js';

const PARSERS: Record<string, (b: Uint8Array) => Result<unknown>> = {
  image: (b) => parseImageManifest(b),
  pod: (b) => parsePodManifest(b),
  any: (b) => parseManifest(b),
};

const summary = (r: Result<unknown>) => (r.ok ? r.warnings : r.issues).map((i) => ({ code: i.code, severity: i.severity, path: i.path, ...(i.line === undefined ? {} : { line: i.line }) }));

for (const kind of ['image', 'pod', 'any']) {
  for (const verdict of ['valid', 'invalid']) {
    let files: string[] = [];
    try {
      files = readdirSync(fixturePath('manifests', kind, verdict)).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
    } catch {
      continue;
    }
    describe(`fixtures/manifests/${kind}/${verdict}`, () => {
      for (const file of files) {
        const path = fixturePath('manifests', kind, verdict, file);
        it(`M-IM M-PM ${file} is ${verdict} with the expected issues`, () => {
          const bytes = readFileSync(path);
          const r = PARSERS[kind]!(bytes);
          assert.equal(r.ok, verdict === 'valid', JSON.stringify(summary(r)));
          assertGolden(path.replace(/\.json$/, '.expected.json'), summary(r));
          if (r.ok && r.warnings.length > 0) assert.equal(PARSERS[kind]!(bytes).ok, true);
        });
        if (verdict === 'valid') {
          it(`M-IM-4 M-PM-5 G-9 ${file} round-trips through stringifyManifest`, () => {
            const r = parseManifest(readFileSync(path));
            assert.ok(r.ok);
            const text = stringifyManifest(r.value as Manifest);
            assert.doesNotMatch(text, /[<>&]/);
            const again = parseManifest(text);
            assert.ok(again.ok);
            assert.deepEqual(again.value, r.value);
            assert.equal(stringifyManifest(again.value as Manifest), text);
          });
          it(`strict mode: ${file} fails exactly when it has warnings; schema agrees when it has none`, () => {
            const r = parseManifest(readFileSync(path));
            assert.ok(r.ok);
            const strict = parseManifest(readFileSync(path), { strict: true });
            assert.equal(strict.ok, r.warnings.length === 0);
            if (r.warnings.length === 0) {
              const schema = r.kind === 'ImageManifest' ? validateImageManifestSchema : validatePodManifestSchema;
              assert.equal(schema(r.value), true, JSON.stringify(schema.errors));
            }
          });
        }
      }
    });
  }
}
