/**
 * The hostile-archive table: every archive of fixtures/aci goes through every command that reads archives
 * (validate, image-id, cat-manifest, patch-manifest, extract, store add, render, convert's layer reader, export), in
 * the default and the strict mode, and each must give the verdict of fixtures/aci/verdicts.json. On top of
 * the table, the rules that make it one policy: extract and patch-manifest refuse exactly what validate
 * refuses, with validate's code; the store adds exactly what validate accepts; render refuses what validate
 * refuses except the end-of-archive and manifest checks (docs/aci.md, "One verdict"); export refuses as
 * EXPORT_INVALID_IMAGE what validate refuses in the default mode; the in-memory store
 * refuses what the directory store refuses.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixturePath } from '../support/paths.js';
import { COMMANDS, verdict, verdictsOf, type Verdicts } from '../support/verdicts.js';
import { MemoryStore } from '../../src/render/store.js';

const dir = fixturePath('aci');
const table = JSON.parse(readFileSync(`${dir}/verdicts.json`, 'utf8')) as { commands: string[]; rows: Record<string, { default: string; strict: string }> };
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.aci'))
  .sort();
/** Codes of the manifest's content (JSON and schema), which render and patch-manifest report their own way. */
const isManifestCode = (code: string): boolean => code !== 'ok' && !/^(ACI_|TAR_)/.test(code);
const END_CHECKS = new Set(['ACI_MISSING_ROOTFS', 'ACI_MISSING_MANIFEST']);

function checkOnePolicy(v: Verdicts, strict: boolean): void {
  assert.equal(v.extract, v.validate, 'extract refuses what validate refuses, with its code');
  assert.equal(v['patch-manifest'], isManifestCode(v.validate) ? 'ACI_PATCH_INVALID' : v.validate, 'patch-manifest refuses what validate refuses');
  if (!strict) assert.equal(v['store-add'], v.validate === 'ok' ? 'ok' : 'STORE_INVALID_IMAGE', 'the store adds what validate accepts');
  // Export has no strict mode; an image it cannot carry (sparse files, unusual types) is its own refusal.
  if (!strict) assert.equal(v.export === 'EXPORT_INVALID_IMAGE', v.validate !== 'ok', 'export refuses as invalid what validate refuses');
  const renderSees = END_CHECKS.has(v.validate) || isManifestCode(v.validate) ? 'ok' : v.validate;
  assert.equal(v.render, renderSees, 'render refuses what validate refuses (bar end-of-archive and manifest checks)');
}

describe('hostile archives through every command that reads archives (fixtures/aci/verdicts.json)', () => {
  it('has a row for every fixture and the columns of every command', () => {
    assert.deepEqual(Object.keys(table.rows).sort(), names);
    assert.deepEqual(table.commands, [...COMMANDS]);
  });
  for (const name of names) {
    for (const mode of ['default', 'strict'] as const) {
      const want = table.rows[name]?.[mode];
      it(`A-VA-1 A-VA-3 ${name} (${mode}): ${want}`, async () => {
        const v = await verdictsOf(`${dir}/${name}`, mode === 'strict');
        assert.equal(COMMANDS.map((c) => v[c]).join(' '), want);
        checkOnePolicy(v, mode === 'strict');
        if (mode === 'default') {
          const inMemory = await verdict(() => new MemoryStore().add(readFileSync(`${dir}/${name}`)));
          assert.equal(inMemory, v['store-add'], 'the in-memory store refuses what the directory store refuses');
        }
      });
    }
  }
});
