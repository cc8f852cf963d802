import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fetchPublicKeys } from '../../src/signature/trust.js';
import { makeKey, type TestKey } from '../support/pgp.js';

let key: TestKey;
before(async () => {
  key = await makeKey({ name: 'Url Key' });
});

function fakeFetch(routes: Record<string, () => Response>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    const route = routes[url];
    if (route === undefined) throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED for ${url}`) });
    return route();
  }) as typeof fetch;
}

function code(expected: string, pattern?: RegExp) {
  return (e: unknown) => {
    assert.equal((e as { code?: string }).code, expected, String(e));
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  };
}

describe('S-4 fetchPublicKeys', () => {
  it('S-4 downloads and reads keys from an https URL', async () => {
    const keys = await fetchPublicKeys('https://example.com/pubkeys.gpg', { fetch: fakeFetch({ 'https://example.com/pubkeys.gpg': () => new Response(key.publicArmored) }) });
    assert.equal(keys[0]!.fingerprint, key.fingerprint);
  });
  it('S-4 refuses http unless allowed, and other schemes always', async () => {
    const f = fakeFetch({ 'http://example.com/k': () => new Response(key.publicArmored) });
    await assert.rejects(fetchPublicKeys('http://example.com/k', { fetch: f }), code('HTTP_INSECURE_URL', /allow insecure http/));
    assert.equal((await fetchPublicKeys('http://example.com/k', { fetch: f, allowHttp: true })).length, 1);
    await assert.rejects(fetchPublicKeys('ftp://example.com/k', { fetch: f, allowHttp: true }), code('HTTP_INSECURE_URL'));
  });
  it('S-4 HTTP errors, network errors and oversized bodies: HTTP_* codes with the URL', async () => {
    const f = fakeFetch({
      'https://example.com/404': () => new Response('no', { status: 404, statusText: 'Not Found' }),
      'https://example.com/big': () => new Response(new Uint8Array(2 << 20)),
    });
    await assert.rejects(fetchPublicKeys('https://example.com/404', { fetch: f }), code('HTTP_STATUS', /404/));
    await assert.rejects(fetchPublicKeys('https://example.com/down', { fetch: f }), code('HTTP_NETWORK', /ECONNREFUSED/));
    await assert.rejects(fetchPublicKeys('https://example.com/big', { fetch: f }), code('HTTP_TOO_LARGE', /limit/));
    await assert.rejects(fetchPublicKeys('not a url', { fetch: f }), code('HTTP_INVALID_URL'));
  });
  it('S-4 a download that is not a key: KEY_MALFORMED naming the URL', async () => {
    const f = fakeFetch({ 'https://example.com/page': () => new Response('<html>hi</html>') });
    await assert.rejects(fetchPublicKeys('https://example.com/page', { fetch: f }), code('KEY_MALFORMED', /https:\/\/example\.com\/page/));
  });
});
