import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { validateManifest } from '../../src/schema/manifest.js';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../../src/schema/internal/document.js';
import { InputReader, openValidateInput } from '../../src/node/open-input.js';
import type { OpenedOrError } from '../../src/node/open-input.js';
import { validateOpened } from '../../src/node/validate-path.js';
import { fixturePath } from '../support/paths.js';
import { tempDir } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Inputs of every kind validate opens: manifests, images, an empty file, a directory, a missing path, files around the buffer's size. */
function inputs(): string[] {
  mkdirSync(join(tmp, 'dir'), { recursive: true });
  writeFileSync(join(tmp, 'empty.json'), '');
  writeFileSync(join(tmp, 'big.bin'), new Uint8Array(1.5 * (1 << 20)).fill(7));
  for (const size of [(64 << 10) - 1, 64 << 10, (64 << 10) + 1]) writeFileSync(join(tmp, `around-${size}.json`), `{"acKind": "ImageManifest", "x": "${'a'.repeat(size - 36)}"}`);
  const aci = readdirSync(fixturePath('aci'))
    .filter((f) => f.endsWith('.aci'))
    .map((f) => fixturePath('aci', f));
  const manifests = ['spec-example.json', 'key-case.json'].map((f) => fixturePath('manifests', 'image', 'valid', f));
  const extra = ['empty.json', 'dir', 'missing', 'big.bin', ...readdirSync(tmp).filter((f) => f.startsWith('around-'))].map((f) => join(tmp, f));
  return [...manifests, ...aci, ...extra];
}

/** Borrowed bytes are only valid until the next open: compare a copy. */
const plain = (o: OpenedOrError): OpenedOrError => ('error' in o || o.dir ? o : { dir: false, size: o.size, bytes: o.bytes.slice() });

describe('InputReader', () => {
  it('opens every input as openValidateInput does, one after another with one buffer', () => {
    const paths = inputs();
    const reader = new InputReader();
    for (let round = 0; round < 3; round++)
      for (const p of paths) {
        const got = reader.open(p);
        assert.deepEqual(plain(got), openValidateInput(p), p);
      }
  });

  it('gives the same reports as freshly read bytes, images included (their borrowed bytes are copied)', async () => {
    const paths = inputs();
    const reader = new InputReader();
    // Every image starts validating, then the next input overwrites the buffer before it is done.
    const pending = paths.map((p) => validateOpened(p, reader.open(p)));
    const expected = await Promise.all(paths.map((p) => validateOpened(p, openValidateInput(p))));
    assert.deepEqual(await Promise.all(pending), expected);
  });
});

describe('validateOpened: ASCII manifests read as text', () => {
  it('gives the report of the bytes decoded as UTF-8, for ASCII and other bytes', async () => {
    const pieces = [
      '{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "a/b"',
      ', "labels": [{"name": "os", "value": "linux"}]',
      ', "Name": "x"',
      ' "\u00e9"',
      '\ufeff',
      '\u0000',
      '}',
      ']',
      ' 1e5',
      ', "x": "\\ud800"',
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { maxLength: 6 }), fc.boolean(), (parts, bad) => {
        let bytes: Uint8Array = Buffer.from(parts.join(''), 'utf8');
        if (bad && bytes.length > 0) bytes = Buffer.concat([bytes, Buffer.from([0xff])]);
        const viaText = validateManifest(bytes, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
        return validateOpened('m.json', { dir: false, size: bytes.length, bytes }).then((report) => {
          if (report.type !== 'manifest') return;
          assert.deepEqual(report.issues, viaText.ok ? viaText.warnings : viaText.issues);
          assert.equal(report.valid, viaText.ok);
        });
      }),
      { numRuns: 300 },
    );
  });
});
