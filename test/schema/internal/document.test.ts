import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocumentKind, SchemaValidator } from '../../../src/schema/internal/document.js';
import { checkDocument, runDocument } from '../../../src/schema/internal/document.js';
import { validateImageManifestSchema } from '../../../src/schema/generated/validators.js';

/** A checker that accepts anything, paired with the real image-manifest schema: every schema error must surface. */
const lenient: DocumentKind<unknown> = {
  check: (value) => value,
  schema: validateImageManifestSchema,
  lastDitch: () => undefined,
};

describe('document pipeline: the schema double-checks the checkers', () => {
  it('reports what only the schema rejects as MANIFEST_SCHEMA warnings, with our own message and the pointer', () => {
    const { issues } = checkDocument({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'Bad Name', pathWhitelist: ['rel'] }, lenient);
    assert.deepEqual(
      issues.map((i) => [i.code, i.severity, i.path]),
      [
        ['MANIFEST_SCHEMA', 'warning', '/name'],
        ['MANIFEST_SCHEMA', 'warning', '/pathWhitelist/0'],
      ],
    );
    assert.match(issues[0]!.message, /spec pattern/);
    assert.doesNotMatch(issues[0]!.message, /must match/); // no raw ajv text
  });

  it('names a missing required field at its own pointer', () => {
    const { issues } = checkDocument({ acKind: 'ImageManifest', acVersion: '0.8.11' }, lenient);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['/name'],
    );
  });

  it('leaves out schema errors at places the checkers already reported', () => {
    const reporting: DocumentKind<unknown> = {
      ...lenient,
      check: (value, _path, ctx) => {
        ctx.issues.push({ code: 'ACIDENTIFIER_INVALID_CHAR', severity: 'error', path: '/name', message: 'x' });
        return value;
      },
    };
    const { issues } = checkDocument({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'Bad Name' }, reporting);
    assert.deepEqual(
      issues.map((i) => i.code),
      ['ACIDENTIFIER_INVALID_CHAR'],
    );
  });

  it('strict mode turns a MANIFEST_SCHEMA warning into a failure', () => {
    const text = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"Bad Name"}';
    assert.equal(runDocument(text, lenient).ok, true);
    const strict = runDocument(text, lenient, { strict: true });
    assert.equal(strict.ok, false);
    assert.equal(strict.ok ? '' : strict.issues[0]?.line, 1);
  });

  it('a schema validator that throws nothing but reports no errors array is tolerated', () => {
    const weird = Object.assign(() => false, { errors: null }) as SchemaValidator;
    const { issues } = checkDocument({}, { ...lenient, schema: weird });
    assert.deepEqual(issues, []);
  });
});
