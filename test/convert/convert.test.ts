import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAppcError } from '../../src/issues/appc-error.js';
import { convertOciImage } from '../../src/convert/convert.js';
import { parseDigest } from '../../src/convert/input.js';
import { nameAndVersion, splitReference, userAndGroup } from '../../src/convert/config-to-manifest.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { readAciEntries } from '../../src/aci/entries.js';
import { MemoryStore } from '../../src/render/store.js';
import { renderImage } from '../../src/render/render.js';
import { fixturePath } from '../support/paths.js';
import { runActool } from '../support/run-actool.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-convert-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const outPath = (): string => join(tmp, `out${n++}.aci`);

async function files(path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of readAciEntries(path)) {
    let text = '';
    for await (const chunk of e.body) text += Buffer.from(chunk).toString('utf8');
    out.set(e.path, e.header.type === 'symlink' ? `-> ${e.header.linkname}` : text);
  }
  return out;
}

describe('convertOciImage', () => {
  for (const input of ['oci-app', 'oci-app.tar', 'docker-legacy.tar']) {
    it(`${input}: squashes the layers with whiteouts into a valid ACI`, async () => {
      const out = outPath();
      const report = await convertOciImage(fixturePath('convert', input), out);
      const [image] = report.images;
      const validation = await validateAci(out);
      assert.equal(validation.ok, true, JSON.stringify(validation.issues));
      assert.equal(validation.imageId, image!.imageId);
      const f = await files(out);
      assert.equal(f.get('rootfs/etc/hosts'), '127.0.0.1 localhost app\n', 'the upper layer wins');
      assert.equal(f.has('rootfs/etc/remove-me'), false, '.wh. deletes a lower file');
      assert.equal(f.has('rootfs/opaque/old1') || f.has('rootfs/opaque/sub/old2'), false, 'an opaque whiteout hides the lower directory contents');
      assert.equal(f.get('rootfs/opaque/new'), 'new\n');
      assert.equal(f.get('rootfs/lib/alias'), '-> real');
      assert.ok(![...f.keys()].some((p) => p.includes('.wh.')), 'no whiteout markers in the output');
      const m = image!.manifest;
      assert.deepEqual(m.app?.exec, ['/bin/app', '--serve', '--port=8080']);
      assert.deepEqual([m.app?.user, m.app?.group, m.app?.workingDirectory], ['1000', '100', '/srv']);
      assert.deepEqual(m.app?.ports?.map((p) => [p.name, p.protocol, p.port]), [['53-udp', 'udp', 53], ['8080-tcp', 'tcp', 8080]]);
      assert.deepEqual(m.app?.mountPoints?.map((p) => [p.name, p.path]), [['data', '/data'], ['var-log-app', '/var/log/app']]);
      assert.deepEqual(m.app?.environment?.[1], { name: 'GREETING', value: 'hello world' });
      const annotations = Object.fromEntries((m.annotations ?? []).map((a) => [a.name, a.value]));
      assert.equal(annotations['appc.io/docker/entrypoint'], '["/bin/app"]');
      assert.equal(annotations['appc.io/docker/cmd'], '["--serve","--port=8080"]');
      assert.equal(annotations['org.opencontainers.image.title'], 'Example App');
      assert.equal(annotations['maintainer'], 'Ops <ops@example.com>');
      assert.match(annotations['created']!, /^2024-01-02T03:04:05\.123456789Z$/);
      const labels = Object.fromEntries((m.labels ?? []).map((l) => [l.name, l.value]));
      assert.deepEqual([labels['os'], labels['arch']], ['linux', 'amd64']);
      assert.equal(m.name, input.startsWith('docker') ? 'busybox-like' : 'example.com/app');
      assert.equal(labels['version'], input.startsWith('docker') ? '1.36' : '1.2.3');
    });
  }

  it('multi-arch: picks by --arch/--variant, maps arm64 to aarch64, lists the choices when none matches', async () => {
    const out = outPath();
    const r = await convertOciImage(fixturePath('convert', 'multi-arch'), out, { arch: 'arm64', variant: 'v8' });
    assert.equal((await files(out)).get('rootfs/arch.txt'), 'arm64\n');
    const labels = Object.fromEntries((r.images[0]!.manifest.labels ?? []).map((l) => [l.name, l.value]));
    assert.deepEqual([labels['arch'], labels['version']], ['aarch64', '2.0']);
    assert.equal(r.images[0]!.manifest.name, 'registry.example.com_5000/team/multi');
    await assert.rejects(convertOciImage(fixturePath('convert', 'multi-arch'), outPath(), { arch: 's390x' }), (e: unknown) => isAppcError(e) && e.code === 'CONVERT_NO_MATCHING_PLATFORM' && e.message.includes('linux/amd64, linux/arm64/v8'));
  });

  it('--name and --version override what the image says', async () => {
    const r = await convertOciImage(fixturePath('convert', 'oci-app'), outPath(), { name: 'Example.org/My App', version: '9' });
    assert.equal(r.images[0]!.manifest.name, 'example.org/my_app');
    assert.equal(r.images[0]!.manifest.labels?.find((l) => l.name === 'version')?.value, '9');
  });

  it('--layered writes one ACI per layer chained by image ID; rendering them gives the squashed tree', async () => {
    const out = join(tmp, 'layered.aci');
    const r = await convertOciImage(fixturePath('convert', 'oci-app'), out, { layered: true });
    assert.equal(r.images.length, 2);
    assert.equal(r.images[1]!.manifest.dependencies?.[0]?.imageID, r.images[0]!.imageId);
    assert.equal(r.images[0]!.manifest.app, undefined);
    const store = new MemoryStore();
    for (const image of r.images) await store.add(readFileSync(image.path));
    for (const image of r.images) assert.equal((await validateAci(image.path)).ok, true);
    const rendered = await renderImage(store, r.images[1]!.imageId);
    const squashed = outPath();
    await convertOciImage(fixturePath('convert', 'oci-app'), squashed);
    const expected = [...(await files(squashed)).keys()].filter((p) => p !== 'manifest').sort();
    assert.deepEqual(rendered.entries.map((e) => e.path).sort(), expected);
  });

  const hostile: [string, string][] = [
    ['digest-mismatch', 'CONVERT_DIGEST_MISMATCH'],
    ['missing-blob', 'CONVERT_MISSING_BLOB'],
    ['dotdot-path', 'CONVERT_UNSAFE_PATH'],
    ['absolute-path', 'CONVERT_UNSAFE_PATH'],
    ['escaping-whiteout', 'CONVERT_UNSAFE_PATH'],
    ['symlink-trick', 'CONVERT_UNSAFE_PATH'],
    ['unknown-media-type', 'CONVERT_UNSUPPORTED_MEDIA_TYPE'],
    ['zstd-layer', 'CONVERT_UNSUPPORTED_MEDIA_TYPE'],
    ['hardlink-deleted', 'CONVERT_BAD_HARDLINK'],
    ['bad-json', 'CONVERT_BAD_JSON'],
    ['invalid-env', 'CONVERT_INVALID_MANIFEST'],
    ['two-images', 'CONVERT_AMBIGUOUS_IMAGE'],
  ];
  for (const [name, code] of hostile) {
    it(`bad/${name} is ${code} and nothing is written`, async () => {
      const out = join(tmp, `${name}.aci`);
      await assert.rejects(convertOciImage(fixturePath('convert', 'bad', name), out), (e: unknown) => isAppcError(e) && e.code === code);
      assert.equal(existsSync(out), false);
      assert.deepEqual(readdirSync(tmp).filter((f) => f.includes(name)), []);
    });
  }

  it('a GNU sparse file is left out with a CONVERT_SKIPPED_ENTRY warning; the rest converts', async () => {
    const out = outPath();
    const r = await convertOciImage(fixturePath('convert', 'sparse'), out);
    assert.deepEqual(r.warnings.map((w) => [w.code, w.entry]), [['CONVERT_SKIPPED_ENTRY', './data/hole']]);
    assert.equal((await files(out)).get('rootfs/data/note'), 'ok\n');
    assert.equal((await validateAci(out)).ok, true);
  });

  it('digests other than sha256/sha512, or malformed, are CONVERT_UNSUPPORTED_DIGEST', () => {
    for (const d of ['md5:abc', 'sha256:xyz', 'sha256:' + 'a'.repeat(63), 'sha512:' + 'a'.repeat(64), 42]) {
      assert.throws(() => parseDigest(d), (e: unknown) => isAppcError(e) && e.code === 'CONVERT_UNSUPPORTED_DIGEST', String(d));
    }
    assert.equal(parseDigest('sha256:' + 'a'.repeat(64)).alg, 'sha256');
  });

  it('an input that is neither layout nor archive is CONVERT_UNKNOWN_INPUT', async () => {
    await assert.rejects(convertOciImage(fixturePath('manifests', 'image', 'valid', 'minimal.json'), outPath()), (e: unknown) => isAppcError(e) && e.code === 'CONVERT_UNKNOWN_INPUT');
    await assert.rejects(convertOciImage(fixturePath('manifests'), outPath()), (e: unknown) => isAppcError(e) && e.code === 'CONVERT_UNKNOWN_INPUT');
  });
});

