import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appcLabelsForPlatform, formatPlatform, hostPlatform, normalizePlatform, platformMatches } from '../../src/convert/platform.js';
import { imageNameFromRepository, normalizeReference, parseImageReference, referenceMatches } from '../../src/convert/image-ref.js';
import { isACIdentifier } from '../../src/schema/types/ac-identifier.js';
import { classifyWhiteout } from '../../src/convert/whiteouts.js';

describe('platforms', () => {
  it('T-LB-8 maps OCI platforms to appc os/arch labels', () => {
    const table: [string, string, string | undefined, string | undefined][] = [
      ['linux', 'amd64', undefined, 'linux/amd64'],
      ['linux', '386', undefined, 'linux/i386'],
      ['linux', 'arm64', undefined, 'linux/aarch64'],
      ['linux', 'arm64', 'v8', 'linux/aarch64'],
      ['linux', 'arm', 'v6', 'linux/armv6l'],
      ['linux', 'arm', 'v7', 'linux/armv7l'],
      ['linux', 'arm', undefined, 'linux/armv7l'],
      ['linux', 'arm', 'v5', undefined],
      ['linux', 'ppc64le', undefined, 'linux/ppc64le'],
      ['linux', 'ppc64', undefined, 'linux/ppc64'],
      ['linux', 's390x', undefined, 'linux/s390x'],
      ['linux', 'riscv64', undefined, undefined],
      ['darwin', 'amd64', undefined, 'darwin/x86_64'],
      ['freebsd', 'arm', 'v6', 'freebsd/arm'],
      ['freebsd', '386', undefined, 'freebsd/i386'],
      ['windows', 'amd64', undefined, undefined],
    ];
    for (const [os, architecture, variant, want] of table) {
      const got = appcLabelsForPlatform({ os, architecture, ...(variant ? { variant } : {}) });
      assert.equal(got ? `${got.os}/${got.arch}` : undefined, want, `${os}/${architecture}/${variant}`);
    }
  });

  it('normalizes appc and uname spellings to OCI ones', () => {
    assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(normalizePlatform({ architecture: 'armv7l' }), { architecture: 'arm', variant: 'v7' });
    assert.deepEqual(normalizePlatform({ architecture: 'armhf' }), { architecture: 'arm', variant: 'v7' });
    assert.deepEqual(normalizePlatform({ architecture: 'arm', variant: '6' }), { architecture: 'arm', variant: 'v6' });
    assert.deepEqual(normalizePlatform({ architecture: 'x86_64' }), { architecture: 'amd64' });
    assert.deepEqual(normalizePlatform({ architecture: 'i386' }), { architecture: '386' });
    assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  });

  it('matches requests: a missing variant takes any, an alias carries one', () => {
    assert.ok(platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm' }));
    assert.ok(!platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'armv7l' }));
    assert.ok(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, { architecture: 'aarch64' }));
    assert.ok(platformMatches({ os: 'linux', architecture: 'arm64' }, { architecture: 'arm64', variant: 'v8' }));
    assert.ok(!platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'windows' }));
  });

  it('T-LB-8 maps Node host names: x64 is amd64, ia32 is 386, arm carries a variant', () => {
    assert.deepEqual(hostPlatform('linux', 'x64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(hostPlatform('linux', 'ia32'), { os: 'linux', architecture: '386' });
    assert.deepEqual(hostPlatform('linux', 'arm64'), { os: 'linux', architecture: 'arm64' });
    assert.equal(hostPlatform('linux', 'arm').architecture, 'arm');
    assert.match(hostPlatform('linux', 'arm').variant ?? '', /^v\d$/);
    assert.deepEqual(hostPlatform('win32', 'x64'), { os: 'windows', architecture: 'amd64' });
    assert.deepEqual(hostPlatform('linux', 'ppc64'), { os: 'linux', architecture: 'ppc64le' });
  });
});

describe('image references', () => {
  it('splits repository, tag and digest', () => {
    assert.deepEqual(parseImageReference('busybox'), { repository: 'busybox' });
    assert.deepEqual(parseImageReference('busybox:1.36'), { repository: 'busybox', tag: '1.36' });
    assert.deepEqual(parseImageReference('localhost:5000/app'), { repository: 'localhost:5000/app' });
    assert.deepEqual(parseImageReference('localhost:5000/app:v1@sha256:abc'), { repository: 'localhost:5000/app', tag: 'v1', digest: 'sha256:abc' });
  });

  it('T-ID-6 makes strict ACIdentifiers from Docker repositories', () => {
    for (const [repo, want] of [
      ['docker.io/library/busybox', 'docker.io/library/busybox'],
      ['Example.COM/My App', 'example.com/my_app'],
      ['example.com/my__app', 'example.com/my_app'],
      ['example.com/a--b', 'example.com/a-b'],
      ['localhost:5000/app', 'localhost_5000/app'],
    ] as const) {
      const name = imageNameFromRepository(repo);
      assert.equal(name, want);
      assert.ok(isACIdentifier(name), name);
    }
    assert.equal(imageNameFromRepository('___'), undefined);
  });

  it('normalizes Docker Hub names as Docker does', () => {
    assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeReference('me/app:1'), 'docker.io/me/app:1');
    assert.equal(normalizeReference('index.docker.io/library/busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeReference('quay.io/x/y@sha256:abc'), 'quay.io/x/y@sha256:abc');
    assert.ok(referenceMatches('docker.io/library/busybox:latest', 'busybox'));
    assert.ok(!referenceMatches('docker.io/library/busybox:latest', 'busybox:1.36'));
  });
});

describe('whiteouts', () => {
  it('classifies whiteout, opaque, AUFS metadata and escaping names', () => {
    assert.equal(classifyWhiteout('etc/hosts'), undefined);
    assert.deepEqual(classifyWhiteout('etc/.wh.hosts'), { kind: 'whiteout', dir: 'etc', target: 'etc/hosts' });
    assert.deepEqual(classifyWhiteout('.wh.top'), { kind: 'whiteout', dir: '', target: 'top' });
    assert.deepEqual(classifyWhiteout('var/cache/.wh..wh..opq'), { kind: 'opaque', dir: 'var/cache' });
    assert.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque', dir: '' });
    assert.deepEqual(classifyWhiteout('.wh..wh.plnk'), { kind: 'meta' });
    assert.deepEqual(classifyWhiteout('a/.wh...'), { kind: 'escape', target: '..' });
    assert.deepEqual(classifyWhiteout('a/.wh..'), { kind: 'escape', target: '.' });
    assert.deepEqual(classifyWhiteout('.wh.'), { kind: 'escape', target: '' });
  });
});
