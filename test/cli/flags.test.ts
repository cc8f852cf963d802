import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/cli/command.js';
import { formatError } from '../../src/cli/format-error.js';
import { openKeystore, osArchLabels, parseInsecureOptions, parsePort, readPassphraseFile } from '../../src/cli/flags.js';
import { hostLabels } from '../../src/node/host-labels.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-flags-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('shared CLI flags', () => {
  it('--port takes 1-65535 only; absent is undefined', () => {
    assert.equal(parsePort(undefined), undefined);
    assert.equal(parsePort('1'), 1);
    assert.equal(parsePort('65535'), 65535);
    for (const bad of ['0', '65536', '-1', '1.5', 'http', '', ' 80']) assert.throws(() => parsePort(bad), UsageError, bad);
  });

  it('--insecure-options knows only the options of the command; all and none work', () => {
    assert.deepEqual(parseInsecureOptions(undefined, ['http', 'tls']), { http: false, tls: false });
    assert.deepEqual(parseInsecureOptions('http', ['http', 'tls']), { http: true, tls: false });
    assert.deepEqual(parseInsecureOptions('none', ['http', 'tls']), { http: false, tls: false });
    assert.deepEqual(parseInsecureOptions(' tls , image ', ['http', 'tls', 'image']), { http: false, tls: true, image: true });
    assert.deepEqual(parseInsecureOptions('all', ['http', 'tls', 'image']), { http: true, tls: true, image: true });
    assert.deepEqual(parseInsecureOptions(undefined, ['http', 'tls'], true), { http: true, tls: true });
    assert.throws(() => parseInsecureOptions('image', ['http', 'tls']), /unknown option "image" \(known: none, http, tls, all\)/);
  });

  it('--passphrase-file reads the first line relative to the working directory; a directory is named in the error', async () => {
    writeFileSync(join(tmp, 'pass'), 'secret words\r\nsecond line\n');
    assert.equal(await readPassphraseFile('pass', { cwd: tmp }), 'secret words');
    assert.equal(await readPassphraseFile(undefined, { cwd: tmp }), undefined);
    mkdirSync(join(tmp, 'dir'));
    await assert.rejects(readPassphraseFile('dir', { cwd: tmp }), (e: unknown) => {
      assert.equal(formatError(e), 'dir: is a directory');
      return true;
    });
  });

  it('--os and --arch default to this machine in appc names', () => {
    assert.deepEqual(osArchLabels({}), hostLabels());
    assert.deepEqual(osArchLabels({ os: 'freebsd', arch: 'arm64' }), { os: 'freebsd', arch: 'arm64' });
  });

  it('--keystore wins over $ACTOOL_KEYSTORE, which wins over the rkt defaults', () => {
    assert.match(openKeystore('ks', { cwd: tmp, env: { ACTOOL_KEYSTORE: '/elsewhere' } }).describe(), new RegExp(join(tmp, 'ks')));
    assert.match(openKeystore(undefined, { cwd: tmp, env: { ACTOOL_KEYSTORE: '/elsewhere' } }).describe(), /\/elsewhere/);
    assert.match(openKeystore(undefined, { cwd: tmp, env: {} }).describe(), /\/etc\/rkt\/trustedkeys/);
  });
});
