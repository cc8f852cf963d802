import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostLabels } from '../../src/node/host-labels.js';

describe('hostLabels', () => {
  it('T-LB-4 maps Node platform and arch names to appc labels', () => {
    assert.deepEqual(hostLabels('linux', 'x64'), { os: 'linux', arch: 'amd64' });
    assert.deepEqual(hostLabels('darwin', 'x64'), { os: 'darwin', arch: 'x86_64' });
    assert.deepEqual(hostLabels('linux', 'arm64'), { os: 'linux', arch: 'aarch64' });
    assert.deepEqual(hostLabels('freebsd', 'ia32'), { os: 'freebsd', arch: 'i386' });
    assert.deepEqual(hostLabels('freebsd', 'arm'), { os: 'freebsd', arch: 'arm' });
    assert.match(hostLabels('linux', 'arm').arch, /^armv\d+l$/);
    assert.match(hostLabels('linux', 'ppc64').arch, /^ppc64(le)?$/);
    assert.deepEqual(hostLabels('linux', 's390x'), { os: 'linux', arch: 's390x' });
    assert.equal(typeof hostLabels().os, 'string');
  });
});
