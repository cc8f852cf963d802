// The one-pass export of an ACI file alone (export-one-pass.ts) against the two-pass export it replaces
// (exportOciImageInTwoPasses, which validates the whole file first): every hostile archive of fixtures/aci and
// generated archives (manifest first, in the middle or last, with or without dependencies, a decoy manifest at
// the end, damaged, plain, foreign gzip or sized gzip members) give the same report or the same error (code,
// message, file and entry), the same output bytes, and leave nothing else behind. The one pass itself is pinned
// too: it takes what it should (so the comparison is not vacuous) and gives up, leaving nothing, otherwise.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { buildAci } from '../../src/aci/build-aci.js';
import { peekManifestAtEnd } from '../../src/aci/tail-manifest.js';
import { encodeTarHeader, padding } from '../../src/aci/tar/write-tar.js';
import type { ExportOptions } from '../../src/convert/export.js';
import { exportOciImage, exportOciImageInTwoPasses } from '../../src/convert/export.js';
import { writeAloneLayer } from '../../src/convert/export-one-pass.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';
import { tempDir } from '../support/aci-layout.js';
import type { TarSpec } from '../support/make-tar.js';
import { makeTar } from '../support/make-tar.js';
import { fixturePath } from '../support/paths.js';
import { sizedMembers } from '../support/sized-members.js';

const work = tempDir('appc-export-one-pass-');
after(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;

type Outcome = { readonly error: Record<string, unknown> } | { readonly report: unknown; readonly sha256: string };

/** Runs an export into a fresh directory; the outcome, and that nothing but the output is left there. */
async function outcome(run: typeof exportOciImage, aci: string, options: Omit<ExportOptions, 'output'>): Promise<Outcome> {
  const dir = join(work, `out-${seq++}`);
  mkdirSync(dir);
  const output = join(dir, 'out.tar');
  try {
    const report = await run(aci, { ...options, output });
    assert.deepEqual(readdirSync(dir), ['out.tar']);
    return { report: { ...report, output: 'OUT' }, sha256: createHash('sha256').update(readFileSync(output)).digest('hex') };
  } catch (e) {
    assert.deepEqual(readdirSync(dir), [], 'a failed export leaves nothing');
    const { code, message, file, entry } = e as Record<string, unknown>;
    assert.equal(typeof code, 'string', `not a coded error: ${(e as Error).stack}`);
    return { error: { code, message, file, entry } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function assertSameAsTwoPasses(aci: string, options: Omit<ExportOptions, 'output'> = { format: 'oci-archive' }): Promise<Outcome> {
  const one = await outcome(exportOciImage, aci, options);
  const two = await outcome(exportOciImageInTwoPasses, aci, options);
  assert.deepEqual(one, two);
  return one;
}

describe('export in one pass: the verdicts and bytes of the two-pass export', () => {
  const dir = fixturePath('aci');
  const names = readdirSync(dir).filter((f) => f.endsWith('.aci'));
  it('every hostile archive of fixtures/aci, both archive formats', async () => {
    const codes = new Set<string>();
    for (const name of names.sort()) {
      for (const format of ['oci-archive', 'docker-archive'] as const) {
        const r = await assertSameAsTwoPasses(join(dir, name), { format, reproducible: format === 'docker-archive' });
        codes.add('error' in r ? String(r.error['code']) : 'ok');
      }
    }
    // The table holds valid images, invalid ones and valid ones an OCI layer cannot carry.
    assert.deepEqual([...codes].sort(), ['EXPORT_INVALID_IMAGE', 'EXPORT_UNSUPPORTED_ENTRY', 'ok']);
  });
});

const ALONE = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/alone', labels: [{ name: 'version', value: '1.2' }], app: { exec: ['/bin/app'], user: '0', group: '0' } };
const MANIFESTS: Record<string, string> = {
  alone: JSON.stringify(ALONE),
  dependencies: JSON.stringify({ ...ALONE, dependencies: [{ imageName: 'example.com/base' }] }),
  whitelist: JSON.stringify({ ...ALONE, pathWhitelist: ['/bin/app'] }),
  pathUser: JSON.stringify({ ...ALONE, app: { ...ALONE.app, user: '/bin/app' } }),
  notDockerName: JSON.stringify({ ...ALONE, name: 'example.com/a~b' }),
  oddVersion: JSON.stringify({ ...ALONE, labels: [{ name: 'version', value: '1.2+x/y' }] }),
  invalid: '{"acKind": "ImageManifest", "acVersion": "0.8.11"',
};

/** Tar bytes of one regular file entry (header, body, padding) as a latin1 string, for a decoy inside a body. */
function entryBytes(name: string, body: string): string {
  const bytes = new TextEncoder().encode(body);
  const header = encodeTarHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: bytes.length });
  return Buffer.concat([header, bytes, new Uint8Array(padding(bytes.length))]).toString('latin1');
}

const memberArb = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), size: fc.oneof(fc.nat(3000), fc.integer({ min: 100_000, max: 700_000 })), mode: fc.constantFrom(0o644, 0o755, 0o4755) }),
  fc.record({ kind: fc.constant('dir' as const) }),
  fc.record({ kind: fc.constant('symlink' as const), target: fc.constantFrom('/bin/app', '../x', 'app') }),
  fc.record({ kind: fc.constant('hardlink' as const) }),
);

