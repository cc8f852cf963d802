import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanPath, climbsOut, hasDotDot, joinPath, parentOf } from '../../../src/aci/tar/path.js';

describe('cleanPath (Go path.Clean, A-VA-1)', () => {
  // From Go's path/path_test.go cleantests, plus archive names.
  const cases: [string, string][] = [
    ['', '.'],
    ['abc', 'abc'],
    ['abc/def', 'abc/def'],
    ['a/b/c', 'a/b/c'],
    ['.', '.'],
    ['..', '..'],
    ['../..', '../..'],
    ['../../abc', '../../abc'],
    ['/abc', '/abc'],
    ['/', '/'],
    ['abc/', 'abc'],
    ['abc/def/', 'abc/def'],
    ['a/b/c/', 'a/b/c'],
    ['./', '.'],
    ['../', '..'],
    ['abc//def//ghi', 'abc/def/ghi'],
    ['//abc', '/abc'],
    ['///abc', '/abc'],
    ['abc/./def', 'abc/def'],
    ['/./abc/def', '/abc/def'],
    ['abc/.', 'abc'],
    ['abc/def/ghi/../jkl', 'abc/def/jkl'],
    ['abc/def/../ghi/../jkl', 'abc/jkl'],
    ['abc/def/..', 'abc'],
    ['abc/def/../..', '.'],
    ['/abc/def/../..', '/'],
    ['abc/def/../../..', '..'],
    ['/abc/def/../../..', '/'],
    ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'],
    ['abc/./../def', 'def'],
    ['abc//./../def', 'def'],
    ['abc/../../././../def', '../../def'],
    ['./rootfs/', 'rootfs'],
    ['./rootfs//a', 'rootfs/a'],
    ['rootfs/../manifest', 'manifest'],
    ['rootfs/../../a', '../a'],
  ];
  for (const [input, output] of cases) {
    it(`A-VA-1 cleans ${JSON.stringify(input)} to ${JSON.stringify(output)}`, () => assert.equal(cleanPath(input), output));
  }
  it('helpers', () => {
    assert.equal(climbsOut('../a'), true);
    assert.equal(climbsOut('..a'), false);
    assert.equal(hasDotDot('a/../b'), true);
    assert.equal(hasDotDot('a/..b'), false);
    assert.equal(joinPath('rootfs/a', '../b'), 'rootfs/b');
    assert.equal(joinPath('rootfs', '/etc'), '/etc');
    assert.equal(parentOf('rootfs/a'), 'rootfs');
    assert.equal(parentOf('rootfs'), '.');
  });
});
