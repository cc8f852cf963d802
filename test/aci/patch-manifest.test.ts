import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readAciEntries } from '../../src/aci/entries.js';
import { applyManifestPatch, patchManifest } from '../../src/aci/patch-manifest.js';
import { readAciManifest } from '../../src/aci/read-aci.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';
import { parseImageManifest } from '../../src/schema/image-manifest.js';
import { fixturePath } from '../support/paths.js';
import { tempDir } from '../support/aci-layout.js';
import { runActool } from '../support/run-actool.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (): string => join(tmp, `p${n++}.aci`);
const base = (() => {
  const r = parseImageManifest('{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}');
  assert.ok(r.ok);
  return r.value;
})();
const withApp = (() => {
  const r = parseImageManifest(
    '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app","app":{"exec":["/a"],"user":"0","group":"0","isolators":[{"name":"os/linux/capabilities-remove-set","value":{"set":["CAP_MKNOD"]}}]}}',
  );
  assert.ok(r.ok);
  return r.value;
})();
const codes = (r: { ok: boolean } & ({ issues: readonly { code: string }[] } | { warnings: readonly { code: string }[] })): string[] => ('issues' in r ? r.issues : r.warnings).map((i) => i.code);

async function entries(file: string): Promise<{ name: string; type: string; mode: number; mtime: number; body: string; xattrs: unknown }[]> {
  const list = [];
  for await (const e of readAciEntries(file)) {
    let body = '';
    for await (const c of e.body) body += Buffer.from(c).toString('latin1');
    list.push({ name: e.header.name, type: e.header.type, mode: e.header.mode, mtime: e.header.mtime, body: e.path === 'manifest' ? '' : body, xattrs: e.header.xattrs });
  }
  return list;
}

