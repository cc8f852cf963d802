import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DiscoveryApp } from '../../src/discovery/app-string.js';
import { renderEndpoint, renderTemplate, templateVariables, unfilledExpressions } from '../../src/discovery/template.js';

const app = (name: string, labels: Record<string, string> = {}): DiscoveryApp => ({ name, labels }) as DiscoveryApp;

describe('templates', () => {
  it('D-TP-1 D-TP-2 renders {name}, labels and {ext} as aci and aci.asc', () => {
    const r = renderEndpoint('https://s.example.com/{os}/{arch}/{name}-{version}.{ext}', app('example.com/reduce-worker', { version: '1.0.0', os: 'linux', arch: 'amd64' }));
    assert.deepEqual(r, {
      ok: true,
      hasExt: true,
      endpoint: { aci: 'https://s.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci', asc: 'https://s.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci.asc' },
    });
  });
  it('D-TP-1 substitutes custom labels and every occurrence, literally (no URL escaping)', () => {
    const r = renderEndpoint('https://s/{channel}/{name}/{channel}-{v}.{ext}', app('a.com/b', { channel: 'a b&c', v: '%41' }));
    assert.ok(r.ok);
    assert.equal(r.endpoint.aci, 'https://s/a b&c/a.com/b/a b&c-%41.aci');
  });
  it('D-TP-1 a label called name never overrides {name}', () => {
    const r = renderEndpoint('https://s/{name}.{ext}', app('a.com/b', { name: 'other' }));
    assert.ok(r.ok);
    assert.equal(r.endpoint.aci, 'https://s/a.com/b.aci');
    assert.equal(templateVariables(app('a.com/b', { name: 'other' }))['name'], 'a.com/b');
  });
  it('D-TP-2 skips a template that needs missing labels and names them', () => {
    const r = renderEndpoint('https://s/{name}-{version}-{os}-{arch}.{ext}', app('a.com/b', { version: '1' }));
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.deepEqual(r.missing, ['os', 'arch']);
    assert.deepEqual(r.unfilled, ['{os}', '{arch}']);
  });
  it('D-TP-2 a label value containing {x} makes the template unusable', () => {
    const r = renderEndpoint('https://s/{name}-{version}.{ext}', app('a.com/b', { version: '{os}' }));
    assert.ok(!r.ok);
    assert.deepEqual(r.bracedLabels, ['version']);
    assert.deepEqual(r.missing, []);
  });
  it('D-TP-3 a template without {ext} gives the same URL twice', () => {
    const r = renderEndpoint('https://s/{name}.aci', app('a.com/b'));
    assert.deepEqual(r, { ok: true, hasExt: false, endpoint: { aci: 'https://s/a.com/b.aci', asc: 'https://s/a.com/b.aci' } });
  });
  it('D-TP-4 any scheme renders', () => {
    const r = renderEndpoint('hdfs://s/{name}.{ext}', app('a.com/b'));
    assert.ok(r.ok);
    assert.equal(r.endpoint.asc, 'hdfs://s/a.com/b.aci.asc');
  });
  it("D-TP-2 nested or empty braces are left unfilled as Go's {.*?} sees them", () => {
    assert.deepEqual(unfilledExpressions('a{{name}}b{}c'), ['{{name}', '{}']);
    const r = renderEndpoint('https://s/{{name}}.{ext}', app('a.com/b'));
    assert.ok(!r.ok);
    assert.deepEqual(r.unfilled, ['{a.com/b}']);
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 6 }).filter((s) => !/[{}]/.test(s)),
    fc.constantFrom('{name}', '{version}', '{ext}', '{os}', '{channel}'),
  );
  it('renders a template exactly as the segment-by-segment substitution (property)', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 8 }),
        fc.string({ maxLength: 8 }).filter((s) => !/[{}]/.test(s)),
        (parts, version) => {
          const a = app('example.com/app', { version, channel: 'beta' });
          const vars: Record<string, string> = { '{name}': 'example.com/app', '{version}': version, '{channel}': 'beta' };
          const r = renderEndpoint(parts.join(''), a);
          if (parts.includes('{os}')) {
            assert.ok(!r.ok);
            assert.deepEqual(r.missing, ['os']);
            return;
          }
          assert.ok(r.ok);
          assert.equal(r.endpoint.aci, parts.map((p) => (p === '{ext}' ? 'aci' : Object.hasOwn(vars, p) ? vars[p] : p)).join(''));
          assert.equal(r.endpoint.asc, parts.map((p) => (p === '{ext}' ? 'aci.asc' : Object.hasOwn(vars, p) ? vars[p] : p)).join(''));
          assert.equal(r.hasExt, parts.includes('{ext}'));
        },
      ),
      { numRuns: 400 },
    );
  });
  it('never throws, and an ok render has no {...} left (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }), (tpl, labels) => {
        const r = renderEndpoint(tpl, app('a.com/b', labels));
        if (r.ok) assert.deepEqual([...unfilledExpressions(r.endpoint.aci), ...unfilledExpressions(r.endpoint.asc)], []);
        assert.equal(typeof renderTemplate(tpl, labels), 'string');
      }),
      { numRuns: 400 },
    );
  });
});
