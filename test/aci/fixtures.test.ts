import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateAci } from '../../src/aci/validate-aci.js';
import { fixturePath } from '../support/paths.js';

interface Expected {
  code: string;
  entry?: string;
}

const dir = fixturePath('aci');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.aci'))
  .sort();

/** sha512 of the decompressed file, by the system tools (the spec's own recipe, A-ID-1). */
function systemImageId(path: string, compression: string): string {
  const tool = { gzip: ['gzip', '-dc'], bzip2: ['bzip2', '-dc'], xz: ['xz', '-dc'], none: ['cat'] }[compression]!;
  const r = spawnSync(tool[0]!, [...tool.slice(1), path], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${tool.join(' ')} failed`);
  return 'sha512-' + createHash('sha512').update(r.stdout).digest('hex');
}

describe('ACI fixtures (fixtures/aci, made by test/tools/make-aci-fixtures.mjs)', () => {
  it('has fixtures', () => assert.ok(names.length > 40));
  for (const name of names) {
    const expected = JSON.parse(readFileSync(`${dir}/${name.replace(/\.aci$/, '.expected.json')}`, 'utf8')) as Expected[];
    const label = expected.length === 0 ? 'is valid' : `reports ${expected.map((e) => e.code).join(', ')}`;
    it(`A-VA-1 A-LY-1 ${name} ${label}`, async () => {
      const r = await validateAci(`${dir}/${name}`);
      const got = r.issues.map((i) => ({ code: i.code, entry: i.entry }));
      assert.equal(got.length, expected.length, `issues: ${JSON.stringify(r.issues.map((i) => [i.code, i.entry, i.message]))}`);
      for (const e of expected) {
        const idx = got.findIndex((g) => g.code === e.code && (e.entry === undefined || g.entry === e.entry));
        assert.ok(idx !== -1, `expected ${e.code}${e.entry ? ' at ' + e.entry : ''}, got ${JSON.stringify(got)}`);
        got.splice(idx, 1);
      }
      const errors = expected.some(
        (e) => ['ACI_SYMLINK_ESCAPES', 'ACI_NAME_NOT_UTF8', 'ACI_UNUSUAL_TYPE', 'ACI_SPARSE_ENTRY', 'TAR_NO_END', 'TAR_HEADER_ONLY_SIZE', 'ACI_UNCLEAN_PATH'].includes(e.code) === false,
      );
      assert.equal(r.ok, !errors);
      for (const i of r.issues) {
        // Every archive issue can be located: an entry or an offset, except the end-of-walk and format checks.
        if (!['ACI_MISSING_MANIFEST', 'ACI_MISSING_ROOTFS', 'ACI_UNKNOWN_FORMAT', 'ACI_UNSUPPORTED_COMPRESSION'].includes(i.code)) {
          assert.ok(i.entry !== undefined || i.offset !== undefined, `${i.code} has neither entry nor offset`);
        }
        assert.equal(i.path, i.entry === 'manifest' ? i.path : '');
      }
      if (r.ok) {
        assert.ok(r.manifest?.ok);
        assert.match(r.imageId ?? '', /^sha512-[0-9a-f]{128}$/);
        assert.equal(r.imageId, systemImageId(`${dir}/${name}`, r.compression!), 'A-ID-1 image ID equals sha512sum of the decompressed tar');
      }
    });
  }

  it('A-VA-3 strict mode turns warnings into errors', async () => {
    const loose = await validateAci(`${dir}/symlink-escape.aci`);
    const strict = await validateAci(`${dir}/symlink-escape.aci`, { strict: true });
    assert.equal(loose.ok, true);
    assert.equal(strict.ok, false);
    assert.equal(strict.issues[0]?.severity, 'error');
  });

  it('A-VA-2 manifest issues carry entry "manifest" and its offset', async () => {
    const r = await validateAci(`${dir}/invalid-manifest.aci`);
    assert.equal(r.manifest?.ok, false);
    const issue = r.issues.find((i) => i.code === 'JSON_SYNTAX')!;
    assert.equal(issue.entry, 'manifest');
    assert.equal(issue.offset, 512);
  });

  it('A-CD-2 reports the compression and the entry count', async () => {
    for (const [name, compression] of [
      ['gnu-tar-gzip.aci', 'gzip'],
      ['gnu-tar-bzip2.aci', 'bzip2'],
      ['gnu-tar-xz.aci', 'xz'],
      ['gnu-tar-plain.aci', 'none'],
    ] as const) {
      const r = await validateAci(`${dir}/${name}`);
      assert.equal(r.compression, compression);
      assert.equal(r.entryCount, 14);
      assert.equal(r.bytes, 20480);
    }
  });

  it('A-ID-2 recompressing keeps the image ID', async () => {
    const ids = await Promise.all(['gnu-tar-gzip.aci', 'gnu-tar-bzip2.aci', 'gnu-tar-xz.aci', 'gnu-tar-plain.aci'].map(async (n) => (await validateAci(`${dir}/${n}`)).imageId));
    assert.equal(new Set(ids).size, 1);
  });
});
