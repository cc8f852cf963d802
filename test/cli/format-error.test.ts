import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatError } from '../../src/cli/format-error.js';
import { AppcError } from '../../src/issues/appc-error.js';
import { runActool } from '../support/run-actool.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-format-error-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('format-error: every failure is one line naming its path', () => {
  it('names the path of a Node error that carries none, and escapes control characters', () => {
    const eisdir = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    assert.equal(formatError(eisdir, 'some/dir'), 'some/dir: is a directory');
    assert.equal(formatError(new AppcError('ACI_X', 'bad\nname', { entry: 'rootfs/\u001bx' })), 'entry rootfs/\\x1bx: bad\\nname [ACI_X]');
    assert.equal(formatError('plain'), 'plain');
  });

  it('EISDIR names the directory for cat-manifest, image-id, extract, patch-manifest, trust and store add', async () => {
    const dir = join(tmp, 'a-directory');
    mkdirSync(dir);
    const runs: [string, string[]][] = [
      ['cat-manifest', ['cat-manifest', dir]],
      ['image-id', ['image-id', dir]],
      ['extract', ['extract', dir, join(tmp, 'out')]],
      ['patch-manifest', ['patch-manifest', '--name=example.com/x', dir, join(tmp, 'patched.aci')]],
      ['patch-manifest', ['patch-manifest', `--manifest=${dir}`, dir, join(tmp, 'patched.aci')]],
      ['trust', ['trust', `--keystore=${join(tmp, 'ks')}`, '--root', '--skip-fingerprint-review', dir]],
      ['store', ['store', 'add', `--store=${join(tmp, 'store')}`, dir]],
    ];
    for (const [name, args] of runs) {
      const r = await runActool(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*: is a directory`), `${name}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
