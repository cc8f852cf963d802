/**
 * The Go reference's renderer scenarios (pkg/acirenderer/acirenderer_test.go) with Go's own inputs and expected
 * file sets (fixtures/render/go-scenarios.json), checked on the selection and again on the written tree.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../src/render/store.js';
import { renderImage, writeRendered } from '../../src/render/render.js';
import type { RenderedImage } from '../../src/render/render.js';
import type { TarSpec } from '../support/make-tar.js';
import { makeTar } from '../support/make-tar.js';
import { readJsonFixture } from '../support/paths.js';

type GoEntry =
  | { readonly manifest: true }
  | { readonly dir: string; readonly mode?: number }
  | { readonly file: string; readonly content?: string; readonly mode?: number }
  | { readonly symlink: string; readonly target: string };

interface GoImage {
  readonly name: string;
  readonly dependencies?: readonly string[];
  readonly pathWhitelist?: readonly string[];
  readonly entries: readonly GoEntry[];
}

type FileType = 'file' | 'dir' | 'symlink';

/** Go's fileInfo: path and type always; size for regular files; mode (defaulted as Go does) for all but symlinks. */
interface FileInfo {
  readonly path: string;
  readonly type: FileType;
  readonly size?: number;
  readonly mode?: number;
}

interface GoScenario {
  readonly name: string;
  readonly go: string;
  readonly rule: string;
  readonly acVersion: string;
  readonly render: string;
  readonly order: readonly string[];
  readonly levels?: readonly number[];
  readonly images: readonly GoImage[];
  readonly expected: readonly FileInfo[];
  readonly warnings?: readonly string[];
}

const tmp = mkdtempSync(join(tmpdir(), 'appc-render-go-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Builds Go's store: images in order, each dependency found by the image ID of the archive built for it. */
async function buildStore(s: GoScenario): Promise<{ store: MemoryStore; ids: Map<string, string> }> {
  // Go's images have no explicit rootfs entry: kept unchecked, the renderer reads them with its own rules.
  const store = new MemoryStore({ check: 'manifest' });
  const ids = new Map<string, string>();
  for (const image of s.images) {
    const manifest = {
      acKind: 'ImageManifest',
      acVersion: s.acVersion,
      name: image.name,
      ...(image.dependencies ? { dependencies: image.dependencies.map((imageName) => ({ imageName, imageID: ids.get(imageName)! })) } : {}),
      ...(image.pathWhitelist ? { pathWhitelist: image.pathWhitelist } : {}),
    };
    const members = image.entries.map((e): TarSpec => ('manifest' in e ? { file: 'manifest', content: JSON.stringify(manifest) } : e));
    ids.set(image.name, (await store.add(makeTar(members))).id);
  }
  return { store, ids };
}

/** Go's checkExpectedFiles defaults: a mode not given is 0755 for a directory, 0644 for anything else. */
function withDefaults(f: FileInfo): FileInfo {
  return f.mode !== undefined || f.type === 'symlink' ? f : { ...f, mode: f.type === 'dir' ? 0o755 : 0o644 };
}

/** Compares as Go does: the same path set; types; sizes of regular files (not the manifest); modes but of symlinks. */
function assertFiles(got: readonly FileInfo[], expected: readonly FileInfo[], where: string): void {
  const want = new Map(expected.map((f) => [f.path, withDefaults(f)]));
  assert.deepEqual(got.map((f) => f.path).sort(), [...want.keys()].sort(), `${where}: the path set`);
  for (const f of got) {
    const w = want.get(f.path)!;
    assert.equal(f.type, w.type, `${where}: type of ${f.path}`);
    if (w.type === 'file' && w.path !== 'manifest') assert.equal(f.size, w.size ?? 0, `${where}: size of ${f.path}`);
    if (w.type !== 'symlink' && w.path !== 'manifest') assert.equal(f.mode, w.mode, `${where}: mode of ${f.path}`);
  }
}

/** The selection as Go's fileInfo list: Go adds the rendered image's `manifest`, which renderImage keeps as `images[0]`. */
function selected(r: RenderedImage): FileInfo[] {
  const out: FileInfo[] = [{ path: 'manifest', type: 'file' }];
  for (const e of r.entries) {
    const h = e.header;
    const type: FileType = h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'file';
    out.push({ path: e.path, type, ...(type === 'file' ? { size: h.size } : {}), mode: h.mode & 0o777 });
  }
  return out;
}

/**
 * The written tree as Go's fileInfo list: every symlink and file, and every directory the selection names. A
 * directory made only to hold entries below it (Go's archives often have no entry for it) is left out, as Go's
 * list leaves it out.
 */
function onDisk(dir: string, named: ReadonlySet<string>): FileInfo[] {
  const out: FileInfo[] = [{ path: 'manifest', type: 'file' }];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, path));
      const archivePath = `rootfs/${path}`;
      if (st.isDirectory()) {
        if (named.has(archivePath)) out.push({ path: archivePath, type: 'dir', mode: st.mode & 0o777 });
        walk(path);
      } else if (st.isSymbolicLink()) out.push({ path: archivePath, type: 'symlink' });
      else out.push({ path: archivePath, type: 'file', size: st.size, mode: st.mode & 0o777 });
    }
  };
  if (named.has('rootfs')) out.push({ path: 'rootfs', type: 'dir', mode: lstatSync(dir).mode & 0o777 });
  walk('');
  return out;
}

const { scenarios } = readJsonFixture<{ scenarios: GoScenario[] }>('render', 'go-scenarios.json');

describe("the Go reference renderer scenarios, with Go's inputs and expected files", () => {
  for (const s of scenarios) {
    it(`${s.rule} ${s.go}: ${s.name}`, async () => {
      const { store, ids } = await buildStore(s);
      // Rendered twice, as Go does: found by name, and by image ID (Go: from the prepared list).
      for (const ref of [{ name: s.render }, ids.get(s.render)!]) {
        const where = `${s.name} by ${typeof ref === 'string' ? 'image ID' : 'name'}`;
        const r = await renderImage(store, ref);
        assert.deepEqual(
          r.images.map((i) => i.image.manifest.name),
          s.order,
          `${where}: image order`,
        );
        if (s.levels)
          assert.deepEqual(
            r.images.map((i) => i.level),
            s.levels,
            `${where}: levels`,
          );
        assert.equal(r.images[0]!.image.manifest.name, s.render, `${where}: the manifest is the rendered image's`);
        assert.deepEqual(
          r.warnings.map((w) => w.code),
          s.warnings ?? [],
          `${where}: warnings`,
        );
        assertFiles(selected(r), s.expected, `${where}, selection`);
        const dir = join(tmp, `${s.name}-${typeof ref === 'string' ? 'id' : 'name'}`);
        await writeRendered(store, r, dir);
        assertFiles(onDisk(dir, new Set(r.entries.map((e) => e.path))), s.expected, `${where}, written`);
      }
    });
  }

  it('ports every scenario test of acirenderer_test.go but TestGetUpperPWLM (in resolve.test.ts)', () => {
    const goTests = [
      'TestDirFromParent',
      'TestNewDir',
      'TestDirOverride',
      'TestFileFromParent',
      'TestNewFile',
      'TestFileOverride',
      'TestFileOvverideDir',
      'TestPWLOnlyParent',
      'TestPWLOnlyImage',
      'Test2Deps1',
      'Test2Deps2',
      'Test3Deps',
      'TestEmptyRootFsDir',
    ];
    assert.deepEqual([...new Set(scenarios.map((s) => s.go))], goTests);
  });
});
