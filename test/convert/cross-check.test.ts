import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertOciImage } from '../../src/convert/convert.js';
import { extractAci } from '../../src/aci/extract.js';
import { fixturePath } from '../support/paths.js';

// Real tools from Debian (.ci/run installs them): umoci unpacks OCI layouts, skopeo turns docker-save archives into them.
const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const missing = ['umoci', 'skopeo'].filter((t) => !has(t));
const skip = missing.length > 0 ? `${missing.join(' and ')} not installed` : false;

const tmp = mkdtempSync(join(tmpdir(), 'appc-cross-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** path -> "file <mode> <content>" | "dir <mode>" | "symlink <target>" for every entry below root. */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const rel = relative(root, abs);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.set(rel, `symlink ${readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${(st.mode & 0o777).toString(8)}`);
        walk(abs);
      } else out.set(rel, `file ${(st.mode & 0o777).toString(8)} ${readFileSync(abs, 'utf8')}`);
    }
  };
  walk(root);
  return out;
}

async function ours(layout: string, name: string, options: Parameters<typeof convertOciImage>[2] = {}): Promise<Map<string, string>> {
  const aci = join(tmp, `${name}.aci`);
  await convertOciImage(layout, aci, options);
  const dir = join(tmp, `${name}-ours`);
  await extractAci(aci, dir, { rootfsOnly: true });
  return tree(dir);
}

function umoci(layout: string, ref: string, name: string): Map<string, string> {
  const bundle = join(tmp, `${name}-umoci`);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:${ref}`, bundle], { stdio: 'ignore' });
  return tree(join(bundle, 'rootfs'));
}

describe('cross-check with real tools', { skip }, () => {
  it('an OCI layout squashes to the same tree (names, modes, contents, symlinks) as umoci unpack', async () => {
    const layout = join(tmp, 'oci-app');
    cpSync(fixturePath('convert', 'oci-app'), layout, { recursive: true });
    assert.deepEqual(await ours(layout, 'oci-app'), umoci(layout, 'example.com/app:1.2.3', 'oci-app'));
  });

  it('a docker save archive converts to the same tree as skopeo copy to an OCI layout, then umoci unpack', async () => {
    const layout = join(tmp, 'from-skopeo');
    execFileSync('skopeo', ['copy', `docker-archive:${fixturePath('convert', 'docker-legacy.tar')}`, `oci:${layout}:busybox-like`], { stdio: 'ignore' });
    const fromDocker = join(tmp, 'docker.aci');
    await convertOciImage(fixturePath('convert', 'docker-legacy.tar'), fromDocker);
    const dir = join(tmp, 'docker-ours');
    await extractAci(fromDocker, dir, { rootfsOnly: true });
    assert.deepEqual(tree(dir), umoci(layout, 'busybox-like', 'docker'));
    // skopeo's layout converts to the same tree too (its ref name is only a tag, so the name is given).
    assert.deepEqual(await ours(layout, 'skopeo-layout', { name: 'busybox-like' }), tree(dir));
  });
});
