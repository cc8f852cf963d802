import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runActool } from '../support/run-actool.js';
import { fixturePath } from '../support/paths.js';
import { tempDir } from '../support/aci-layout.js';

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
    assert.deepEqual(report.images.map((i) => i.path), [join(tmp, 'layered-layer0.aci'), join(tmp, 'layered-layer1.aci'), out]);
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
    assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), []);
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
