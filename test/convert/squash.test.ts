import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { TarHeader } from '../../src/aci/tar/header.js';
import { isAppcError } from '../../src/issues/appc-error.js';
import type { LayerEntry } from '../../src/convert/squash.js';
import { applyLayer, cleanLayerPath, FsTree, walkTree } from '../../src/convert/squash.js';

type Spec = string | [string, 'dir' | 'sym' | 'link', string?];

/** Fabricates a layer's entries: "path" is a file, [path, 'dir'], [path, 'sym', target], [path, 'link', target]. */
function entries(specs: readonly Spec[]): LayerEntry[] {
  return specs.map((s, ordinal) => {
    const [name, kind, target] = typeof s === 'string' ? [s, 'file' as const, undefined] : s;
    const type = kind === 'dir' ? 'directory' : kind === 'sym' ? 'symlink' : kind === 'link' ? 'link' : 'file';
    const header: TarHeader = {
      name,
      linkname: target ?? '',
      type,
      typeflag: '0',
      mode: kind === 'dir' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      size: type === 'file' ? name.length : 0,
      declaredSize: 0,
      mtime: 1,
      uname: '',
      gname: '',
      devmajor: 0,
      devminor: 0,
      utf8: true,
      offset: 0,
      dataOffset: 0,
    };
    return { ordinal, path: cleanLayerPath(name, 'test'), header };
  });
}

function apply(layers: readonly (readonly Spec[])[], layered = false): { tree: FsTree; own: FsTree[] } {
  const tree = new FsTree();
  const own: FsTree[] = [];
  layers.forEach((l, i) => {
    const mine = layered ? new FsTree() : undefined;
    applyLayer(tree, entries(l), i, `layer ${i}`, mine);
    if (mine) own.push(mine);
  });
  return { tree, own };
}

function paths(tree: FsTree): string[] {
  return [...walkTree(tree)].map(({ path, node }) => `${path}${node.kind === 'directory' ? '/' : node.kind === 'symlink' ? '@' : ''}`);
}

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return isAppcError(e) ? e.code : `not an AppcError: ${String(e)}`;
  }
}

