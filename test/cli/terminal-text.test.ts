import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeTerminalText } from '../../src/cli/terminal-text.js';
import { makeAci } from '../support/make-tar.js';
import { runActool } from '../support/run-actool.js';

describe('escapeTerminalText', () => {
  it('makes control characters, line separators and bidi overrides visible', () => {
    const rows: [string, string][] = [
      ['plain/name.txt', 'plain/name.txt'],
      ['a\nfake.aci: valid', 'a\\nfake.aci: valid'],
      ['\u001b[31mred', '\\x1b[31mred'],
      ['tab\there\r', 'tab\\there\\r'],
      ['del\u007f c1\u009b', 'del\\x7f c1\\x9b'],
      ['line\u2028sep', 'line\\u{2028}sep'],
      ['evil\u202etxt.exe', 'evil\\u{202e}txt.exe'],
      ['ünïcödé ok', 'ünïcödé ok'],
    ];
    for (const [input, want] of rows) assert.equal(escapeTerminalText(input), want, JSON.stringify(input));
  });

  it('never leaves a control character or line break in its output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        assert.doesNotMatch(escapeTerminalText(s), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('actool prints names from archives escaped (no forged lines, no terminal escapes)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'appc-terminal-text-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const forged = '\n\u001b[2Kfake.aci: valid';

  it('validate: an entry name cannot start a line of its own', async () => {
    const aci = join(tmp, 'hostile.aci');
    writeFileSync(aci, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/hostile' }, [{ file: `rootfs/../x${forged}` }]));
    for (const args of [
      ['validate', aci],
      ['validate', '--debug', aci],
      ['validate', '--format=github', aci],
    ]) {
      const r = await runActool(args);
      assert.equal(r.code, 1, r.stderr);
      const lines = (r.stdout + r.stderr).split('\n');
      assert.ok(
        lines.every((l) => !/^\u001b?\[?2?K?fake\.aci: valid/.test(l) && !l.includes('\u001b')),
        JSON.stringify(lines),
      );
      assert.match(r.stdout, /\\x1b\[2Kfake\.aci: valid/);
    }
  });

  it('render --list and store add print entry and image names escaped', async () => {
    const aci = join(tmp, 'named.aci');
    writeFileSync(aci, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/named' }, [{ file: `rootfs/evil${forged}` }]));
    const store = join(tmp, 'store');
    const added = await runActool(['store', 'add', `--store=${store}`, aci]);
    assert.equal(added.code, 0, added.stderr);
    const r = await runActool(['render', `--store=${store}`, '--list', 'example.com/named']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\/evil\\n\\x1b\[2Kfake\.aci: valid\texample\.com\/named\tsha512-/m);
    assert.ok(r.stdout.split('\n').every((l) => !l.startsWith('\u001b') && !l.startsWith('fake.aci')));
  });
});
