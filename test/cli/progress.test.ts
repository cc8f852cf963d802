import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgress, formatBytes, NO_PROGRESS } from '../../src/cli/progress.js';

/** A writable that says it is a terminal and keeps what is drawn. */
function fakeTerminal(): Writable & { isTTY: boolean; columns: number; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { isTTY: true, columns: 120, text: () => out, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
}

describe('progress: one facility for every command', () => {
  it('shows nothing when stderr is not a terminal (pipelines, CI)', async () => {
    assert.equal(await createProgress({ stderrIsTTY: false }), NO_PROGRESS);
  });

  it('draws byte bars, item bars and per-file bars on a terminal, with names escaped', async () => {
    const term = fakeTerminal();
    const progress = await createProgress({ stderrIsTTY: true }, { stream: term });
    const overall = progress.items('validated', 300);
    const bytes = progress.bytes('evil\u001b[2Kname.aci', 2_000_000);
    bytes.update(1_000_000);
    overall.update(3);
    const unknown = progress.bytes('out.aci');
    unknown.update(5000);
    const files = progress.files(0);
    files.update('/dev/null', 10);
    files.done('/dev/null');
    await new Promise((r) => setTimeout(r, 250));
    bytes.finish();
    unknown.finish();
    overall.finish();
    progress.stop();
    const drawn = term.text();
    assert.match(drawn, /3\/300 files validated/);
    assert.match(drawn, /1\.0 MB\/2\.0 MB evil\\x1b\[2Kname\.aci/);
    assert.match(drawn, /5\.0 kB out\.aci/);
    assert.doesNotMatch(drawn, /evil\u001b/);
  });

  it('formats sizes in decimal units', () => {
    assert.deepEqual([0, 999, 1000, 1_234_567, 2e9].map(formatBytes), ['0 B', '999 B', '1.0 kB', '1.2 MB', '2.0 GB']);
  });
});
