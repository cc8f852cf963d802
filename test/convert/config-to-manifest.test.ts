import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { configToManifest, mapUser, parseExposedPort, primaryGroup } from '../../src/convert/config-to-manifest.js';
import type { ConfigToManifestOptions } from '../../src/convert/config-to-manifest.js';
import { validateImageManifest } from '../../src/schema/image-manifest.js';
import { stringifyManifest } from '../../src/schema/manifest.js';
import { readJsonFixture } from '../support/paths.js';

interface Case {
  readonly title: string;
  readonly config: unknown;
  readonly options?: Partial<ConfigToManifestOptions>;
  readonly expect?: Record<string, unknown>;
  readonly absent?: readonly string[];
  readonly warnings?: readonly string[];
  readonly error?: string;
}

const { cases } = readJsonFixture<{ cases: Case[] }>('convert', 'config-cases.json');

describe('configToManifest (fixtures/convert/config-cases.json)', () => {
  for (const c of cases) {
    it(c.title, () => {
      const r = configToManifest(c.config, { name: 'example.com/app', ...c.options });
      if (c.error !== undefined) {
        assert.equal(r.ok, false);
        if (!r.ok)
          assert.ok(
            r.issues.some((i) => i.code === c.error),
            JSON.stringify(r.issues),
          );
        return;
      }
      assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
      if (!r.ok) return;
      // The manifest is valid by our own validator, and round-trips through the canonical JSON.
      const again = validateImageManifest(JSON.parse(stringifyManifest(r.value)));
      assert.ok(again.ok);
      assert.deepEqual(again.value, r.value);
      const m = r.value as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.expect ?? {})) assert.deepEqual(m[k], v, k);
      for (const k of c.absent ?? []) assert.equal(m[k], undefined, k);
      assert.deepEqual(
        r.warnings.map((w) => w.code),
        c.warnings ?? [],
      );
    });
  }
});

describe('config mapping helpers', () => {
  it('mapUser defaults to root 0:0, as docker2aci did', () => {
    assert.deepEqual(mapUser(undefined), { user: '0', group: '0' });
    assert.deepEqual(mapUser('daemon'), { user: 'daemon', group: '0' });
    assert.deepEqual(mapUser('daemon', { passwd: 'daemon:x:1:1::/:/bin/false' }), { user: 'daemon', group: '1' });
  });

  it('primaryGroup skips malformed lines', () => {
    assert.equal(primaryGroup('garbage\n\nx:y\napp:x:10:20:::', 'app'), '20');
    assert.equal(primaryGroup('app:x:10:notanumber:::', 'app'), undefined);
  });

  it('parseExposedPort reads PORT[-END][/PROTO]', () => {
    assert.deepEqual(parseExposedPort('443/tcp'), { name: '443-tcp', protocol: 'tcp', port: 443, count: 1 });
    assert.deepEqual(parseExposedPort('1-65535/udp'), { name: '1-65535-udp', protocol: 'udp', port: 1, count: 65535 });
    assert.equal(parseExposedPort('10-5/tcp'), undefined);
    assert.equal(parseExposedPort('65536'), undefined);
    assert.equal(parseExposedPort('80/'), undefined);
  });

  it('never throws, and a successful result always validates (property)', () => {
    const str = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('80/tcp', 'PATH=/bin', '/data', 'app:app', '2020-01-01T00:00:00Z', 'arm', 'v7'));
    const anyValue = fc.oneof(str, fc.integer(), fc.constant(null), fc.array(str, { maxLength: 4 }), fc.dictionary(str, fc.oneof(str, fc.constant({})), { maxKeys: 4 }));
    const config = fc.record(
      {
        os: fc.oneof(fc.constantFrom('linux', 'windows', 'freebsd'), anyValue),
        architecture: fc.oneof(fc.constantFrom('amd64', 'arm64', 'arm', '386', 'riscv64'), anyValue),
        variant: anyValue,
        created: anyValue,
        author: anyValue,
        config: fc.oneof(
          anyValue,
          fc.record({ Entrypoint: anyValue, Cmd: anyValue, Env: anyValue, User: anyValue, WorkingDir: anyValue, ExposedPorts: anyValue, Volumes: anyValue, Labels: anyValue }, { requiredKeys: [] }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (cfg) => {
        const r = configToManifest(cfg, { name: 'example.com/prop', version: '1' });
        if (r.ok) assert.ok(validateImageManifest(r.value).ok);
        else assert.ok(r.issues.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
