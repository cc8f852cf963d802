import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/actool.js';
import type { CliIO } from '../../src/cli/io.js';
import { runActool } from '../support/run-actool.js';
import type { DiscoveryServers } from '../support/discovery-servers.js';
import { startDiscoveryServers } from '../support/discovery-servers.js';
import type { HostileServer } from '../support/hostile-server.js';
import { body, endless, needsAuth, redirect, startHostileServer, trickle } from '../support/hostile-server.js';
import { makeKey, signDetached, type TestKey } from '../support/pgp.js';

let tmp: string;
let key: TestKey;
let other: TestKey;
const image = new TextEncoder().encode('an image archive\n'.repeat(100));

function io(answers: string[], cwd: string): CliIO & { out: string; err: string; asked: string[] } {
  const state = {
    out: '',
    err: '',
    asked: [] as string[],
    stdout: (t: string) => void (state.out += t),
    stderr: (t: string) => void (state.err += t),
    cwd,
    env: {},
    stderrIsTTY: false,
    stdinIsTTY: true,
    prompt: async (q: string) => {
      state.asked.push(q);
      return answers.shift();
    },
  };
  return state;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'appc-trust-cli-'));
  [key, other] = await Promise.all([makeKey({ name: 'Cli Signer' }), makeKey({ name: 'Other Signer' })]);
  writeFileSync(join(tmp, 'key.asc'), key.publicArmored);
  writeFileSync(join(tmp, 'other.asc'), other.publicArmored);
  writeFileSync(join(tmp, 'notakey.txt'), 'hello\n');
  writeFileSync(join(tmp, 'app.aci'), image);
  writeFileSync(join(tmp, 'app.aci.asc'), (await signDetached(key, image)) as string);
  const tampered = image.slice();
  tampered[3] = 0x21;
  writeFileSync(join(tmp, 'tampered.aci'), tampered);
  writeFileSync(join(tmp, 'tampered.aci.asc'), (await signDetached(key, image)) as string);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('actool trust', () => {
  it('S-4 without a terminal refuses unless --skip-fingerprint-review, after showing fingerprint and user IDs', async () => {
    const r = await runActool(['trust', '--keystore=ks1', '--prefix=example.com/app', 'key.asc'], { cwd: tmp });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /GPG key fingerprint is: [0-9A-F ]+/);
    assert.match(r.stderr, /Cli Signer <cli\.signer@example\.com>/);
    assert.match(r.stderr, /--skip-fingerprint-review/);
    assert.ok(!existsSync(join(tmp, 'ks1', 'local', 'prefix.d')));
  });

  it('S-4 asks on a terminal: yes trusts, no does not', async () => {
    const yes = io(['yes'], tmp);
    assert.equal(await main(['trust', '--keystore=ks2', '--prefix=example.com/app', 'key.asc'], yes), 0, yes.err);
    assert.deepEqual(yes.asked, ['Are you sure you want to trust this key (yes/no)? ']);
    assert.ok(statSync(join(tmp, 'ks2', 'local', 'prefix.d', 'example.com', 'app', key.fingerprint)).size > 0);
    const no = io(['no'], tmp);
    assert.equal(await main(['trust', '--keystore=ks2', '--root', 'other.asc'], no), 1);
    assert.match(no.err, /NOT trusted/);
    assert.ok(!existsSync(join(tmp, 'ks2', 'local', 'root.d')));
  });

  it('S-4 is idempotent, lists, and removes', async () => {
    const args = ['trust', '--keystore=ks3', '--root', '--skip-fingerprint-review', 'key.asc'];
    const first = await runActool(args, { cwd: tmp });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^Trusted key ${key.fingerprint} for every image \\(root\\)`));
    const again = await runActool(args, { cwd: tmp });
    assert.match(again.stdout, /^Already trusted/);
    assert.deepEqual(readdirSync(join(tmp, 'ks3', 'local', 'root.d')), [key.fingerprint]);
    const list = await runActool(['trust', '--keystore=ks3', '--list', '--json'], { cwd: tmp });
    assert.equal(list.code, 0);
    const rows = JSON.parse(list.stdout) as { fingerprint: string; prefix: string | null; origin: string; userIds: string[] }[];
    assert.deepEqual(
      rows.map((r) => [r.fingerprint, r.prefix, r.origin, r.userIds]),
      [[key.fingerprint, null, 'local', [key.userId]]],
    );
    const text = await runActool(['trust', '--keystore=ks3', '--list'], { cwd: tmp });
    assert.match(text.stdout, new RegExp(`${key.fingerprint}  \\(root\\)  local`));
    const removed = await runActool(['trust', '--keystore=ks3', `--remove=${key.fingerprint}`], { cwd: tmp });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /^Removed/);
    const missing = await runActool(['trust', '--keystore=ks3', `--remove=${key.fingerprint}`], { cwd: tmp });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /KEYSTORE_KEY_NOT_FOUND/);
  });

  it('S-4 a file that is not a key: exit 1 naming the file, nothing stored', async () => {
    const r = await runActool(['trust', '--keystore=ks4', '--root', '--skip-fingerprint-review', 'notakey.txt'], { cwd: tmp });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /notakey\.txt.*KEY_MALFORMED/);
    assert.doesNotMatch(r.stderr, /at .*\.m?js:\d+/);
  });

  it('S-4 refuses plain http key URLs without --insecure-allow-http (exit 3: a refused download)', async () => {
    const r = await runActool(['trust', '--keystore=ks5', '--root', '--skip-fingerprint-review', 'http://127.0.0.1:9/key.asc'], { cwd: tmp });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^trust: http:\/\/127\.0\.0\.1:9\/key\.asc: refusing a plain http URL.*\[HTTP_INSECURE_URL\]\n$/);
    assert.ok(!existsSync(join(tmp, 'ks5')));
  });

  it('S-4 a keystore path conflict (prefix X/<fp>, then key <fp> for X) is one line, exit 1', async () => {
    const first = await runActool(['trust', '--keystore=ks9', `--prefix=example.com/${key.fingerprint}`, '--skip-fingerprint-review', 'other.asc'], { cwd: tmp });
    assert.equal(first.code, 0, first.stderr);
    const r = await runActool(['trust', '--keystore=ks9', '--prefix=example.com', '--skip-fingerprint-review', 'key.asc'], { cwd: tmp });
    assert.equal(r.code, 1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('trust:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /is already the directory of prefix .*\[KEYSTORE_CONFLICT\]$/);
    assert.doesNotMatch(r.stderr, /EISDIR|at .*\.c?js:\d+/);
  });

  it('S-4 usage errors: both --prefix and --root, neither, bad prefix', async () => {
    assert.equal((await runActool(['trust', '--prefix=a.com', '--root', 'key.asc'], { cwd: tmp })).code, 2);
    assert.equal((await runActool(['trust', 'key.asc'], { cwd: tmp })).code, 2);
    const bad = await runActool(['trust', '--keystore=ks6', '--prefix=a.com/../etc', 'key.asc'], { cwd: tmp });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /KEYSTORE_BAD_PREFIX/);
  });
});

describe('actool verify', () => {
  before(async () => {
    const r = await runActool(['trust', '--keystore=vks', '--prefix=example.com', '--skip-fingerprint-review', 'key.asc'], { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
  });

  it('S-1 exit 0 and names the signer for a good signature', async () => {
    const r = await runActool(['verify', '--keystore=vks', '--name=example.com/app', 'app.aci'], { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^app\.aci: good signature from [0-9A-F ]+ \(Cli Signer <cli\.signer@example\.com>\), trusted for prefix example\.com\n$/);
  });

  it('S-1 --json prints the result', async () => {
    const r = await runActool(['verify', '--keystore=vks', '--name=example.com/app', '--json', 'app.aci', 'app.aci.asc'], { cwd: tmp });
    assert.equal(r.code, 0);
    const check = JSON.parse(r.stdout) as { ok: boolean; fingerprint: string; keyPrefix: string };
    assert.equal(check.ok, true);
    assert.equal(check.fingerprint, key.fingerprint);
    assert.equal(check.keyPrefix, 'example.com');
  });

  it('S-1 exit 1 for a tampered image, an untrusted name, a missing signature', async () => {
    const t = await runActool(['verify', '--keystore=vks', '--name=example.com/app', 'tampered.aci'], { cwd: tmp });
    assert.equal(t.code, 1);
    assert.match(t.stderr, /tampered\.aci: error SIGNATURE_MISMATCH/);
    const p = await runActool(['verify', '--keystore=vks', '--name=example.org/app', 'app.aci'], { cwd: tmp });
    assert.equal(p.code, 1);
    assert.match(p.stderr, /SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX.*actool trust --prefix=example\.org\/app KEYFILE/);
    const m = await runActool(['verify', '--keystore=vks', '--name=example.com/app', 'app.aci', 'notakey.txt'], { cwd: tmp });
    assert.equal(m.code, 1);
    assert.match(m.stderr, /SIGNATURE_MALFORMED/);
    const u = await runActool(['verify', '--keystore=ks-empty', '--name=example.com/app', 'app.aci'], { cwd: tmp });
    assert.equal(u.code, 1);
    assert.match(u.stderr, new RegExp(`SIGNATURE_UNKNOWN_SIGNER.*${key.fingerprint}`));
  });

  it('S-1 exit 3 for a missing image, 2 for no arguments', async () => {
    const r = await runActool(['verify', '--keystore=vks', '--name=example.com/app', 'none.aci'], { cwd: tmp });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^verify: \S*none\.aci: cannot read it: no such file or directory \[FILE_UNREADABLE\]\n$/);
    assert.equal((await runActool(['verify'], { cwd: tmp })).code, 2);
  });

  it('S-1 an unreadable image (a directory) is one line and exit 3, never a stack trace', async () => {
    mkdirSync(join(tmp, 'dir.aci'), { recursive: true });
    for (const args of [['dir.aci'], ['--name=example.com/app', 'dir.aci', 'app.aci.asc']]) {
      const r = await runActool(['verify', '--keystore=vks', ...args], { cwd: tmp });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^verify: \S*dir\.aci: cannot read it: is a directory \[FILE_UNREADABLE\]\n$/);
    }
  });
});

describe('actool trust with no key given', () => {
  let s: DiscoveryServers;
  before(async () => {
    s = await startDiscoveryServers();
  });
  after(async () => {
    await s.close();
  });

  it('S-4 needs discovery of ac-discovery-pubkeys: TRUST_NO_PUBKEYS (exit 1) when servers answer without any', async () => {
    const r = await runActool(['trust', '--keystore=ks7', '--prefix=127.0.0.1/nothing', `--port=${s.httpsPort}`, '--skip-fingerprint-review'], { cwd: tmp, env: { NODE_EXTRA_CA_CERTS: s.certFile } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TRUST_NO_PUBKEYS/);
    assert.ok(!existsSync(join(tmp, 'ks7')));
  });

  it('S-4 a discovery that reaches no server is a network failure (exit 3), nothing trusted', async () => {
    const r = await runActool(['trust', '--keystore=ks8', '--prefix=127.0.0.1/app', `--port=${s.closedPort}`, '--skip-fingerprint-review'], { cwd: tmp });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /reached no server: connection refused .*\[HTTP_NETWORK\]/);
    assert.ok(!existsSync(join(tmp, 'ks8')));
  });
});

describe('actool trust against a hostile key server', () => {
  let h: HostileServer;
  const env = (): NodeJS.ProcessEnv => ({ NODE_EXTRA_CA_CERTS: h.certFile });
  const trustUrl = (store: string, url: string, ...flags: string[]) => runActool(['trust', `--keystore=${store}`, '--root', '--skip-fingerprint-review', ...flags, url], { cwd: tmp, env: env() });
  before(async () => {
    h = await startHostileServer();
    h.routes.set('/private/key.asc', needsAuth('Bearer K', body(key.publicArmored)));
    h.routes.set(
      '/downgrade/key.asc',
      redirect((x) => x.http('/key.asc')),
    );
    h.routes.set('/key.asc', body(key.publicArmored));
    h.routes.set('/endless/key.asc', endless());
    h.routes.set('/slow/key.asc', trickle(10));
  });
  after(async () => {
    await h?.close();
  });

  it('S-4 D-HT-5 a key URL behind credentials: exit 3 without them, trusted with --auth-config', async () => {
    const denied = await trustUrl('hk1', h.https('/private/key.asc'));
    assert.equal(denied.code, 3, denied.stderr);
    assert.match(denied.stderr, /401 Unauthorized .*\[HTTP_UNAUTHORIZED\]/);
    assert.ok(!existsSync(join(tmp, 'hk1')));
    writeFileSync(join(tmp, 'key-auth.json'), JSON.stringify({ [`127.0.0.1:${h.httpsPort}`]: { type: 'bearer', token: 'K' } }));
    const r = await trustUrl('hk1', h.https('/private/key.asc'), '--auth-config=key-auth.json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Trusted key ${key.fingerprint}`));
  });

  it('S-4 D-HT-3 a key URL redirecting to plain http, an endless key and a trickling key: exit 3, nothing trusted', async () => {
    const downgrade = await trustUrl('hk2', h.https('/downgrade/key.asc'));
    assert.equal(downgrade.code, 3, downgrade.stderr);
    assert.match(downgrade.stderr, /redirect to http:\/\/127\.0\.0\.1:\d+\/key\.asc refused.*\[HTTP_REDIRECT_DOWNGRADE\]/);
    const huge = await trustUrl('hk2', h.https('/endless/key.asc'));
    assert.equal(huge.code, 3, huge.stderr);
    assert.match(huge.stderr, /larger than the limit of 1048576 bytes.*\[HTTP_TOO_LARGE\]/);
    const slow = await trustUrl('hk2', h.https('/slow/key.asc'), '--timeout=0.3');
    assert.equal(slow.code, 3, slow.stderr);
    assert.match(slow.stderr, /not finished within 300 ms.*\[HTTP_TIMEOUT\]/);
    assert.ok(!existsSync(join(tmp, 'hk2')));
  });
});
