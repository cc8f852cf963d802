import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateLayout } from '../../src/aci/layout.js';
import { makeLayout, tempDir, TEST_MANIFEST } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));

function layout(name: string, files: Record<string, string | { symlink: string } | { dir: true }>): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const [p, v] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(join(full, '..'), { recursive: true });
    if (typeof v === 'string') writeFileSync(full, v);
    else if ('symlink' in v) symlinkSync(v.symlink, full);
    else mkdirSync(full, { recursive: true });
  }
  return dir;
}

const codes = (r: { issues: readonly { code: string }[] }): string[] => r.issues.map((i) => i.code);

describe('validateLayout (A-VA-5)', () => {
  it("A-VA-5 accepts Go's test layout: a decoy rootfs/manifest and a nested rootfs are ignored", async () => {
    const dir = layout('go', { manifest: TEST_MANIFEST, 'rootfs/manifest': 'malformedManifest', 'rootfs/dir/rootfs': { dir: true } });
    const r = await validateLayout(dir);
    assert.deepEqual(codes(r), []);
    assert.ok(r.ok && r.manifest?.ok);
  });

  it('accepts a rich layout', async () => {
    const r = await validateLayout(makeLayout(tmp, 'rich'));
    assert.deepEqual(codes(r), []);
  });

  it('A-VA-2 reports a missing manifest and a missing rootfs', async () => {
    assert.deepEqual(codes(await validateLayout(layout('empty', {}))), ['ACI_MISSING_MANIFEST', 'ACI_MISSING_ROOTFS']);
  });

  it('A-LY-1 rejects extra top-level names (rootfsx included) and a rootfs symlink', async () => {
    const r = await validateLayout(layout('extra', { manifest: TEST_MANIFEST, rootfs: { symlink: '/' }, rootfsx: 'x', etc: { dir: true } }));
    assert.deepEqual(
      codes(r).sort(),
      ['ACI_EXTRA_TOPLEVEL', 'ACI_EXTRA_TOPLEVEL', 'ACI_MISSING_ROOTFS', 'ACI_ROOTFS_NOT_DIR'].filter((c) => c !== 'ACI_MISSING_ROOTFS'),
    );
    assert.equal(r.ok, false);
  });

  it('warns about relative symlinks that climb above rootfs', async () => {
    const r = await validateLayout(layout('sym', { manifest: TEST_MANIFEST, 'rootfs/ok': { symlink: '/etc/passwd' }, 'rootfs/bad': { symlink: '../../x' } }));
    assert.deepEqual(codes(r), ['ACI_SYMLINK_ESCAPES']);
    assert.equal(r.ok, true);
    assert.equal((await validateLayout(join(tmp, 'sym'), { strict: true })).ok, false);
  });

  it('reports an invalid manifest with entry "manifest", a manifest directory, an oversized manifest', async () => {
    const bad = await validateLayout(layout('badm', { manifest: '{"acKind":', rootfs: { dir: true } }));
    assert.ok(bad.issues.some((i) => i.code === 'JSON_SYNTAX' && i.entry === 'manifest'));
    assert.deepEqual(codes(await validateLayout(layout('dirm', { 'manifest/x': 'y', rootfs: { dir: true } }))), ['ACI_MANIFEST_NOT_FILE', 'ACI_EXTRA_TOPLEVEL']);
    assert.deepEqual(codes(await validateLayout(layout('bigm', { manifest: TEST_MANIFEST, rootfs: { dir: true } }), { maxManifestBytes: 10 })), ['ACI_LIMIT_EXCEEDED']);
  });

  it('reads the manifest through a symlink, as Go does', async () => {
    const dir = layout('msym', { 'real.json': TEST_MANIFEST, rootfs: { dir: true } });
    symlinkSync('real.json', join(dir, 'manifest'));
    // real.json itself is an extra top-level name.
    assert.deepEqual(codes(await validateLayout(dir)), ['ACI_EXTRA_TOPLEVEL']);
  });

  it('warns about names that are not UTF-8 instead of skipping their directory', async () => {
    const dir = layout('utf8', { manifest: TEST_MANIFEST, 'rootfs/sub/ok': 'x' });
    writeFileSync(Buffer.concat([Buffer.from(join(dir, 'rootfs', 'sub') + '/'), Buffer.from([0x62, 0xff])]), 'x');
    const r = await validateLayout(dir);
    assert.deepEqual(codes(r), ['ACI_NAME_NOT_UTF8']);
    assert.equal(r.entryCount, 5);
  });

  it('A-VA-5 throws for a path that is not a directory or does not exist', async () => {
    await assert.rejects(validateLayout(join(tmp, 'go', 'manifest')), { code: 'ACI_LAYOUT_NOT_DIR' });
    await assert.rejects(validateLayout(join(tmp, 'nope')), { code: 'ENOENT' });
  });
});