describe('config mapping helpers', () => {
  it('splits references, keeping registry ports out of the tag', () => {
    assert.deepEqual(splitReference('registry:5000/team/app:1.0'), { name: 'registry:5000/team/app', tag: '1.0' });
    assert.deepEqual(splitReference('registry:5000/team/app'), { name: 'registry:5000/team/app', tag: undefined });
    assert.deepEqual(splitReference('app@sha256:abc'), { name: 'app', tag: undefined });
  });
  it('maps Docker users: empty is root; uid:gid; name alone gets group 0', () => {
    assert.deepEqual(userAndGroup(''), { user: '0', group: '0' });
    assert.deepEqual(userAndGroup('1000'), { user: '1000', group: '1000' });
    assert.deepEqual(userAndGroup('nginx'), { user: 'nginx', group: '0' });
    assert.deepEqual(userAndGroup('app:staff'), { user: 'app', group: 'staff' });
  });
  it('an image with only a tag as reference needs --name (CONVERT_NO_NAME)', () => {
    assert.throws(() => nameAndVersion(['latest'], {}), (e: unknown) => isAppcError(e) && e.code === 'CONVERT_NO_NAME');
    assert.deepEqual(nameAndVersion(['latest'], { name: 'example.com/x' }), { name: 'example.com/x', version: 'latest' });
  });
});

describe('actool convert', () => {
  it('converts, prints PATH ID NAME, refuses to overwrite, and reports bad input with its code', async () => {
    const out = join(tmp, 'cli.aci');
    const ok = await runActool(['convert', fixturePath('convert', 'docker-legacy.tar'), out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^.*cli\.aci\tsha512-[0-9a-f]{128}\tbusybox-like\n$/);
    assert.equal((await runActool(['convert', fixturePath('convert', 'docker-legacy.tar'), out])).code, 3);
    const bad = await runActool(['convert', fixturePath('convert', 'bad', 'digest-mismatch'), join(tmp, 'never.aci')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /\[CONVERT_DIGEST_MISMATCH\]\n$/);
    assert.equal((await runActool(['convert', 'only-one-arg'])).code, 2);
    assert.equal((await runActool(['convert', 'in', 'out.tar'])).code, 2);
  });
});
