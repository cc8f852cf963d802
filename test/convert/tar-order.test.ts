// Squashed ACIs are written in the order GNU tar extracts cleanly: depth first, a directory followed by
// everything below it, so a read-only (0555) directory still receives its files and directory mtimes survive.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertOciImage } from '../../src/convert/convert.js';
import { listAci } from '../support/aci-listing.js';
import { writeOciLayout } from '../support/oci-builder.js';

const work = mkdtempSync(join(tmpdir(), 'tar-order-'));
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));
const HOST = { os: 'linux', architecture: 'amd64' } as const;
const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

// Two layers: the lower one has a read-only directory and a file, the upper adds files under it and
// elsewhere, so bodies arrive out of path order and some are parked in the spool.
const layout = join(work, 'layout');
writeOciLayout(layout, {
  ref: 'example.com/order:1',
  layers: [
    {
      members: [
        { dir: 'ro', mode: 0o555, mtime: 1000 },
        { file: 'ro/a', content: 'a' },
        { dir: 'z', mtime: 2000 },
        { file: 'z/late', content: 'late' },
      ],
      gzip: true,
    },
    {
      members: [
        { file: 'b/top', content: 'top' },
        { file: 'ro/b', content: 'b' },
        { dir: 'ro', mode: 0o555, mtime: 3000 },
      ],
      gzip: true,
    },
  ],
});

describe('squashed ACI entry order (GNU tar)', () => {
  it('every directory is followed by everything below it, and a hard link by nothing before its body', async () => {
    const r = await convertOciImage(layout, { output: join(work, 'order.aci'), host: HOST });
    const paths = (await listAci(r.output)).map((l) => l.split(' ')[3]!).filter((p) => p !== 'manifest');
    assert.deepEqual(paths, ['rootfs', 'rootfs/b', 'rootfs/b/top', 'rootfs/ro', 'rootfs/ro/a', 'rootfs/ro/b', 'rootfs/z', 'rootfs/z/late']);
  });

  it('tar -xf restores directory mtimes (as root they are set after the files)', async () => {
    const r = await convertOciImage(layout, { output: join(work, 'mtime.aci'), host: HOST, compression: 'none' });
    const dir = join(work, 'x-mtime');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', r.output, '-C', dir]);
    assert.equal(statSync(join(dir, 'rootfs', 'ro')).mtimeMs, 3000_000);
    assert.equal(statSync(join(dir, 'rootfs', 'z')).mtimeMs, 2000_000);
    assert.equal(statSync(join(dir, 'rootfs', 'ro')).mode & 0o777, 0o555);
  });

  it('tar -xf as a non-root user extracts files into a 0555 directory', { skip: !asNobody && 'needs root and setpriv to run tar as another user' }, async () => {
    const r = await convertOciImage(layout, { output: join(work, 'ro.aci'), host: HOST, compression: 'none' });
    chmodSync(r.output, 0o644);
    const dir = join(work, 'x-ro');
    mkdirSync(dir);
    execFileSync('chown', ['65534:65534', dir]);
    const t = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'tar', '-xf', r.output, '-C', dir], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    assert.equal(statSync(join(dir, 'rootfs', 'ro', 'b')).size, 1);
  });
});