const archiveArb = fc.record({
  manifest: fc.constantFrom(...Object.keys(MANIFESTS)),
  position: fc.constantFrom('first', 'middle', 'last', 'none'),
  members: fc.array(memberArb, { maxLength: 6 }),
  decoy: fc.boolean(),
  compression: fc.constantFrom('none', 'gzip', 'members'),
  memberSizes: fc.array(fc.integer({ min: 300, max: 300_000 }), { minLength: 1, maxLength: 3 }),
  damage: fc.oneof(fc.constant(undefined), fc.record({ kind: fc.constantFrom('cut', 'flip'), at: fc.double({ min: 0, max: 1, noNaN: true }) })),
  format: fc.constantFrom('oci-archive' as const, 'docker-archive' as const),
  reproducible: fc.boolean(),
  layered: fc.boolean(),
  tag: fc.constantFrom(undefined, 'example.com/tagged:v1'),
});

type Archive = typeof archiveArb extends fc.Arbitrary<infer T> ? T : never;

/** The archive's bytes: rootfs members with the manifest at the chosen place, compressed and damaged as asked. */
function makeArchive(a: Archive): Buffer {
  const rootfs: TarSpec[] = [{ dir: 'rootfs' }, { dir: 'rootfs/bin' }, { file: 'rootfs/bin/app', content: '#!/bin/sh\n', mode: 0o755 }];
  let files = ['rootfs/bin/app'];
  a.members.forEach((m, i) => {
    const path = `rootfs/bin/m${i}`;
    if (m.kind === 'file') {
      rootfs.push({ file: path, content: String.fromCharCode(97 + (i % 26)).repeat(m.size), mode: m.mode });
      files = [...files, path];
    } else if (m.kind === 'dir') rootfs.push({ dir: path });
    else if (m.kind === 'symlink') rootfs.push({ symlink: path, target: m.target });
    else rootfs.push({ hardlink: path, target: files[i % files.length]! });
  });
  // A file whose body, at a block boundary, looks like a manifest entry of an image alone: the guess from the end.
  if (a.decoy) rootfs.push({ file: 'rootfs/decoy', content: entryBytes('manifest', MANIFESTS['alone']!) });
  const manifest: TarSpec = { file: 'manifest', content: MANIFESTS[a.manifest]! };
  const at = a.position === 'first' ? 0 : a.position === 'middle' ? Math.ceil(rootfs.length / 2) : rootfs.length;
  const members = a.position === 'none' ? rootfs : [...rootfs.slice(0, at), manifest, ...rootfs.slice(at)];
  const tar = makeTar(members);
  let bytes = a.compression === 'none' ? Buffer.from(tar) : a.compression === 'gzip' ? gzipSync(tar) : sizedMembers(tar, a.memberSizes);
  if (a.damage?.kind === 'cut') bytes = bytes.subarray(0, Math.floor(bytes.length * a.damage.at));
  else if (a.damage?.kind === 'flip') {
    bytes = Buffer.from(bytes);
    const i = Math.min(bytes.length - 1, Math.floor(bytes.length * a.damage.at));
    bytes[i] = bytes[i]! ^ 0x20;
  }
  return bytes;
}

