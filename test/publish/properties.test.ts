// Property tests: the site template and discovery agree for every publishable image (D-TP-1), base URLs parse to
// stable prefixes, request paths never leave the site, and byte ranges stay inside the file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { renderEndpoint } from '../../src/discovery/template.js';
import type { ACIdentifier } from '../../src/schema/types/ac-identifier.js';
import { matchesPrefix } from '../../src/discovery/meta-tags.js';
import { parseSiteBase } from '../../src/publish/base-url.js';
import { checkPublishable, imageStem, pageFile, pagePrefixes, siteTemplate } from '../../src/publish/site-layout.js';
import { chooseRange } from '../../src/serve/range.js';
import { sitePath } from '../../src/serve/serve-site.js';

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._~-]{0,8}$/).filter((s) => s !== 'index.html');
const label = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+~-]{0,8}$/);
const label63 = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,4}[a-z0-9])?$/);
// Host names URL parsing keeps as written (not all-numeric ones such as `1.2`, which it reads as IPv4).
const host = fc
  .array(label63, { minLength: 1, maxLength: 3 })
  .map((l) => l.join('.'))
  .filter((h) => {
    try {
      return new URL(`https://${h}/`).hostname === h;
    } catch {
      return false;
    }
  });

describe('publish properties', () => {
  it('D-TP-1 the site template renders, for any publishable image, to the file publish writes', () => {
    fc.assert(
      fc.property(
        host,
        fc.array(segment, { maxLength: 2 }),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        label,
        label,
        label,
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (h, basePath, rest, version, os, arch, port) => {
          fc.pre(version !== 'latest');
          const base = parseSiteBase(`https://${h}${port === null ? '' : `:${port}`}/${basePath.join('/')}`);
          const name = [base.prefix, ...rest].join('/');
          const key = { name, version, os, arch };
          checkPublishable(key, base, 'x');
          const r = renderEndpoint(siteTemplate(base), { name: name as ACIdentifier, labels: { version, os, arch } });
          assert.ok(r.ok);
          assert.equal(r.endpoint.aci, `${base.url}${imageStem(key)}.aci`);
          assert.equal(r.endpoint.asc, `${base.url}${imageStem(key)}.aci.asc`);
          // Every page publish writes is at the path a client requests for its prefix, and the tag prefix matches the name.
          for (const prefix of pagePrefixes(name, base)) {
            const requested = new URL(`https://${prefix}?ac-discovery=1`).pathname;
            const served = `/${base.url.split('/').slice(3).join('/')}${pageFile(prefix, base)}`.replace(/index\.html$/, '');
            assert.equal(requested.replace(/\/?$/, '/'), served.replace(/\/?$/, '/'));
            assert.ok(matchesPrefix(name, base.prefix, 'segment'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseSiteBase is stable: parsing its own URL gives the same base', () => {
    fc.assert(
      fc.property(host, fc.array(segment, { maxLength: 3 }), fc.boolean(), (h, path, slash) => {
        const base = parseSiteBase(`https://${h}/${path.join('/')}${slash ? '/' : ''}`);
        assert.deepEqual(parseSiteBase(base.url), base);
        assert.ok(base.url.endsWith('/'));
        assert.equal(base.prefix, [h, ...path].join('/'));
      }),
    );
  });

  it('sitePath never yields a segment that could leave the site or name a hidden file', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('..', '.', '%2e%2e', '%2F', '%5C', '%00', '.git', 'a', '%41'), fc.string({ maxLength: 6 })), { maxLength: 6 }), (parts) => {
        const got = sitePath(`/${parts.join('/')}`);
        if (got === undefined) return;
        for (const s of got) {
          assert.ok(s !== '' && !s.startsWith('.') && !s.includes('/') && !s.includes('\\') && !s.includes('\0'), JSON.stringify(got));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('chooseRange: a partial answer is a non-empty range inside the file', () => {
    fc.assert(
      fc.property(fc.option(fc.nat(100)), fc.option(fc.nat(100)), fc.nat(80), (a, b, size) => {
        const header = `bytes=${a ?? ''}-${b ?? ''}`;
        const r = chooseRange(header, size);
        if (r.kind !== 'partial') return;
        assert.ok(r.start >= 0 && r.start <= r.end && r.end < size, `${header} of ${size}: ${JSON.stringify(r)}`);
      }),
      { numRuns: 2000 },
    );
  });
});
