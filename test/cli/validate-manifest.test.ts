import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { runActool } from '../support/run-actool.js';
import { fixturePath, repoRoot } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'appc-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('actool validate (manifests)', () => {
  it('exits 0 for valid manifests of both kinds and prints only warnings', async () => {
    const r = await runActool(['validate', fixturePath('manifests/image/valid/minimal.json'), fixturePath('manifests/pod/valid/spec-example-runtime.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('prints FILE:LINE:COL: severity CODE /pointer: message and exits 1, validating every file', async () => {
    const bad = fixturePath('manifests/image/invalid/app-relative-workdir.json');
    const r = await runActool(['validate', bad, '/no/such/file.json', fixturePath('manifests/image/invalid/empty-object.json')]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:11:\\d+: error APP_WORKING_DIRECTORY_RELATIVE /app/workingDirectory: .+`));
    assert.ok(lines.some((l) => l.startsWith('/no/such/file.json: error FILE_UNREADABLE /: no such file or directory')));
    assert.ok(lines.some((l) => l.includes('error MANIFEST_UNKNOWN_KIND /acKind: acKind is missing')));
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  it('--format=json prints one object per file per line with code, severity, path, line and column', async () => {
    const r = await runActool(['validate', '--format=json', fixturePath('manifests/image/invalid/app-negative-gid.json'), fixturePath('manifests/image/valid/minimal.json')]);
    assert.equal(r.code, 1);
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first!['type'], 'manifest');
    assert.equal(first!['kind'], 'ImageManifest');
    assert.equal(first!['valid'], false);
    assert.deepEqual(first!['issues'], [
      { code: 'JSON_NUMBER_OUT_OF_RANGE', severity: 'error', path: '/app/supplementaryGIDs/1', message: '-1 is outside the range 0..4294967295', line: 13, column: 7 },
    ]);
    assert.deepEqual(second, { version: 1, file: fixturePath('manifests/image/valid/minimal.json'), type: 'manifest', kind: 'ImageManifest', valid: true, issues: [] });
  });

  it('--format=github prints workflow annotations', async () => {
    const r = await runActool(['validate', '--format=github', fixturePath('manifests/image/valid/path-whitelist-warnings.json')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^::warning file=.*path-whitelist-warnings\.json,line=7,col=\d+,title=MANIFEST_PATH_WHITELIST_RELATIVE::\/pathWhitelist\/1: /m);
  });

  it('--strict turns warnings into a failure', async () => {
    const file = fixturePath('manifests/image/valid/path-whitelist-warnings.json');
    assert.equal((await runActool(['validate', file])).code, 0);
    const r = await runActool(['validate', '--strict', file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error MANIFEST_PATH_WHITELIST_RELATIVE/);
  });

  it('reports a 1 GB file as too large without reading it', async () => {
    const big = join(tmp, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1024 ** 3);
    closeSync(fd);
    const r = await runActool(['validate', '--type=manifest', big]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error JSON_TOO_LARGE/);
  });

  it('a directory given as a manifest, an undetectable binary file and an unreadable file are one-line errors', async () => {
    const dir = join(tmp, 'dir');
    mkdirSync(dir);
    const bin = join(tmp, 'bin.dat');
    writeFileSync(bin, new Uint8Array([0, 1, 2, 3, 255]));
    const locked = join(tmp, 'locked.json');
    writeFileSync(locked, '{}');
    chmodSync(locked, 0);
    const r = await runActool(['validate', '--type=manifest', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error FILE_WRONG_TYPE \/: is a directory \(wrong --type\?\)/);
    const layout = await runActool(['validate', dir]);
    assert.match(layout.stdout, /error ACI_/);
    const r2 = await runActool(['validate', bin]);
    assert.match(r2.stdout, /error FILE_UNKNOWN_TYPE/);
    if (process.getuid?.() !== 0) {
      const r3 = await runActool(['validate', locked]);
      assert.match(r3.stdout, /error FILE_UNREADABLE \/: permission denied/);
    }
  });

  it('expands quoted glob patterns', async () => {
    const r = await runActool(['validate', '--format=json', 'fixtures/manifests/pod/valid/spec-example-{runtime,template}.json'], { cwd: fixturePath('..') });
    assert.equal(r.stdout.trim().split('\n').length, 2);
  });

  it('usage errors exit 2: no file, unknown flag, bad --format', async () => {
    for (const args of [['validate'], ['validate', '--bogus', 'x'], ['validate', '--format=xml', 'x'], ['validate', '--type=zip', 'x']]) {
      const r = await runActool(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^validate: /);
    }
  });
});

describe('actool (global)', () => {
  it('version prints the tool and spec versions', async () => {
    const r = await runActool(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^actool version \d+\.\d+\.\d+ \(appc spec 0\.8\.11\)\n$/);
  });
  it('the global --debug flag is accepted by every command', async () => {
    const { COMMANDS } = await import('../../src/cli/commands/index.js');
    for (const name of Object.keys(COMMANDS)) {
      const r = await runActool(['--debug', name, '--help']);
      assert.equal(r.code, 0, name);
    }
    assert.equal((await runActool(['--debug', 'version'])).code, 0);
    assert.equal((await runActool(['--debug', 'image-id', fixturePath('aci', 'gnu-tar-gzip.aci')])).code, 0);
  });

  it('an unknown subcommand exits 2; --help and help COMMAND exit 0', async () => {
    const r = await runActool(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown subcommand: "frobnicate"/);
    assert.equal((await runActool(['--help'])).code, 0);
    const h = await runActool(['help', 'validate']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: actool validate/);
    assert.equal((await runActool(['help', 'nope'])).code, 1);
  });

  it("the global help lists every command with the table's summary, and each module is the command it is filed under", async () => {
    const { COMMANDS } = await import('../../src/cli/commands/index.js');
    const { globalHelp } = await import('../../src/cli/actool.js');
    const help = globalHelp();
    for (const [name, entry] of Object.entries(COMMANDS)) {
      assert.match(help, new RegExp(`^  ${name} +${entry.summary.replace(/[()]/g, '\\$&')}$`, 'm'), name);
      const command = await entry.load();
      assert.equal(command.name, name);
      assert.match(command.help, new RegExp(`^Usage: actool ${name}\\b`), name);
    }
  });

  it('the bundled actool prints the global help without reading any command bundle', () => {
    // A preload records every file the process reads; the bundle loader reads commands/NAME.cjs with readFileSync.
    const preload = join(tmp, 'record-reads.cjs');
    writeFileSync(
      preload,
      "const fs = require('node:fs'); const read = fs.readFileSync; fs.readFileSync = function (p, ...rest) { if (typeof p === 'string' && /commands[\\\\/]/.test(p)) process.stderr.write('READ ' + p + '\\n'); return read.call(this, p, ...rest); };\n",
    );
    const bundle = join(repoRoot, 'dist', 'bundle', 'actool.cjs');
    const help = spawnSync(process.execPath, ['-r', preload, bundle, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^ {2}validate +Validate/m);
    assert.equal(help.stderr, '');
    // The recorder does see a command being loaded, so the empty stderr above means something.
    const version = spawnSync(process.execPath, ['-r', preload, bundle, 'version'], { encoding: 'utf8' });
    assert.equal(version.status, 0);
    assert.match(version.stderr, /READ .*commands[\\/]version\.cjs/);
  });
});

describe("Go's flag syntax (scripts written for the Go actool run unchanged)", () => {
  it('parseFlags reads -long, --bool=true/false in every ParseBool spelling, and the last occurrence wins', async () => {
    const { parseFlags, goFlagSyntax } = await import('../../src/cli/command.js');
    const options = { strict: { type: 'boolean' as const }, type: { type: 'string' as const } };
    const cases: [string[], boolean | undefined, string | undefined, string[]][] = [
      [['-strict', 'a.json'], true, undefined, ['a.json']],
      [['--strict=true', '-type=manifest', 'a.json'], true, 'manifest', ['a.json']],
      [['-type', 'layout', 'dir'], undefined, 'layout', ['dir']],
      [['--strict', '-strict=false', 'a'], false, undefined, ['a']],
      [['-strict=F', '--strict=1', 'a'], true, undefined, ['a']],
      [['-strict=0'], false, undefined, []],
      [['--', '-strict'], undefined, undefined, ['-strict']],
    ];
    for (const [argv, strict, type, positionals] of cases) {
      const { values, positionals: rest } = parseFlags(argv, options);
      assert.equal(values.strict, strict, argv.join(' '));
      assert.equal(values.type, type, argv.join(' '));
      assert.deepEqual(rest, positionals, argv.join(' '));
    }
    assert.throws(() => parseFlags(['--strict=maybe'], options), /invalid boolean value "maybe" for flag -strict/);
    assert.throws(() => parseFlags(['-nope'], options), /Unknown option/);
    // A single-letter short flag that is not a long option name is left to parseArgs.
    assert.deepEqual(goFlagSyntax(['-h'], options).args, ['-h']);
  });

  it('actool -debug validate x.aci prints "FILE: valid app container image", as Go does', async () => {
    const aci = fixturePath('aci', 'gnu-tar-gzip.aci');
    const manifest = fixturePath('manifests/image/valid/minimal.json');
    const r = await runActool(['-debug', 'validate', aci, manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^${aci.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: valid app container image$`, 'm'));
    assert.match(r.stderr, /minimal\.json: valid ImageManifest$/m);
    const quiet = await runActool(['--debug=false', 'validate', aci]);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, '');
    assert.equal((await runActool(['-debug=maybe', 'validate', aci])).code, 2);
    assert.equal((await runActool(['-help'])).code, 0);
  });

  it('validate takes -strict, --strict=false, -type=manifest and -format=json', async () => {
    const file = fixturePath('manifests/image/valid/path-whitelist-warnings.json');
    assert.equal((await runActool(['validate', '-strict', file])).code, 1);
    assert.equal((await runActool(['validate', '--strict=true', file])).code, 1);
    assert.equal((await runActool(['validate', '--strict=false', file])).code, 0);
    const json = await runActool(['validate', '-type=manifest', '-format=json', file]);
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout.trim()) as { type: string }).type, 'manifest');
    const bad = await runActool(['validate', '--strict=maybe', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid boolean value "maybe"/);
  });

  it('cat-manifest, build, patch-manifest, discover and version take Go-style flags', async () => {
    const aci = fixturePath('aci', 'gnu-tar-gzip.aci');
    const pretty = await runActool(['cat-manifest', '-pretty-print', aci]);
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /\n {4}"acKind"/);
    const compact = await runActool(['cat-manifest', '--pretty-print=false', aci]);
    assert.equal(compact.code, 0);
    assert.doesNotMatch(compact.stdout.trim(), /\n/);

    const layout = join(tmp, 'go-flags-layout');
    mkdirSync(join(layout, 'rootfs'), { recursive: true });
    writeFileSync(join(layout, 'manifest'), '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/go-flags"}');
    const out = join(tmp, 'go-flags.aci');
    assert.equal((await runActool(['build', '-owner-root', layout, out])).code, 0);
    assert.notEqual((await runActool(['build', '-overwrite=false', layout, out])).code, 0);
    assert.equal((await runActool(['build', '-overwrite', '-no-compression=true', layout, out])).code, 0);

    const patched = join(tmp, 'go-flags-patched.aci');
    const p = await runActool(['patch-manifest', '-user=1', '-group=1', '-exec=/bin/x', '-overwrite=true', aci, patched]);
    assert.equal(p.code, 0, p.stderr);
    assert.match((await runActool(['cat-manifest', patched])).stdout, /"user":"1"/);

    // An invalid app name fails before any network use: the flags themselves parsed.
    const d = await runActool(['discover', '-json=true', '-insecure=false', 'BAD NAME']);
    assert.equal(d.code, 1, d.stderr);
    assert.equal((await runActool(['version', '-debug'])).code, 0);
  });
});
