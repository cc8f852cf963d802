import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DiscoveryServers } from '../support/discovery-servers.js';
import { startDiscoveryServers, TOKEN } from '../support/discovery-servers.js';
import { runActool } from '../support/run-actool.js';

describe('actool discover', () => {
  let s: DiscoveryServers;
  before(async () => {
    s = await startDiscoveryServers();
  });
  after(async () => {
    await s.close();
  });
  const port = (): string => `--port=${s.httpsPort}`;

  it('prints ACI/ASC lines and PublicKeys like the Go actool (certificate trusted via NODE_EXTRA_CA_CERTS)', async () => {
    const r = await runActool(['discover', port(), '--os=linux', '--arch=amd64', '127.0.0.1/ok:1.0.0'], { env: { NODE_EXTRA_CA_CERTS: s.certFile } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'ACI: https://storage.example.com/127.0.0.1/ok-1.0.0-linux-amd64.aci, ASC: https://storage.example.com/127.0.0.1/ok-1.0.0-linux-amd64.aci.asc',
        'PublicKeys: https://example.com/pubkeys.gpg',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
  });

  it("--json keeps Go's ACIEndpoints/PublicKeys shape and adds the trace; --insecure-options=tls skips the certificate check", async () => {
    const r = await runActool(['discover', '--json', '--insecure-options=tls', port(), '127.0.0.1/ok,version=2,os=freebsd,arch=arm']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(doc['ACIEndpoints'], [{ ACI: 'https://storage.example.com/127.0.0.1/ok-2-freebsd-arm.aci', ASC: 'https://storage.example.com/127.0.0.1/ok-2-freebsd-arm.aci.asc' }]);
    assert.deepEqual(doc['PublicKeys'], ['https://example.com/pubkeys.gpg']);
    assert.ok(Array.isArray(doc['Attempts']) && (doc['Attempts'] as { outcome: string }[]).some((a) => a.outcome === 'fetched'));
    assert.deepEqual(doc['Issues'], []);
    assert.match(r.stdout, /^\{\n {4}"ACIEndpoints"/);
  });

  it('exits 1 with the reason when servers answer but nothing is found, naming the URLs tried', async () => {
    const r = await runActool(['discover', port(), '127.0.0.1/nothing/here'], { env: { NODE_EXTRA_CA_CERTS: s.certFile } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /error DISCOVERY_NO_ENDPOINT \/: no ACI endpoint found for 127\.0\.0\.1\/nothing\/here \(3 prefixes tried\)/);
    assert.match(r.stderr, /expected 200 OK, got 404/);
    assert.match(r.stderr, /run "actool --debug discover/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  it('D-HT-3 exits 3 when no server answers: an untrusted certificate, a refused connection', async () => {
    const untrusted = await runActool(['discover', port(), '127.0.0.1/nothing/here']);
    assert.equal(untrusted.code, 3);
    assert.match(untrusted.stderr, /is not trusted/);
    const refused = await runActool(['discover', `--port=${s.closedPort}`, '127.0.0.1/app']);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /connection refused \(ECONNREFUSED, 127\.0\.0\.1:\d+\)/);
  });

  it('--debug prints the trace and says where os/arch came from; a missing label is named', async () => {
    const r = await runActool(['--debug', 'discover', '--insecure', port(), '127.0.0.1/keys']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /using os=\S+ \(from this machine; choose with --os\)/);
    assert.match(r.stderr, new RegExp(`\\[endpoints\\] 127\\.0\\.0\\.1/keys: https://127\\.0\\.0\\.1:${s.httpsPort}/keys\\?ac-discovery=1 no-tags: no usable ac-discovery tag`));
    assert.match(r.stderr, /\[keys\] 127\.0\.0\.1\/keys: .* 200 fetched \(reused\)/);
    assert.match(r.stderr, /DISCOVERY_NO_ENDPOINT \/: no ACI endpoint found for 127\.0\.0\.1\/keys \(2 prefixes tried\): https:\/\/127\.0\.0\.1:\d+\/keys\?ac-discovery=1: no matching tags \| https/);
    assert.match(r.stdout, /^PublicKeys: https:\/\/example\.com\/pubkeys\.gpg$/m);
  });

  it('--auth-config sends the token to its host; a 401 tells which host needs credentials', async () => {
    const denied = await runActool(['discover', '--insecure-options=tls', port(), '127.0.0.1/auth']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, new RegExp(`DISCOVERY_UNAUTHORIZED \\/: 401 Unauthorized from 127\\.0\\.0\\.1:${s.httpsPort}: configure credentials for host 127\\.0\\.0\\.1:${s.httpsPort}`));
    const file = join(s.dir, 'auth.json');
    writeFileSync(file, JSON.stringify({ [`127.0.0.1:${s.httpsPort}`]: { type: 'bearer', token: TOKEN } }));
    const ok = await runActool(['discover', '--insecure-options=tls', port(), `--auth-config=${file}`, '127.0.0.1/auth']);
    assert.equal(ok.code, 0, ok.stderr);
    writeFileSync(file, '{"x": {"type": "digest"}}');
    const bad = await runActool(['discover', `--auth-config=${file}`, '127.0.0.1/auth']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /DISCOVERY_AUTH_CONFIG_INVALID \/x\/type/);
    const missing = await runActool(['discover', `--auth-config=${join(s.dir, 'none.json')}`, '127.0.0.1/auth']);
    assert.equal(missing.code, 3);
  });

  it('exits 1 for an invalid app string and 2 for usage errors', async () => {
    const r = await runActool(['discover', 'example.com/app,channel=beta:1.2.3']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DISCOVERY_APP_COLON_AFTER_LABEL/);
    for (const args of [
      ['discover'],
      ['discover', '--port=x', 'a.com'],
      ['discover', '--insecure-options=image', 'a.com'],
      ['discover', '--prefix-match=fuzzy', 'a.com'],
      ['discover', '--timeout=0', 'a.com'],
      ['discover', '--bogus', 'a.com'],
    ]) {
      const u = await runActool(args);
      assert.equal(u.code, 2, args.join(' '));
    }
  });
});
