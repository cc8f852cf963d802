import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { formatIssue, formatReport, REPORT_FORMAT_VERSION } from '../../src/cli/format-issues.js';
import type { Issue } from '../../src/issues/issue.js';
import type { PathReport } from '../../src/node/validate-path.js';
import { repoRoot } from '../support/paths.js';

const hostile = 'rootfs/x\n\u001b[2Kfake.aci: valid';
const issues: Issue[] = [
  { code: 'JSON_NUMBER_OUT_OF_RANGE', severity: 'error', path: '/app/supplementaryGIDs/1', message: '-1 is outside the range', line: 13, column: 7 },
  { code: 'ACI_PATH_TRAVERSAL', severity: 'error', path: '', message: `entry ${hostile} climbs out`, entry: hostile, offset: 1536 },
  { code: 'MANIFEST_WARN', severity: 'warning', path: '/labels/0', message: 'two\nlines' },
];
const report: PathReport = { file: 'in.aci', type: 'appimage', kind: 'ImageManifest', valid: false, issues, imageId: `sha512-${'a'.repeat(128)}`, compression: 'gzip' };

describe('format-issues: one presentation of issues for every command', () => {
  it('text: FILE(ENTRY):LINE:COL: SEVERITY CODE /pointer: message (offset N), one line each', () => {
    assert.deepEqual(formatReport(report, 'text').split('\n'), [
      'in.aci:13:7: error JSON_NUMBER_OUT_OF_RANGE /app/supplementaryGIDs/1: -1 is outside the range',
      'in.aci(rootfs/x\\n\\x1b[2Kfake.aci: valid): error ACI_PATH_TRAVERSAL /: entry rootfs/x\\n\\x1b[2Kfake.aci: valid climbs out (offset 1536)',
      'in.aci: warning MANIFEST_WARN /labels/0: two\\nlines',
      '',
    ]);
  });

  it('github: workflow commands with escaped properties and data, no raw control bytes', () => {
    const lines = formatReport(report, 'github').split('\n');
    assert.equal(lines[0], '::error file=in.aci,line=13,col=7,title=JSON_NUMBER_OUT_OF_RANGE::/app/supplementaryGIDs/1: -1 is outside the range');
    assert.equal(lines[1], '::error file=in.aci,title=ACI_PATH_TRAVERSAL::rootfs/x%0A\\x1b[2Kfake.aci: valid: entry rootfs/x%0A\\x1b[2Kfake.aci: valid climbs out');
    assert.equal(lines.length, 4);
  });

  it('json: the report and single issues carry the format version and match schemas/cli-report.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'cli-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const line = formatReport(report, 'json');
    assert.equal(line.split('\n').length, 2);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed['version'], REPORT_FORMAT_VERSION);
    assert.ok(validate(parsed), JSON.stringify(validate.errors));
    const single = JSON.parse(formatIssue('discover: example.com/app', issues[1]!, 'json')) as Record<string, unknown>;
    assert.deepEqual(single, {
      version: 1,
      source: 'discover: example.com/app',
      code: 'ACI_PATH_TRAVERSAL',
      severity: 'error',
      path: '',
      message: `entry ${hostile} climbs out`,
      entry: hostile,
      offset: 1536,
    });
    assert.ok(validate(single), JSON.stringify(validate.errors));
    assert.equal(validate({ version: 2, file: 'x', type: 'manifest', valid: true, issues: [] }), false);
  });
});
