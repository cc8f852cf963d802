/**
 * G-1 G-3 property: manifests whose keys come in case variants, Unicode-folded spellings (ſ, Kelvin sign) and
 * exact repeats, checked against a small model of Go's decoding rules:
 *  - a key decodes into a field when the two are equal under simple case folding (ASCII case, ſ = s, K = k);
 *  - occurrences are decoded in document order, the last one wins;
 *  - every occurrence must have the field's JSON type (else UnmarshalTypeError fails the document);
 *  - `name` is an ACIdentifier, whose own decoder refuses an invalid value in any occurrence;
 *  - `user`, `group`, `workingDirectory` are plain strings checked only by App.assertValid on the last value;
 *  - ImageManifest.assertValid needs a name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseManifest } from '../../src/schema/manifest.js';
import type { ImageManifest } from '../../src/schema/image-manifest.js';

type Member = readonly [key: string, value: unknown];

/** The model's folding, written independently of the code under test. */
const modelFold = (key: string): string => [...key].map((c) => (c === '\u017f' ? 's' : c === '\u212a' ? 'k' : /^[A-Za-z]$/.test(c) ? c.toLowerCase() : c)).join('');

/** Spellings of a field name that Go matches (and a few it does not). */
const spelling = (field: string): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.nat(3), { minLength: field.length, maxLength: field.length }), fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: fc.constantFrom('x', '_'), weight: 1 })).map(
    ([choices, suffix]) =>
      [...field]
        .map((c, i) => {
          const pick = choices[i]!;
          if (pick === 1) return c.toUpperCase();
          if (pick === 2 && c === 's') return '\u017f';
          if (pick === 2 && c === 'k') return '\u212a';
          if (pick === 3 && c === 'i') return '\u0130'; // not folded with i by Go
          return c;
        })
        .join('') + suffix,
  );

const member = (field: string, values: fc.Arbitrary<unknown>): fc.Arbitrary<Member> => fc.tuple(spelling(field), values);
/** Mostly good values, so that both verdicts are common. */
const weighted = (good: readonly unknown[], bad: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
const NAMES = weighted(['example.com/a', 'example.com/b'], ['BAD', '', 5, null]);
const USERS = weighted(['0', 'root'], ['', 7, null]);
const DIRS = weighted(['/w'], ['rel', '', true, null]);

const toJson = (members: readonly Member[]): string => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

interface ModelResult {
  readonly valid: boolean;
  readonly user: string;
}

function model(top: readonly Member[], app: readonly Member[]): ModelResult {
  let ok = true;
  let name = '';
  for (const [k, v] of top) {
    if (modelFold(k) !== 'name') continue;
    // ACIdentifier.UnmarshalJSON: null reads as "", which it refuses like any invalid name.
    if (typeof v !== 'string' && v !== null) ok = false;
    else if (v === null || v === '' || v === 'BAD') ok = false;
    else name = v;
  }
  if (name === '') ok = false;
  const fields: Record<string, string> = { user: '', group: '', workingdirectory: '' };
  for (const [k, v] of app) {
    const f = modelFold(k);
    if (!(f in fields)) continue;
    if (v === null) continue; // null leaves a Go string as it was
    if (typeof v !== 'string') ok = false;
    else fields[f] = v;
  }
  if (fields['user'] === '' || fields['group'] === '') ok = false;
  const wd = fields['workingdirectory']!;
  if (wd !== '' && !wd.startsWith('/')) ok = false;
  return { valid: ok, user: fields['user']! };
}

describe('Go decoding model (G-1, G-3)', () => {
  it('G-1 G-3 the verdict and the value read match the model for folded, case-variant and repeated keys', () => {
    const top = fc.array(member('name', NAMES), { minLength: 0, maxLength: 3 });
    let valid = 0;
    let invalid = 0;
    const app = fc
      .tuple(fc.array(member('user', USERS), { maxLength: 3 }), fc.array(member('group', USERS), { maxLength: 2 }), fc.array(member('workingDirectory', DIRS), { maxLength: 2 }))
      .chain(([u, g, w]) => fc.shuffledSubarray([...u, ...g, ...w], { minLength: u.length + g.length + w.length }));
    fc.assert(
      fc.property(top, app, (topMembers, appMembers) => {
        const members: Member[] = [['acKind', 'ImageManifest'], ['acVersion', '0.8.11'], ...topMembers];
        const text = toJson(members).slice(0, -1) + `,"app":${toJson([['exec', ['/a']], ...appMembers])}}`;
        const expected = model(topMembers, appMembers);
        const r = parseManifest(text);
        const shown = JSON.stringify(r.ok ? r.warnings.map((i) => i.code) : r.issues.map((i) => `${i.code}@${i.path}`));
        assert.equal(r.ok, expected.valid, `${text} ${shown}`);
        if (r.ok) valid++;
        else invalid++;
        if (r.ok) assert.equal((r.value as ImageManifest).app?.user, expected.user, text);
      }),
      { numRuns: 500 },
    );
    // The generator must exercise both verdicts, or the property says little.
    assert.ok(valid > 15 && invalid > 15, `valid ${valid}, invalid ${invalid}`); // about 60 and 440 on average
  });
});
