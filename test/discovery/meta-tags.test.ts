import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { extractMetaTags, matchesPrefix } from '../../src/discovery/meta-tags.js';
import { discoveryPage } from '../support/fake-fetch.js';

describe('extractMetaTags', () => {
  it('D-MT-1 reads meta01 tags in document order', () => {
    assert.deepEqual(extractMetaTags(discoveryPage('meta01.html')).tags, [
      { name: 'ac-discovery', prefix: 'example.com', uri: 'https://storage.example.com/{name}-{version}-{os}-{arch}.{ext}' },
      { name: 'ac-discovery-pubkeys', prefix: 'example.com', uri: 'https://example.com/pubkeys.gpg' },
    ]);
  });

  it('D-MT-1 D-MT-2 takes body tags, upper-case markup and entities; ignores title, script, style, comments, noscript, textarea, AC-DISCOVERY and tabs', () => {
    const scan = extractMetaTags(discoveryPage('quirks.html'));
    assert.deepEqual(scan.tags, [
      { name: 'ac-discovery', prefix: 'example.com', uri: 'https://upper.example.com/{name}-{version}.{ext}' },
      { name: 'ac-discovery', prefix: 'example.com', uri: 'https://spaces.example.com/{name}.{ext}?a=1&b=2   trailing' },
      { name: 'ac-discovery-pubkeys', prefix: 'example.com', uri: 'https://body.example.com/keys.asc' },
      { name: 'ac-unknown', prefix: 'example.com', uri: 'https://unknown.example.com/' },
    ]);
    assert.deepEqual(
      scan.ignored.map((i) => i.reason),
      [
        'its content has no space between prefix and URL (only a space separates them, not a tab or newline)',
        'its content is empty (expected "PREFIX URL")',
        'its content has no space between prefix and URL',
      ],
    );
  });

  it('D-MT-1 survives invalid HTML and keeps what a lenient tokenizer sees', () => {
    const scan = extractMetaTags(discoveryPage('broken.html'));
    // `<head <meta` makes the meta an attribute of head; an unquoted content stops at the first space;
    // an attribute value left open at the end of the file is dropped.
    assert.deepEqual(scan.tags, [{ name: 'ac-discovery', prefix: 'example.com', uri: 'https://storage.example.com/{name}-{version}.{ext}' }]);
    assert.deepEqual(scan.ignored, [{ name: 'ac-discovery-pubkeys', content: 'example.com/keys', reason: 'its content has no space between prefix and URL' }]);
  });

  it('ignores meta tags that are not ac-* and tags without content', () => {
    assert.deepEqual(extractMetaTags('<meta name="description" content="a b"><meta name="ac-discovery">').tags, []);
  });

  it('never throws on random or mutated HTML (property)', () => {
    const base = discoveryPage('meta06.html');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.tuple(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 20 })).map(([a, b, s]) => base.slice(0, Math.min(a, b)) + s + base.slice(Math.max(a, b))),
        ),
        (text) => {
          const scan = extractMetaTags(text);
          for (const t of scan.tags) assert.ok(!t.prefix.includes(' ') && t.uri === t.uri.trim());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('matchesPrefix', () => {
  it('D-MT-3 segment mode matches whole path segments only', () => {
    assert.equal(matchesPrefix('example.com/foo', 'example.com/foo'), true);
    assert.equal(matchesPrefix('example.com/foo/bar', 'example.com/foo'), true);
    assert.equal(matchesPrefix('example.com/foo/bar', 'example.com/'), true);
    assert.equal(matchesPrefix('example.com/foobar', 'example.com/foo'), false);
    assert.equal(matchesPrefix('example.com.evil.org/x', 'example.com'), false);
    assert.equal(matchesPrefix('example.com', 'example.com/foo'), false);
  });
  it("D-MT-3 text mode is Go's plain string prefix", () => {
    assert.equal(matchesPrefix('example.com/foobar', 'example.com/foo', 'text'), true);
    assert.equal(matchesPrefix('example.com.evil.org/x', 'example.com', 'text'), true);
    assert.equal(matchesPrefix('example.org', 'example.com', 'text'), false);
  });
});
