import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openValidateInput } from '../../src/node/open-input.js';
import type { OpenedOrError } from '../../src/node/open-input.js';
import { startReadAhead } from '../../src/node/read-ahead.js';
import { fixturePath } from '../support/paths.js';
import { tempDir } from '../support/aci-layout.js';

const tmp = tempDir();
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Makes a FIFO with mkfifo(1), when there is one (not on Windows). */
function hasFifo(): boolean {
  if (existsSync(join(tmp, 'fifo'))) return true;
  return spawnSync('mkfifo', [join(tmp, 'fifo')]).status === 0;
}

/** Files of every kind validate opens: manifests, images, an empty file, a directory, a missing path, a 1.5 MiB file. */
function inputs(): string[] {
  mkdirSync(join(tmp, 'dir'), { recursive: true });
  writeFileSync(join(tmp, 'empty.json'), '');
  writeFileSync(join(tmp, 'big.bin'), new Uint8Array(1.5 * (1 << 20)).fill(7));
  const aci = readdirSync(fixturePath('aci'))
    .filter((f) => f.endsWith('.aci'))
    .map((f) => fixturePath('aci', f));
  const manifest = fixturePath('manifests', 'image', 'valid', 'spec-example.json');
  const base = [manifest, ...aci, join(tmp, 'empty.json'), join(tmp, 'dir'), join(tmp, 'missing'), join(tmp, 'big.bin')];
  if (hasFifo()) base.push(join(tmp, 'fifo'));
  return Array.from({ length: 2000 }, (_, i) => base[(i * 7) % base.length]!);
}

describe('startReadAhead', () => {
  it('hands out exactly what openValidateInput reads, or nothing, for every input in order (never a FIFO)', async () => {
    const paths = inputs();
    const ahead = await startReadAhead(paths);
    assert.ok(ahead);
    let hits = 0;
    try {
      for (let i = 0; i < paths.length; i++) {
        // Now and then this thread is slow (the thread runs ahead) or skips ahead (reads inputs itself).
        // (The first wait gives the thread time to start: hits then do not depend on the machine's speed.)
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, i === 0 ? 1000 : 20));
        const got: OpenedOrError | undefined = i % 97 < 10 ? undefined : ahead.take(i);
        if (got === undefined) continue;
        // A FIFO (no writer: opening it would block, reading it twice would split its data) is never read ahead.
        assert.ok(!paths[i]!.endsWith('fifo'), 'a FIFO was read ahead');
        hits++;
        assert.deepEqual(got, openValidateInput(paths[i]!), paths[i]);
      }
    } finally {
      ahead.close();
    }
    assert.ok(hits > 0, 'the thread read some inputs ahead');
  });

  it('gives nothing after close', async () => {
    const paths = inputs();
    const ahead = await startReadAhead(paths);
    assert.ok(ahead);
    ahead.close();
    assert.equal(ahead.take(0), undefined);
  });
});