describe('applyManifestPatch (actool patch-manifest flags, checklist §7)', () => {
  it('sets name, exec (adding an app), user, group, groups, mounts, ports, isolators and seccomp', () => {
    const r = applyManifestPatch(base, {
      name: 'example.com/new',
      exec: '/bin/app --debug',
      user: '1000',
      group: '100',
      supplementaryGroups: '1,2',
      mounts: 'work,path=/opt:data,path=/data,readOnly=true',
      ports: 'http,protocol=tcp,port=8080',
      isolators: 'resource/memory,limit=1G:os/linux/no-new-privileges,true',
      seccompMode: 'remove,errno=EPERM',
      seccompSet: 'reboot,kexec_load',
      capability: 'CAP_NET_BIND_SERVICE',
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    const app = r.value.app!;
    assert.equal(r.value.name, 'example.com/new');
    assert.deepEqual(app.exec, ['/bin/app', '--debug']);
    assert.deepEqual(app.supplementaryGIDs, [1, 2]);
    assert.deepEqual(
      app.mountPoints?.map((m) => m.name),
      ['work', 'data'],
    );
    assert.equal(app.ports?.[0]?.port, 8080);
    assert.deepEqual(
      app.isolators?.map((i) => i.name),
      ['os/linux/capabilities-retain-set', 'os/linux/seccomp-remove-set', 'resource/memory', 'os/linux/no-new-privileges'],
    );
  });

  it('--capability and --revoke-capability replace both capability isolators', () => {
    const r = applyManifestPatch(withApp, { revokeCapability: 'CAP_SYS_ADMIN' });
    assert.ok(r.ok);
    assert.deepEqual(r.value.app!.isolators, [{ name: 'os/linux/capabilities-remove-set', value: { set: ['CAP_SYS_ADMIN'] } }]);
  });

  const failures: [string, ImageManifest, Parameters<typeof applyManifestPatch>[1], string][] = [
    ['app flags without an app and without --exec', base, { user: '0', seccompMode: 'remove' }, 'ACI_PATCH_NO_APP'],
    ['--capability with --revoke-capability', withApp, { capability: 'CAP_A', revokeCapability: 'CAP_B' }, 'ACI_PATCH_CONFLICT'],
    ['--seccomp-set without --seccomp-mode', withApp, { seccompSet: 'read' }, 'ACI_PATCH_CONFLICT'],
    ['--manifest with other edits', withApp, { manifest: '{}', name: 'x.com/y' }, 'ACI_PATCH_CONFLICT'],
    ['a supplementary group that is not a number', withApp, { supplementaryGroups: '1,x' }, 'ACI_PATCH_BAD_VALUE'],
    ['an invalid name', withApp, { name: 'Bad Name' }, 'ACIDENTIFIER_INVALID_CHAR'],
    ['an invalid mount', withApp, { mounts: 'work' }, 'MOUNTPOINT_FLAG_INVALID'],
    ['an invalid port', withApp, { ports: 'http,port=99999' }, 'PORT_FLAG_INVALID'],
    ['an unsupported isolator', withApp, { isolators: 'os/linux/seccomp-remove-set,x=y' }, 'ISOLATOR_FLAG_UNSUPPORTED'],
    ['an unknown seccomp mode', withApp, { seccompMode: 'allow' }, 'ISOLATOR_FLAG_INVALID'],
    ['--exec on a manifest without app and no user or group (the result must be valid)', base, { exec: '/a' }, ''],
  ];
  for (const [what, manifest, patch, code] of failures) {
    it(`refuses ${what}${code ? ` (${code})` : ''}`, () => {
      const r = applyManifestPatch(manifest, patch);
      assert.equal(r.ok, false);
      if (code) assert.ok(codes(r).includes(code), JSON.stringify(codes(r)));
    });
  }

  it('--manifest replaces the whole manifest, validated', () => {
    const r = applyManifestPatch(withApp, { manifest: '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/other"}' });
    assert.ok(r.ok);
    assert.equal(r.value.name, 'example.com/other');
    assert.equal(applyManifestPatch(withApp, { manifest: '{"acKind":"ImageManifest"}' }).ok, false);
  });
});

describe('patchManifest (archives)', () => {
  it('copies every other entry unchanged (PAX names and xattrs too) and writes a valid, GNU-tar-readable ACI', async () => {
    for (const name of ['gnu-tar-xz.aci', 'pax-path.aci', 'manifest-first.aci', 'pax-long-names.aci']) {
      const file = out();
      const r = await patchManifest(fixturePath('aci', name), file, { name: 'example.com/patched' });
      assert.equal(r.compression, 'gzip');
      const v = await validateAci(file);
      assert.deepEqual(v.issues, [], name);
      assert.equal(v.imageId, r.imageId);
      assert.deepEqual(await entries(file), await entries(fixturePath('aci', name)), name);
      assert.equal((await readAciManifest(file)).manifest.ok && (await readAciManifest(file)).manifest.ok, true);
      const m = await readAciManifest(file);
      assert.equal(m.manifest.ok && m.manifest.value.name, 'example.com/patched');
      assert.equal(spawnSync('tar', ['-tzf', file]).status, 0);
    }
  });

  it('--no-compression writes a plain tar; a function edit works too', async () => {
    const file = out();
    const r = await patchManifest(fixturePath('aci', 'minimal.aci'), file, (m) => ({ ok: true, value: { ...m, name: 'example.com/fn' } as ImageManifest, warnings: [] }), { compression: 'none' });
    assert.equal(r.compression, 'none');
    assert.equal((await validateAci(file)).compression, 'none');
  });

  it('reads the input from any source (bytes here)', async () => {
    const file = out();
    await patchManifest(readFileSync(fixturePath('aci', 'gnu-tar-gzip.aci')), file, { name: 'example.com/from-bytes' });
    const m = await readAciManifest(file);
    assert.equal(m.manifest.ok && m.manifest.value.name, 'example.com/from-bytes');
    await assert.rejects(patchManifest(readFileSync(fixturePath('aci', 'minimal.aci')), undefined, { name: 'a.com/b' }, { replace: true }), TypeError);
  });

  it('--replace writes over the input through a temporary file', async () => {
    const file = out();
    copyFileSync(fixturePath('aci', 'gnu-tar-bzip2.aci'), file);
    await patchManifest(file, undefined, { name: 'example.com/replaced' }, { replace: true });
    const m = await readAciManifest(file);
    assert.equal(m.manifest.ok && m.manifest.value.name, 'example.com/replaced');
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('refuses an invalid patch, a missing manifest, an invalid original manifest, an existing output; leaves nothing', async () => {
    const file = out();
    await assert.rejects(
      patchManifest(fixturePath('aci', 'minimal.aci'), file, { user: '0' }),
      (e: { code: string; issues: { code: string }[] }) => e.code === 'ACI_PATCH_INVALID' && e.issues[0]?.code === 'ACI_PATCH_NO_APP',
    );
    await assert.rejects(patchManifest(fixturePath('aci', 'missing-manifest.aci'), file, { name: 'a.com/b' }), { code: 'ACI_MISSING_MANIFEST' });
    await assert.rejects(patchManifest(fixturePath('aci', 'invalid-manifest.aci'), file, { name: 'a.com/b' }), { code: 'ACI_PATCH_INVALID' });
    await assert.rejects(patchManifest(fixturePath('aci', 'truncated-gzip.aci'), file, { name: 'a.com/b' }), { code: 'ACI_TRUNCATED' });
    assert.equal(existsSync(file), false);
    writeFileSync(file, 'old');
    await assert.rejects(patchManifest(fixturePath('aci', 'minimal.aci'), file, { name: 'a.com/b' }), { code: 'ACI_OUTPUT_EXISTS' });
    await assert.rejects(patchManifest(fixturePath('aci', 'minimal.aci'), join(tmp, 'x.tar'), { name: 'a.com/b' }), { code: 'ACI_BAD_EXTENSION' });
    // --manifest may replace an invalid original manifest.
    await patchManifest(fixturePath('aci', 'invalid-manifest.aci'), file, { manifest: '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"a.com/b"}' }, { overwrite: true });
    assert.deepEqual((await validateAci(file)).issues, []);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.tmp-')),
      [],
    );
  });
});

describe('actool patch-manifest', () => {
  it('applies flags, exits 0; refuses bad flags with 1 and usage errors with 2', async () => {
    const file = out();
    const ok = await runActool(['patch-manifest', '--exec=/bin/true', '--user=0', '--group=0', '--ports=http,protocol=tcp,port=80', fixturePath('aci', 'gnu-tar-gzip.aci'), file]);
    assert.equal(ok.code, 0, ok.stderr);
    const m = await readAciManifest(file);
    assert.deepEqual(m.manifest.ok && m.manifest.value.app?.exec, ['/bin/true']);
    const bad = await runActool(['patch-manifest', '--user=0', fixturePath('aci', 'minimal.aci'), out()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ACI_PATCH_NO_APP/);
    assert.equal((await runActool(['patch-manifest', '--replace', '--overwrite', file])).code, 2);
    assert.equal((await runActool(['patch-manifest', fixturePath('aci', 'minimal.aci')])).code, 2);
    assert.equal((await runActool(['patch-manifest', '--replace', file, out()])).code, 2);
    const manifestFile = join(tmp, 'm.json');
    writeFileSync(manifestFile, '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/from-file"}');
    assert.equal((await runActool(['patch-manifest', '--replace', `--manifest=${manifestFile}`, file])).code, 0);
    const m2 = await readAciManifest(file);
    assert.equal(m2.manifest.ok && m2.manifest.value.name, 'example.com/from-file');
  });
});
