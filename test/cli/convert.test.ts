import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runActool } from '../support/run-actool.js';
import { fixturePath } from '../support/paths.js';
import { tempDir } from '../support/aci-layout.js';
import { makeAci } from '../support/make-tar.js';

const tmp = tempDir('appc-cli-convert-');
after(() => rmSync(tmp, { recursive: true, force: true }));
const fx = (n: string): string => fixturePath('convert', n);
const ID = /sha512-[0-9a-f]{128}/;

describe('actool convert', () => {
  it('converts an OCI layout: prints PATH IMAGE-ID, warnings on stderr; the result validates', async () => {
    const out = join(tmp, 'basic.aci');
    const r = await runActool(['convert', fx('oci-basic'), out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${out} ${ID.source}\\n$`));
    assert.match(r.stderr, /warning CONVERT_ENV_SKIPPED \/config\/Env\/2/);
    const v = await runActool(['validate', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('--layered writes one ACI per layer; --json prints the report', async () => {
    const out = join(tmp, 'layered.aci');
    const r = await runActool(['convert', '--layered', '--json', '--name=example.com/layered', '--version=2', fx('docker-legacy.tar'), out]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { images: { path: string }[]; manifest: { name: string } };
    assert.deepEqual(
      report.images.map((i) => i.path),
      [join(tmp, 'layered-layer0.aci'), join(tmp, 'layered-layer1.aci'), out],
    );
    assert.equal(report.manifest.name, 'example.com/layered');
  });

  it('picks a platform from a multi-platform index with --arch/--variant (appc names too)', async () => {
    const r = await runActool(['convert', '--arch=armv6l', '--compression=none', fx('multiarch'), join(tmp, 'arm.aci')]);
    assert.equal(r.code, 0, r.stderr);
    const none = await runActool(['convert', '--os=plan9', fx('multiarch'), join(tmp, 'plan9.aci')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /CONVERT_NO_MATCHING_PLATFORM/);
    assert.match(none.stderr, /linux\/arm\/v7/);
  });

  it('exit 1 on unsafe input, with nothing written', async () => {
    const r = await runActool(['convert', fixturePath('convert', 'hostile', 'symlink-trick'), join(tmp, 'trick.aci')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^convert: .*CONVERT_PATH_THROUGH_SYMLINK/);
    assert.equal(existsSync(join(tmp, 'trick.aci')), false);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('exit 2 on usage errors (arguments, flags, a --name that is not an ACIdentifier); exit 3 when the input is missing', async () => {
    assert.equal((await runActool(['convert', fx('oci-basic')])).code, 2);
    assert.equal((await runActool(['convert', '--compression=xz', fx('oci-basic'), join(tmp, 'x.aci')])).code, 2);
    assert.equal((await runActool(['convert', '--bogus', fx('oci-basic'), join(tmp, 'x.aci')])).code, 2);
    const bad = await runActool(['convert', '--name=Bad Name', fx('oci-basic'), join(tmp, 'x.aci')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CONVERT_BAD_OPTION/);
    const missing = await runActool(['convert', join(tmp, 'nope'), join(tmp, 'x.aci')]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no such file or directory/);
  });
});

describe('actool export', () => {
  const manifest = {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: 'example.com/cli',
    labels: [
      { name: 'version', value: '3.1' },
      { name: 'os', value: 'linux' },
      { name: 'arch', value: 'amd64' },
    ],
    app: { exec: ['/bin/x'], user: '0', group: '0', isolators: [{ name: 'resource/memory', value: { limit: '1G' } }] },
  };
  const aci = join(tmp, 'cli.aci');
  writeFileSync(aci, makeAci(manifest, [{ dir: 'rootfs/bin' }, { file: 'rootfs/bin/x', content: 'x', mode: 0o755 }]));

  it('exports an ACI file: prints OUT DIGEST REFERENCE, unmapped fields as warnings on stderr', async () => {
    const out = join(tmp, 'cli.oci');
    const r = await runActool(['export', aci, out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${out} sha256:[0-9a-f]{64} example.com/cli:3.1\\n$`));
    assert.match(r.stderr, /warning EXPORT_FIELD_UNMAPPED \/app\/isolators/);
    assert.ok(existsSync(join(out, 'oci-layout')));
  });

  it('exports an image of the store by name; --json prints the report; --reproducible honours SOURCE_DATE_EPOCH', async () => {
    const store = join(tmp, 'export-store');
    assert.equal((await runActool(['store', 'add', `--store=${store}`, aci])).code, 0);
    const r = await runActool(
      ['export', `--store=${store}`, '--format=docker-archive', '--tag=registry.test/team/cli:v1', '--json', '--reproducible', 'example.com/cli:3.1', join(tmp, 'cli-docker.tar')],
      { env: { SOURCE_DATE_EPOCH: '1700000000' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { reference: string; format: string; layers: unknown[] };
    assert.equal(report.reference, 'registry.test/team/cli:v1');
    assert.equal(report.format, 'docker-archive');
    assert.equal(report.layers.length, 1);
  });

  it('exit 1 for an existing output or a missing dependency, 2 for usage errors', async () => {
    const out = join(tmp, 'twice.oci');
    assert.equal((await runActool(['export', aci, out])).code, 0);
    const again = await runActool(['export', aci, out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ACI_OUTPUT_EXISTS/);
    assert.equal((await runActool(['export', '--overwrite', aci, out])).code, 0);
    const dep = join(tmp, 'needs-base.aci');
    writeFileSync(dep, makeAci({ ...manifest, name: 'example.com/needs', dependencies: [{ imageName: 'example.com/base' }] }, [{ dir: 'rootfs/bin' }]));
    const missing = await runActool(['export', `--store=${join(tmp, 'empty-store')}`, dep, join(tmp, 'needs.oci')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /RENDER_DEPENDENCY_NOT_FOUND/);
    assert.equal(existsSync(join(tmp, 'needs.oci')), false);
    assert.equal((await runActool(['export', aci])).code, 2);
    assert.equal((await runActool(['export', '--format=zip', aci, join(tmp, 'z')])).code, 2);
    const badTag = await runActool(['export', '--tag=Bad:Tag', aci, join(tmp, 'z')]);
    assert.equal(badTag.code, 2);
    assert.match(badTag.stderr, /EXPORT_BAD_OPTION/);
  });
});
