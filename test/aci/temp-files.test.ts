// Temporary files and staging directories left by an interrupted process (aci/temp-files.ts): on SIGINT or
// SIGTERM every tracked file and directory is removed, and each unfinished output is named once, a file
// inside a tracked directory (a layer in an export's staging directory) by that directory's output.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { trackTemporaryDirectory, trackTemporaryFile } from '../../src/aci/temp-files.js';
import { tempDir } from '../support/aci-layout.js';

const tmp = tempDir('appc-temp-files-');
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Delivers `signal` to the listeners in this process (ours keeps it from ending the test) and returns what was printed. */
function deliver(signal: NodeJS.Signals): string {
  const keepAlive = (): void => {};
  process.on(signal, keepAlive);
  const write = process.stderr.write;
  let printed = '';
  process.stderr.write = ((s: string) => {
    printed += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    process.emit(signal, signal);
  } finally {
    process.stderr.write = write;
    process.off(signal, keepAlive);
  }
  return printed;
}

describe('temporary files on SIGINT/SIGTERM', () => {
  it('removes a tracked staging directory with everything in it, and names its output once', () => {
    const staging = join(tmp, '.out.tar.export-1');
    mkdirSync(join(staging, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(staging, 'blobs', 'sha256', 'ab'), 'x');
    const layer = join(staging, '.layer.tmp-1');
    writeFileSync(layer, 'partial');
    const archive = join(tmp, '.out.tar.tmp-1');
    writeFileSync(archive, 'partial');
    const out = join(tmp, 'out.tar');
    const listeners = process.listenerCount('SIGINT');
    trackTemporaryDirectory(staging, out);
    trackTemporaryFile(layer, join(staging, '.layer'));
    trackTemporaryFile(archive, out);
    const printed = deliver('SIGINT');
    assert.equal(existsSync(staging), false);
    assert.equal(existsSync(archive), false);
    assert.equal(printed, `interrupted by SIGINT: ${out} was not written (its temporary file is removed)\n`);
    assert.equal(process.listenerCount('SIGINT'), listeners, 'nothing tracked: the handlers are gone');
  });

  it('an untracked directory is left alone, and a file keeps its own line', () => {
    const staging = join(tmp, '.kept.export-2');
    mkdirSync(staging);
    const untrack = trackTemporaryDirectory(staging, join(tmp, 'kept'));
    untrack();
    const file = join(tmp, '.a.aci.tmp-2');
    writeFileSync(file, 'partial');
    trackTemporaryFile(file, join(tmp, 'a.aci'));
    assert.equal(deliver('SIGTERM'), `interrupted by SIGTERM: ${join(tmp, 'a.aci')} was not written (its temporary file is removed)\n`);
    assert.ok(existsSync(staging));
    assert.equal(existsSync(file), false);
  });
});
