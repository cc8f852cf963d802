import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { validateAci } from '../../src/aci/validate-aci.js';
import { convertOciImage, type ConvertOptions, type ConvertReport } from '../../src/convert/convert.js';
import { checkManifest } from '../../src/convert/convert.js';
import { readLayer } from '../../src/convert/layer-reader.js';
import type { ImageSource } from '../../src/convert/blob-store.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import { MemoryStore } from '../../src/render/store.js';
import { renderImage } from '../../src/render/render.js';
import { listAci } from '../support/aci-listing.js';
import { assertGolden } from '../support/golden.js';
import { writeOciLayout } from '../support/oci-builder.js';
import { makeTar } from '../support/make-tar.js';
import { fixturePath, readJsonFixture } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'convert-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;
/** A fresh empty directory for one test's outputs. */
function outDir(): string {
  const d = join(work, `out-${seq++}`);
  mkdirSync(d);
  return d;
}
const AMD64 = { os: 'linux', architecture: 'amd64' } as const;

async function convert(input: string, options: Partial<ConvertOptions> = {}): Promise<ConvertReport> {
  return convertOciImage(fixturePath('convert', input), { output: join(outDir(), 'out.aci'), host: AMD64, ...options });
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isAppcError(e), `not an AppcError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Every ACI written validates with no error; returns the golden record of the conversion. */
async function record(report: ConvertReport): Promise<unknown> {
  const images = [];
  for (const img of report.images) {
    const v = await validateAci(img.path);
    assert.ok(v.ok, JSON.stringify(v.issues));
    assert.equal(v.imageId, img.imageId);
    assert.deepEqual(v.manifest?.ok && v.manifest.value, img.manifest);
    images.push({ file: img.path.replace(/^.*\//, ''), imageId: img.imageId, manifest: img.manifest, entries: await listAci(img.path) });
  }
  return { images, warnings: report.warnings.map((w) => `${w.code} ${w.path}`) };
}

describe('convertOciImage: valid inputs (golden files in fixtures/convert/golden)', () => {
  const golden = (name: string): string => fixturePath('convert', 'golden', `${name}.expected.json`);

  it('an OCI layout directory: two gzip layers, whiteouts, opaque directory, hard link, full config', async () => {
    const r = await convert('oci-basic');
    assert.equal(r.format, 'oci-layout');
    assert.deepEqual(r.references, ['example.com/basic:1.0']);
    assertGolden(golden('oci-basic'), await record(r));
  });

  it('the same layout as a tar gives the same image ID', async () => {
    const [dir, tar] = [await convert('oci-basic'), await convert('oci-basic.tar')];
    assert.equal(tar.imageId, dir.imageId);
  });

  it('is deterministic: converting twice gives the same bytes, so the same image ID', async () => {
    const [a, b] = [await convert('docker-oci.tar'), await convert('docker-oci.tar')];
    assert.equal(a.imageId, b.imageId);
    assert.deepEqual(readFileSync(a.output), readFileSync(b.output));
  });

  it('a legacy docker save archive: layer.tar symlinks followed, diff_ids verified', async () => {
    const r = await convert('docker-legacy.tar');
    assert.equal(r.format, 'docker-archive');
    assert.equal(r.manifestDigest, undefined);
    assertGolden(golden('docker-legacy'), await record(r));
  });

  it('a Docker 25+ docker save archive (OCI form): names from index.json and manifest.json', async () => {
    const r = await convert('docker-oci.tar');
    assert.equal(r.format, 'oci-layout');
    assert.equal(r.manifest.name, 'docker.io/library/dockeroci');
    assertGolden(golden('docker-oci'), await record(r));
  });

  it('a multi-platform index: the host platform is the default; a bare tag is the version; the name falls back to the input', async () => {
    const r = await convert('multiarch');
    assert.deepEqual(r.platform, { os: 'linux', architecture: 'amd64' });
    assertGolden(golden('multiarch-amd64'), await record(r));
  });

  for (const [host, request, arch, content] of [
    [{ os: 'linux', architecture: 'arm64' }, {}, 'aarch64', 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, {}, 'armv6l', 'linux/arm/v6'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, {}, 'armv7l', 'linux/arm/v7'],
    [AMD64, { arch: 'arm' }, 'armv7l', 'linux/arm/v7'],
    [AMD64, { arch: 'arm', variant: 'v6' }, 'armv6l', 'linux/arm/v6'],
    [AMD64, { arch: 'armv6l' }, 'armv6l', 'linux/arm/v6'],
    [AMD64, { arch: 'aarch64' }, 'aarch64', 'linux/arm64/v8'],
    [AMD64, { os: 'linux', arch: 's390x' }, 's390x', 'linux/s390x'],
  ] as const) {
    it(`T-LB-8 picks ${content} for host ${JSON.stringify(host)} and request ${JSON.stringify(request)}`, async () => {
      const r = await convert('multiarch', { host, ...request });
      assert.equal(r.manifest.labels?.find((l) => l.name === 'arch')?.value, arch);
      const listing = await listAci(r.output);
      const platformFile = listing.find((l) => l.includes('rootfs/etc/platform'));
      const body = execFileSync('tar', ['-xzOf', r.output, 'rootfs/etc/platform']).toString();
      assert.ok(platformFile);
      assert.equal(body, content + '\n');
    });
  }

  it('a platform appc has no label for converts without os/arch labels, with a warning', async () => {
    const r = await convert('multiarch', { os: 'windows' });
    assert.equal(
      r.manifest.labels?.some((l) => l.name === 'os' || l.name === 'arch'),
      false,
    );
    assert.ok(r.warnings.some((w) => w.code === 'CONVERT_PLATFORM_UNMAPPED'));
    assert.ok(r.warnings.some((w) => w.code === 'CONVERT_NAME_FALLBACK'));
  });

  it('no matching platform lists the choices (attestations are not among them)', async () => {
    await rejects(
      convert('multiarch', { host: { os: 'linux', architecture: 'riscv64' } }),
      'CONVERT_NO_MATCHING_PLATFORM',
      /linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7, linux\/arm\/v6, linux\/s390x, windows\/amd64/,
    );
    await rejects(convert('multiarch', { arch: 'arm', variant: 'v5' }), 'CONVERT_NO_MATCHING_PLATFORM', /linux\/arm\/v5/);
    // A single image is converted whatever the host, but an explicit request is checked.
    await rejects(convert('oci-basic', { arch: 'arm64' }), 'CONVERT_NO_MATCHING_PLATFORM', /linux\/amd64, not linux\/arm64/);
  });

  it('several images: --image chooses by reference or repository; none or a wrong one is an error', async () => {
    await rejects(convert('docker-two-images.tar'), 'CONVERT_AMBIGUOUS_IMAGE', /example\.com\/legacy:3\.1, other:latest/);
    assert.equal((await convert('docker-two-images.tar', { image: 'other' })).manifest.name, 'other');
    assert.equal((await convert('docker-two-images.tar', { image: 'docker.io/library/other:latest' })).manifest.name, 'other');
    assert.equal((await convert('docker-two-images.tar', { image: 'example.com/legacy:3.1' })).manifest.name, 'example.com/legacy');
    await rejects(convert('docker-two-images.tar', { image: 'nope' }), 'CONVERT_IMAGE_NOT_FOUND', /other:latest/);
    assert.equal((await convert('multiarch', { image: '2.0' })).manifest.name, 'multiarch');
  });

  it('--name and --version override the reference', async () => {
    const r = await convert('oci-basic', { name: 'example.org/renamed', version: '9' });
    assert.equal(r.manifest.name, 'example.org/renamed');
    assert.deepEqual(r.manifest.labels?.[0], { name: 'version', value: '9' });
  });

  it('compression none writes a plain tar', async () => {
    const r = await convert('oci-basic', { compression: 'none' });
    const v = await validateAci(r.output);
    assert.equal(v.compression, 'none');
    assert.equal(v.imageId, (await convert('oci-basic')).imageId);
  });
});

describe('convertOciImage: layered mode', () => {
  async function renderedVersusSquashed(input: string): Promise<void> {
    const layered = await convert(input, { layered: true });
    const squashed = await convert(input);
    const store = new MemoryStore();
    for (const img of layered.images) await store.add(readFileSync(img.path));
    const rendered = await renderImage(store, layered.imageId);
    const fromRender = rendered.entries
      .filter((e) => e.path !== 'manifest')
      .map((e) => `${e.header.type} ${e.path}`)
      .sort();
    const fromSquash = (await listAci(squashed.output))
      .filter((l) => !l.endsWith(' manifest'))
      .map((l) => {
        const [kind, , , path] = l.split(' ');
        return `${{ f: 'file', d: 'directory', l: 'symlink', h: 'link' }[kind as 'f']} ${path}`;
      })
      .sort();
    // The squashed image writes directories no layer has (implicit ones); everything else must agree.
    assert.deepEqual(fromRender, fromSquash);
  }

  it("one ACI per layer, chained by image ID; whiteouts become the top layer's pathWhitelist", async () => {
    const r = await convert('oci-basic', { layered: true });
    assert.equal(r.images.length, 2);
    assert.deepEqual(r.images[1]!.manifest.dependencies, [{ imageName: 'example.com/basic-layer0', imageID: r.images[0]!.imageId }]);
    assert.equal(r.images[0]!.manifest.app, undefined);
    assert.equal(r.images[0]!.manifest.pathWhitelist, undefined);
    assert.ok(r.images[1]!.manifest.pathWhitelist?.includes('/var/cache/fresh'));
    assert.ok(!r.images[1]!.manifest.pathWhitelist?.includes('/etc/hosts'));
    assertGolden(fixturePath('convert', 'golden', 'oci-basic-layered.expected.json'), await record(r));
  });

  it("rendering the layered images gives the squashed image's files (oci-basic)", () => renderedVersusSquashed('oci-basic'));
  it("rendering the layered images gives the squashed image's files (docker-legacy)", () => renderedVersusSquashed('docker-legacy.tar'));
  it("rendering the layered images gives the squashed image's files (docker-oci)", () => renderedVersusSquashed('docker-oci.tar'));

  it('a hard link to a lower layer fails, and no file is left behind', async () => {
    const dir = join(work, 'across');
    writeOciLayout(dir, { layers: [{ members: [{ file: 'a', content: 'a' }] }, { members: [{ hardlink: 'b', target: 'a' }] }] });
    const out = outDir();
    await rejects(convertOciImage(dir, { output: join(out, 'x.aci'), layered: true }), 'CONVERT_HARDLINK_ACROSS_LAYERS');
    assert.deepEqual(readdirSync(out), []);
    // Squashed, the same image is fine.
    await convertOciImage(dir, { output: join(out, 'x.aci') });
  });

  it('a whitelist larger than maxManifestBytes is refused (convert squashed instead)', async () => {
    await rejects(convert('oci-basic', { layered: true, maxManifestBytes: 1000 }), 'CONVERT_LIMIT_EXCEEDED', /without --layered/);
    await rejects(convert('oci-basic', { layered: true, maxManifestBytes: 200 }), 'CONVERT_LIMIT_EXCEEDED', /pathWhitelist .* without --layered/);
  });
});

describe('convertOciImage: hostile inputs (fixtures/convert/expected.json)', () => {
  const expected = readJsonFixture<Record<string, string>>('convert', 'expected.json');
  for (const [name, code] of Object.entries(expected)) {
    it(`${name}: ${code}, nothing written`, async () => {
      const out = outDir();
      await rejects(convertOciImage(fixturePath('convert', 'hostile', name), { output: join(out, 'x.aci') }), code);
      assert.deepEqual(readdirSync(out), []);
    });
  }
});

describe('convertOciImage: inputs, options and limits', () => {
  it('rejects bad options before reading anything', async () => {
    await rejects(convert('oci-basic', { output: join(work, 'x.tar') }), 'CONVERT_BAD_OPTION', /\.aci/);
    await rejects(convert('oci-basic', { name: 'Not An ID' }), 'CONVERT_BAD_OPTION', /not_an_id/);
    await rejects(convert('oci-basic', { compression: 'xz' as 'gzip' }), 'CONVERT_BAD_OPTION');
    await rejects(convert('oci-basic', { version: '' }), 'CONVERT_BAD_OPTION');
  });

  it('refuses to replace an existing output unless overwrite', async () => {
    const out = join(outDir(), 'exists.aci');
    writeFileSync(out, 'keep me');
    await rejects(convert('oci-basic', { output: out }), 'ACI_OUTPUT_EXISTS');
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    await convert('oci-basic', { output: out, overwrite: true });
    assert.ok((await validateAci(out)).ok);
  });

  it('tells what an unusable input is', async () => {
    const d = outDir();
    writeFileSync(join(d, 'image.tar.gz'), gzipSync(readFileSync(fixturePath('convert', 'oci-basic.tar'))));
    await rejects(convertOciImage(join(d, 'image.tar.gz'), { output: join(d, 'a.aci') }), 'CONVERT_INPUT_COMPRESSED', /gunzip/);
    writeFileSync(join(d, 'notes.txt'), 'x'.repeat(600));
    await rejects(convertOciImage(join(d, 'notes.txt'), { output: join(d, 'a.aci') }), 'CONVERT_INPUT_UNKNOWN');
    writeFileSync(join(d, 'short'), 'x');
    await rejects(convertOciImage(join(d, 'short'), { output: join(d, 'a.aci') }), 'CONVERT_INPUT_UNKNOWN');
    mkdirSync(join(d, 'empty'));
    await rejects(convertOciImage(join(d, 'empty'), { output: join(d, 'a.aci') }), 'CONVERT_INPUT_UNKNOWN');
    const tar = readFileSync(fixturePath('convert', 'docker-legacy.tar'));
    writeFileSync(join(d, 'cut.tar'), tar.subarray(0, 5000));
    await rejects(convertOciImage(join(d, 'cut.tar'), { output: join(d, 'a.aci') }), 'CONVERT_BAD_ARCHIVE');
    await assert.rejects(convertOciImage(join(d, 'missing'), { output: join(d, 'a.aci') }), { code: 'ENOENT' });
    assert.deepEqual(
      readdirSync(d).filter((f) => f.endsWith('.aci')),
      [],
    );
  });

  it('limits: entries, JSON size', async () => {
    await rejects(convert('oci-basic', { maxEntries: 5 }), 'CONVERT_LIMIT_EXCEEDED', /maxEntries/);
    await rejects(convert('oci-basic', { maxJsonBytes: 100 }), 'CONVERT_LIMIT_EXCEEDED', /maxJsonBytes/);
  });

  it('Docker media types in the index are read like OCI ones', async () => {
    const dir = join(work, 'docker-types');
    cpSync(fixturePath('convert', 'oci-basic'), dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.manifests[0].mediaType = 'application/vnd.docker.distribution.manifest.v2+json';
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    assert.equal((await convertOciImage(dir, { output: join(outDir(), 'a.aci') })).manifest.name, 'example.com/basic');
  });

  it('an image with no layers, and a layer with an empty tar, give a rootfs-only ACI', async () => {
    const dir = join(work, 'empty-image');
    writeOciLayout(dir, { layers: [{ tar: new Uint8Array(0) }, { members: [] }] });
    const r = await convertOciImage(dir, { output: join(outDir(), 'a.aci') });
    assert.deepEqual(
      (await listAci(r.output)).map((l) => l.split(' ').at(-1)),
      ['rootfs', 'manifest'],
    );
  });

  it('streams large files in chunks and reads xz and gzip layers by their magic', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024 + 17);
    const tar = makeTar([{ dir: 'data' }, { file: 'data/big', content: big }]);
    const dir = join(work, 'big');
    writeOciLayout(dir, {
      layers: [
        { tar, encode: (t) => execFileSync('xz', ['-c', '-0'], { input: t }), mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
        { members: [{ file: 'small', content: 's' }], gzip: true },
      ],
    });
    const r = await convertOciImage(dir, { output: join(outDir(), 'a.aci') });
    assert.equal(execFileSync('tar', ['-xzOf', r.output, 'rootfs/data/big'], { maxBuffer: 1 << 23 }).toString(), big);
  });

  it('an aborted signal stops the conversion with its reason, writing nothing', async () => {
    const out = outDir();
    await assert.rejects(convert('oci-basic', { output: join(out, 'a.aci'), signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.deepEqual(readdirSync(out), []);
  });

  it('GNU sparse files are refused rather than written with the wrong content', async () => {
    // An old-GNU sparse entry ('S'): 4 bytes of data at offset 100000 of a 200000-byte file.
    const tar = makeTar([
      { file: 'holes', content: 'data' },
      { file: 'plain', content: 'hi' },
    ]);
    const h = tar.subarray(0, 512);
    const octal = (at: number, len: number, v: number): void => void h.set(new TextEncoder().encode(v.toString(8).padStart(len - 1, '0') + '\0'), at);
    h[156] = 0x53;
    h.set(new TextEncoder().encode('ustar  \0'), 257);
    octal(386, 12, 100000);
    octal(398, 12, 4);
    octal(483, 12, 200000);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    const dir = join(work, 'sparse');
    writeOciLayout(dir, { layers: [{ tar, gzip: true }] });
    await rejects(convertOciImage(dir, { output: join(outDir(), 'a.aci') }), 'CONVERT_BAD_LAYER', /sparse/);
  });

  it('an OCI index naming two images needs --image', async () => {
    const dir = join(work, 'two-oci');
    writeOciLayout(dir, { layers: [{ members: [{ file: 'a', content: 'a' }] }], ref: 'example.com/one:1' });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.manifests.push({ ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'example.com/two:2' } });
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    await rejects(convertOciImage(dir, { output: join(outDir(), 'a.aci') }), 'CONVERT_AMBIGUOUS_IMAGE', /example\.com\/one:1, example\.com\/two:2/);
    const r = await convertOciImage(dir, { output: join(outDir(), 'a.aci'), image: 'example.com/two:2' });
    assert.equal(r.manifest.name, 'example.com/two');
    assert.deepEqual(r.manifest.labels?.[0], { name: 'version', value: '2' });
  });

  it('hard links to directories fail', async () => {
    const dir = join(work, 'link-dir');
    writeOciLayout(dir, { layers: [{ members: [{ dir: 'd' }, { hardlink: 'l', target: 'd' }] }] });
    await rejects(convertOciImage(dir, { output: join(outDir(), 'a.aci') }), 'CONVERT_HARDLINK_TO_DIRECTORY');
  });

  it('a layer that changes between the passes is detected (CONVERT_INPUT_CHANGED)', async () => {
    const tar = makeTar([{ file: 'a', content: 'hello' }]);
    // A source whose file is shorter than it said: what a file truncated while converting looks like.
    const source: ImageSource = {
      kind: 'directory',
      path: 'stub',
      stat: async () => ({ name: 'layer', size: tar.length + 512 }),
      read: async function* () {
        yield tar;
      },
    };
    await rejects(readLayer(source, { index: 0, file: { name: 'layer', size: tar.length + 512 } }, {}), 'CONVERT_INPUT_CHANGED');
  });

  it('a manifest that fails validation is CONVERT_MANIFEST_INVALID', () => {
    assert.throws(
      () => checkManifest({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'Bad Name' }, 'image', 1 << 20),
      (e: unknown) => isAppcError(e) && e.code === 'CONVERT_MANIFEST_INVALID',
    );
  });
});