describe('applying layers', () => {
  it('a whiteout deletes a lower file and its subtree; a lower directory by name', () => {
    const { tree } = apply([
      ['a/x', 'a/y', 'b/c/d'],
      ['a/.wh.x', '.wh.b'],
    ]);
    assert.deepEqual(paths(tree), ['a/', 'a/y']);
  });

  it('an opaque marker hides lower content but keeps what its own layer adds', () => {
    const { tree } = apply([
      ['d/old', 'd/sub/old'],
      ['d/new', 'd/.wh..wh..opq', 'd/newer'],
    ]);
    assert.deepEqual(paths(tree), ['d/', 'd/new', 'd/newer']);
  });

  it("a whiteout never deletes its own layer's file (OCI layer.md: lower layers only)", () => {
    const { tree } = apply([['f'], ['f', '.wh.f']]);
    assert.deepEqual(paths(tree), ['f']);
  });

  it('a file over a directory drops the subtree; a directory over a directory merges', () => {
    assert.deepEqual(paths(apply([['d/x'], ['d']]).tree), ['d']);
    assert.deepEqual(paths(apply([['d/x'], [['d', 'dir'], 'd/y']]).tree), ['d/', 'd/x', 'd/y']);
    assert.deepEqual(paths(apply([['d'], [['d', 'dir'], 'd/y']]).tree), ['d/', 'd/y']);
  });

  it('parents no layer defines are implicit directories', () => {
    const { tree } = apply([['a/b/c']]);
    const a = tree.lookup('a')!;
    assert.equal(a.kind, 'directory');
    assert.equal(a.implicit, true);
    assert.equal(a.meta.mode, 0o755);
  });

  it('hard links share the body, which survives the removal of the first name', () => {
    const { tree } = apply([['a', ['b', 'link', 'a']], ['.wh.a']]);
    assert.deepEqual(paths(tree), ['b']);
    assert.deepEqual(tree.lookup('b')!.content, { layer: 0, ordinal: 0, name: 'a', size: 1 });
  });

  it('hard link targets: absolute means the layer root; missing, removed, directory and climbing ones fail', () => {
    assert.equal(
      code(() => apply([['a', ['b', 'link', '/a']]])),
      undefined,
    );
    assert.equal(
      code(() => apply([[['b', 'link', 'nope']]])),
      'CONVERT_HARDLINK_DANGLING',
    );
    assert.equal(
      code(() => apply([['a'], ['.wh.a', ['b', 'link', 'a']]])),
      'CONVERT_HARDLINK_DANGLING',
    );
    assert.equal(
      code(() =>
        apply([
          [
            ['d', 'dir'],
            ['b', 'link', 'd'],
          ],
        ]),
      ),
      'CONVERT_HARDLINK_TO_DIRECTORY',
    );
    assert.equal(
      code(() => apply([['a', ['b', 'link', '../a']]])),
      'CONVERT_HARDLINK_ESCAPE',
    );
    assert.equal(
      code(() => apply([['a', ['b', 'link', '']]])),
      'CONVERT_HARDLINK_ESCAPE',
    );
    // A link through a symlink does not resolve: links name paths, they do not follow symlinks.
    assert.equal(
      code(() => apply([[['d', 'dir'], 'd/f', ['s', 'sym', 'd'], ['b', 'link', 's/f']]])),
      'CONVERT_HARDLINK_DANGLING',
    );
  });

  it('layered: a hard link to a lower layer cannot be held by one layer ACI', () => {
    assert.equal(
      code(() => apply([['a'], [['b', 'link', 'a']]], true)),
      'CONVERT_HARDLINK_ACROSS_LAYERS',
    );
    const { own } = apply([['a'], ['c', ['b', 'link', 'c']]], true);
    assert.deepEqual(paths(own[1]!), ['b', 'c']);
  });

  it('an entry under a symlink or a file fails (the symlink trick)', () => {
    assert.equal(
      code(() => apply([[['l', 'sym', '/etc']], ['l/passwd']])),
      'CONVERT_PATH_THROUGH_SYMLINK',
    );
    assert.equal(
      code(() => apply([['f', 'f/x']])),
      'CONVERT_PATH_THROUGH_SYMLINK',
    );
    // Replacing the symlink by a directory first is fine (Docker removes the symlink).
    assert.deepEqual(paths(apply([[['l', 'sym', '/etc']], [['l', 'dir'], 'l/passwd']]).tree), ['l/', 'l/passwd']);
  });

  it('names: ./ prefixes and trailing slashes are cleaned; absolute, .. and escaping whiteouts fail', () => {
    assert.deepEqual(paths(apply([['./a/b', ['./c/', 'dir'], './']]).tree), ['a/', 'a/b', 'c/']);
    assert.equal(
      code(() => apply([['/etc/passwd']])),
      'CONVERT_PATH_ABSOLUTE',
    );
    assert.equal(
      code(() => apply([['a/../../b']])),
      'CONVERT_PATH_TRAVERSAL',
    );
    assert.equal(
      code(() => apply([['a/../b']])),
      'CONVERT_PATH_TRAVERSAL',
    );
    assert.equal(
      code(() => apply([['a'], ['x/.wh...']])),
      'CONVERT_WHITEOUT_ESCAPE',
    );
    assert.equal(
      code(() => apply([['a'], ['.wh..']])),
      'CONVERT_WHITEOUT_ESCAPE',
    );
  });

  it('stops at maxEntries', () => {
    const tree = new FsTree({ maxEntries: 3 });
    assert.equal(
      code(() => applyLayer(tree, entries(['a', 'b', 'c', 'd']), 0, 'layer 0')),
      'CONVERT_LIMIT_EXCEEDED',
    );
  });

  it('matches a flat reference model on random layers (property)', () => {
    // The model: a map from path to kind, whiteouts applied first, then entries in order.
    const model = (layers: Spec[][]): string[] | 'error' => {
      const m = new Map<string, 'file' | 'dir' | 'sym'>();
      const drop = (p: string, self: boolean): void => {
        for (const k of [...m.keys()]) if ((self && k === p) || k.startsWith(p === '' ? '' : p + '/')) m.delete(k);
      };
      for (const layer of layers) {
        for (const s of layer) {
          const name = typeof s === 'string' ? s : s[0];
          const base = name.split('/').pop()!;
          const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
          if (base === '.wh..wh..opq') {
            if (dir === '' || m.get(dir) === 'dir') drop(dir, false);
          } else if (base.startsWith('.wh.')) drop(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`, true);
        }
        for (const s of layer) {
          const [name, kind] = typeof s === 'string' ? [s, 'file' as const] : [s[0], s[1] === 'dir' ? ('dir' as const) : ('sym' as const)];
          if (name.split('/').pop()!.startsWith('.wh.')) continue;
          const parts = name.split('/');
          for (let i = 1; i < parts.length; i++) {
            const a = parts.slice(0, i).join('/');
            const k = m.get(a);
            if (k === undefined) m.set(a, 'dir');
            else if (k !== 'dir') return 'error';
          }
          if (kind === 'dir' && m.get(name) === 'dir') continue;
          drop(name, true);
          m.set(name, kind);
        }
      }
      return [...m.entries()].map(([p, k]) => `${p}${k === 'dir' ? '/' : k === 'sym' ? '@' : ''}`).sort((a, b) => (a.replace(/\/$/, '') < b.replace(/\/$/, '') ? -1 : 1));
    };
    const segment = fc.constantFrom('a', 'b', 'c', '.wh.a', '.wh.b', '.wh..wh..opq');
    const path = fc
      .array(segment, { minLength: 1, maxLength: 3 })
      .filter((p) => p.slice(0, -1).every((s) => !s.startsWith('.wh.')))
      .map((p) => p.join('/'));
    const spec: fc.Arbitrary<Spec> = fc.oneof(path, fc.tuple(path, fc.constant('dir' as const)), fc.tuple(path, fc.constant('sym' as const), fc.constant('x')));
    fc.assert(
      fc.property(fc.array(fc.array(spec, { maxLength: 6 }), { minLength: 1, maxLength: 4 }), (layers) => {
        const want = model(layers);
        let got: string[] | 'error';
        try {
          got = paths(apply(layers).tree).sort((a, b) => (a.replace(/[/@]$/, '') < b.replace(/[/@]$/, '') ? -1 : 1));
        } catch (e) {
          assert.ok(isAppcError(e) && e.code === 'CONVERT_PATH_THROUGH_SYMLINK', String(e));
          got = 'error';
        }
        const norm = (v: string[] | 'error'): string[] | 'error' => (v === 'error' ? v : [...v].sort());
        assert.deepEqual(norm(got), norm(want));
      }),
      { numRuns: 400 },
    );
  });
});