describe('export in one pass: generated archives (property)', () => {
  it('the same report or error, the same bytes, nothing left behind', async () => {
    await fc.assert(
      fc.asyncProperty(archiveArb, async (a) => {
        const aci = join(work, `gen-${seq++}.aci`);
        writeFileSync(aci, makeArchive(a));
        try {
          await assertSameAsTwoPasses(aci, { format: a.format, reproducible: a.reproducible, layered: a.layered, ...(a.tag ? { tag: a.tag } : {}) });
        } finally {
          rmSync(aci, { force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('export in one pass: when it takes the image and when it gives up', () => {
  const style = {};
  const alone = (m: ImageManifest): boolean => (m.dependencies ?? []).length === 0;
  async function attempt(aci: string, writeAhead: boolean): Promise<{ taken: boolean; left: string[] }> {
    const dir = join(work, `pass-${seq++}`);
    mkdirSync(dir);
    try {
      const pass = await writeAloneLayer(aci, { dir, size: 0, style, accept: alone, writeAhead });
      if (pass !== undefined) rmSync(pass.layer.file);
      return { taken: pass !== undefined, left: readdirSync(dir) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  function archive(name: string, manifest: string, position: 'first' | 'last', compression: 'none' | 'members' = 'none'): string {
    const rootfs: TarSpec[] = [{ dir: 'rootfs' }, { dir: 'rootfs/bin' }, { file: 'rootfs/bin/app', content: 'x'.repeat(5000) }];
    const m: TarSpec = { file: 'manifest', content: manifest };
    const tar = makeTar(position === 'first' ? [m, ...rootfs] : [...rootfs, m]);
    const file = join(work, name);
    writeFileSync(file, compression === 'none' ? tar : sizedMembers(tar, [1000, 777]));
    return file;
  }

  it('takes an image alone whose manifest comes first, and one whose manifest comes last when told to write ahead', async () => {
    assert.deepEqual(await attempt(archive('first.aci', MANIFESTS['alone']!, 'first'), false), { taken: true, left: [] });
    const last = archive('last.aci', MANIFESTS['alone']!, 'last', 'members');
    assert.deepEqual(await attempt(last, true), { taken: true, left: [] });
    assert.deepEqual(await attempt(last, false), { taken: false, left: [] }, 'without the guess, a rootfs entry before the manifest ends the pass');
  });

  it('gives up, leaving nothing, on a manifest it may not take, an invalid archive, a damaged stream', async () => {
    assert.deepEqual(await attempt(archive('dep-first.aci', MANIFESTS['dependencies']!, 'first'), true), { taken: false, left: [] });
    assert.deepEqual(await attempt(archive('dep-last.aci', MANIFESTS['dependencies']!, 'last'), true), { taken: false, left: [] });
    assert.deepEqual(await attempt(archive('bad.aci', MANIFESTS['invalid']!, 'last'), true), { taken: false, left: [] });
    const cut = join(work, 'cut.aci');
    const whole = readFileSync(archive('cut-src.aci', MANIFESTS['alone']!, 'last', 'members'));
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    assert.deepEqual(await attempt(cut, true), { taken: false, left: [] });
    for (const name of ['traversal.aci', 'missing-rootfs.aci', 'truncated-gzip.aci', 'sparse-gnu.aci']) {
      assert.deepEqual(await attempt(fixturePath('aci', name), true), { taken: false, left: [] }, name);
    }
  });

  it('an abort stops it with the signal reason, leaving nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const dir = join(work, `abort-${seq++}`);
    mkdirSync(dir);
    await assert.rejects(writeAloneLayer(archive('abort.aci', MANIFESTS['alone']!, 'first'), { dir, size: 0, style, accept: alone, writeAhead: true, signal: controller.signal }), /stop/);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('peekManifestAtEnd: the guess from the archive end', () => {
  it('finds the manifest this library builds last (sized members), and a plain tar ending with one', async () => {
    const layout = join(work, 'peek-layout');
    mkdirSync(join(layout, 'rootfs', 'bin'), { recursive: true });
    writeFileSync(join(layout, 'rootfs', 'bin', 'app'), 'x'.repeat(3 << 20));
    writeFileSync(join(layout, 'manifest'), MANIFESTS['alone']!);
    const built = join(work, 'peek.aci');
    await buildAci(layout, built);
    assert.equal(peekManifestAtEnd(built)?.name, 'example.com/alone');
    const plain = join(work, 'peek.tar.aci');
    writeFileSync(plain, makeTar([{ dir: 'rootfs' }, { file: 'manifest', content: MANIFESTS['dependencies']! }]));
    assert.deepEqual(peekManifestAtEnd(plain)?.dependencies, [{ imageName: 'example.com/base' }]);
  });

  it('guesses nothing for foreign gzip, a manifest first in a long archive, an invalid manifest, a missing file', () => {
    const tar = makeTar([{ dir: 'rootfs' }, { file: 'manifest', content: MANIFESTS['alone']! }]);
    const foreign = join(work, 'peek-foreign.aci');
    writeFileSync(foreign, gzipSync(tar));
    assert.equal(peekManifestAtEnd(foreign), undefined);
    const early = join(work, 'peek-early.aci');
    writeFileSync(early, sizedMembers(makeTar([{ file: 'manifest', content: MANIFESTS['alone']! }, { dir: 'rootfs' }, { file: 'rootfs/big', content: 'y'.repeat(3 << 20) }]), [1 << 20]));
    assert.equal(peekManifestAtEnd(early), undefined);
    const bad = join(work, 'peek-bad.aci');
    writeFileSync(bad, makeTar([{ dir: 'rootfs' }, { file: 'manifest', content: MANIFESTS['invalid']! }]));
    assert.equal(peekManifestAtEnd(bad), undefined);
    assert.equal(peekManifestAtEnd(join(work, 'no-such.aci')), undefined);
  });
});
