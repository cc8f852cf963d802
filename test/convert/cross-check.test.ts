// Cross-checks against independent tools: umoci (applies OCI layers with whiteouts to a rootfs) and skopeo
// (rewrites images between docker save archives and OCI layouts). Each test is skipped only when its tool
// is not installed (Debian: apt-get install umoci skopeo).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertOciImage } from '../../src/convert/convert.js';
import { listAci } from '../support/aci-listing.js';
import { fixturePath } from '../support/paths.js';

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const hasUmoci = has('umoci');
const hasSkopeo = has('skopeo');
const work = mkdtempSync(join(tmpdir(), 'convert-xcheck-'));
after(() => rmSync(work, { recursive: true, force: true }));
const HOST = { os: 'linux', architecture: 'amd64' } as const;

/** `path -> "kind mode content-or-target"` for the rootfs of an ACI, hard links resolved to their target. */
async function aciTree(aci: string): Promise<Map<string, string>> {
  const lines = await listAci(aci);
  const byPath = new Map<string, string>();
  const links: [string, string][] = [];
  for (const line of lines) {
    const [kind, mode, , path, ...rest] = line.split(' ');
    if (path === 'manifest' || path === 'rootfs') continue;
    const rel = path!.slice('rootfs/'.length);
    if (kind === 'h') links.push([rel, rest[1]!.slice('rootfs/'.length)]);
    else byPath.set(rel, `${kind} ${mode} ${kind === 'f' ? rest[1] : kind === 'l' ? rest[1] : ''}`);
  }
  for (const [p, target] of links) byPath.set(p, byPath.get(target)!);
  return byPath;
}

/** The same for a directory tree on disk. */
function dirTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out.set(rel, `l ${mode} ${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.set(rel, `d ${mode} `);
        walk(full, rel);
      } else out.set(rel, `f ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)}`);
    }
  };
  walk(root, '');
  return out;
}

function sorted(m: Map<string, string>): [string, string][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('cross-check with umoci and skopeo', () => {
  for (const [fixture, tag] of [
    ['oci-basic', 'example.com/basic:1.0'],
    ['docker-oci.tar', 'latest'],
  ] as const) {
    it(`umoci unpack of ${fixture} gives the same rootfs as the squashed ACI`, { skip: !hasUmoci && 'umoci is not installed' }, async () => {
      const layout = join(work, `umoci-${fixture}`);
      if (fixture.endsWith('.tar')) {
        mkdirSync(layout);
        execFileSync('tar', ['-xf', fixturePath('convert', fixture), '-C', layout]);
      } else cpSync(fixturePath('convert', fixture), layout, { recursive: true });
      // umoci's --image takes PATH:TAG and splits at the first colon: give the image a plain tag.
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
      assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], tag);
      index.manifests[0].annotations['org.opencontainers.image.ref.name'] = 'xcheck';
      writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
      const bundle = join(work, `bundle-${fixture}`);
      execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:xcheck`, bundle], { stdio: 'ignore' });
      const report = await convertOciImage(fixturePath('convert', fixture), { output: join(work, `umoci-${fixture}.aci`), host: HOST });
      assert.deepEqual(sorted(await aciTree(report.output)), sorted(dirTree(join(bundle, 'rootfs'))));
    });
  }

  it('skopeo: docker-legacy.tar rewritten as an OCI layout converts to the same files and app', { skip: !hasSkopeo && 'skopeo is not installed' }, async () => {
    const layout = join(work, 'skopeo-oci');
    execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${fixturePath('convert', 'docker-legacy.tar')}`, `oci:${layout}:latest`]);
    const direct = await convertOciImage(fixturePath('convert', 'docker-legacy.tar'), { output: join(work, 'legacy-direct.aci'), host: HOST });
    const viaSkopeo = await convertOciImage(layout, { output: join(work, 'legacy-skopeo.aci'), host: HOST, name: 'example.com/legacy', version: '3.1' });
    assert.deepEqual(sorted(await aciTree(viaSkopeo.output)), sorted(await aciTree(direct.output)));
    assert.deepEqual(viaSkopeo.manifest.app, direct.manifest.app);
    assert.deepEqual(viaSkopeo.manifest.labels, direct.manifest.labels);
  });

  it('skopeo: oci-basic rewritten as a docker save archive converts to the same files and app', { skip: !hasSkopeo && 'skopeo is not installed' }, async () => {
    const archive = join(work, 'skopeo-basic.tar');
    execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${fixturePath('convert', 'oci-basic')}:example.com/basic:1.0`, `docker-archive:${archive}:example.com/basic:1.0`]);
    const direct = await convertOciImage(fixturePath('convert', 'oci-basic'), { output: join(work, 'basic-direct.aci'), host: HOST });
    const viaSkopeo = await convertOciImage(archive, { output: join(work, 'basic-skopeo.aci'), host: HOST });
    assert.equal(viaSkopeo.format, 'docker-archive');
    assert.deepEqual(viaSkopeo.references, ['example.com/basic:1.0']);
    assert.deepEqual(sorted(await aciTree(viaSkopeo.output)), sorted(await aciTree(direct.output)));
    assert.deepEqual(viaSkopeo.manifest.app, direct.manifest.app);
    assert.equal(viaSkopeo.configDigest, direct.configDigest);
  });
});
