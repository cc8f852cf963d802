import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizationHeader, credentialsFor, normalizeHostKey, parseAuthConfig } from '../../src/discovery/auth.js';
import { codesOf } from '../support/issues.js';

describe('parseAuthConfig', () => {
  it('D-HT-5 reads basic and bearer credentials by host, normalising keys', () => {
    const r = parseAuthConfig(
      JSON.stringify({
        'Example.COM': { type: 'basic', user: 'bar', password: 'baz' },
        'reg.example.com:8443': { type: 'bearer', token: 't0k' },
        'x.example.com:443': { type: 'basic', user: 'u', password: '' },
      }),
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value, {
      'example.com': { type: 'basic', user: 'bar', password: 'baz' },
      'reg.example.com:8443': { type: 'bearer', token: 't0k' },
      'x.example.com': { type: 'basic', user: 'u', password: '' },
    });
  });
  it("reads rkt's auth.d shape (basic and oauth), alone or in a list", () => {
    const one = { rktKind: 'auth', rktVersion: 'v1', domains: ['coreos.com', 'quay.io'], type: 'basic', credentials: { user: 'foo', password: 'bar' } };
    const two = { rktKind: 'auth', rktVersion: 'v1', domains: ['tectonic.com'], type: 'oauth', credentials: { token: 'sometoken' } };
    const a = parseAuthConfig(JSON.stringify(one));
    assert.ok(a.ok);
    assert.deepEqual(Object.keys(a.value), ['coreos.com', 'quay.io']);
    const b = parseAuthConfig(JSON.stringify([one, two]));
    assert.ok(b.ok);
    assert.deepEqual(b.value['tectonic.com'], { type: 'bearer', token: 'sometoken' });
  });
  it('DISCOVERY_AUTH_CONFIG_INVALID for every problem, with a path', () => {
    const r = parseAuthConfig(
      JSON.stringify({
        'a.com': { type: 'digest' },
        'b.com/path': { type: 'bearer', token: 'x' },
        'c.com': { type: 'basic', password: 'p' },
        'd.com': { type: 'bearer' },
        'e.com': 'nope',
        'f.com': { type: 'basic', user: 'a:b', password: '' },
      }),
    );
    assert.equal(r.ok, false);
    assert.deepEqual(codesOf(r), Array(6).fill('DISCOVERY_AUTH_CONFIG_INVALID'));
    assert.deepEqual(
      (r.ok ? [] : r.issues).map((i) => i.path),
      ['/a.com/type', '/b.com~1path', '/c.com/user', '/d.com/token', '/e.com', '/f.com/user'],
    );
    assert.deepEqual(codesOf(parseAuthConfig('{')), ['DISCOVERY_AUTH_CONFIG_INVALID']);
    assert.deepEqual(codesOf(parseAuthConfig('[1]')), ['DISCOVERY_AUTH_CONFIG_INVALID']);
    assert.deepEqual(codesOf(parseAuthConfig('[{"a.com": {}}]')), ['DISCOVERY_AUTH_CONFIG_INVALID']);
    assert.deepEqual(codesOf(parseAuthConfig('{"rktKind": "auth", "domains": [], "type": "basic", "credentials": null}')), ['DISCOVERY_AUTH_CONFIG_INVALID', 'DISCOVERY_AUTH_CONFIG_INVALID']);
  });
  it('looks up host:port first, then the host', () => {
    const cfg = { 'a.com:8443': { type: 'bearer', token: 'port' }, 'a.com': { type: 'bearer', token: 'host' } } as const;
    assert.deepEqual(credentialsFor(cfg, new URL('https://a.com:8443/x')), { type: 'bearer', token: 'port' });
    assert.deepEqual(credentialsFor(cfg, new URL('https://a.com:9443/x')), { type: 'bearer', token: 'host' });
    assert.equal(credentialsFor(cfg, new URL('https://b.com/x')), undefined);
    assert.equal(credentialsFor(undefined, new URL('https://b.com/x')), undefined);
  });
  it('builds Basic (UTF-8) and Bearer headers', () => {
    assert.equal(authorizationHeader({ type: 'basic', user: 'bar', password: 'baz' }), 'Basic YmFyOmJheg==');
    assert.equal(authorizationHeader({ type: 'basic', user: 'é', password: 'ü' }), 'Basic w6k6w7w=');
    assert.equal(authorizationHeader({ type: 'bearer', token: 'abc' }), 'Bearer abc');
    assert.equal(normalizeHostKey('a.com/x'), undefined);
    assert.equal(normalizeHostKey('u@a.com'), undefined);
    assert.equal(normalizeHostKey(''), undefined);
  });
});
