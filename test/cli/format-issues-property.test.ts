import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIssueText } from '../../src/cli/format-issues.js';
import { escapeTerminalText } from '../../src/cli/terminal-text.js';
import type { Issue } from '../../src/issues/issue.js';

// A text issue line is escaped in one pass over the whole line; the reference escapes each part that can
// come from input on its own, as the code did before. Both must give the same bytes for any input.
function formatIssueTextReference(source: string, i: Issue): string {
  const entry = i.entry !== undefined ? `(${i.entry})` : '';
  const at = i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : '';
  const location = escapeTerminalText(`${source}${entry}${at}`);
  const offset = i.offset !== undefined && i.line === undefined ? ` (offset ${i.offset})` : '';
  return `${location}: ${i.severity} ${i.code} ${escapeTerminalText(i.path || '/')}: ${escapeTerminalText(i.message)}${offset}\n`;
}

/** Text with the characters the escaper cares about: controls, DEL, C1, line separators, bidi controls. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.constantFrom('\n', '\r', '\t', '\u0000', '\u001b[2K', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029', '\u202e', '\u2066', '\u2069', '😀', '\ud800', '%', ':'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const issue = fc
  .record(
    {
      code: fc.constantFrom('JSON_KEY_CASE', 'ACI_PATH_TRAVERSAL', 'FILE_UNREADABLE'),
      severity: fc.constantFrom('error' as const, 'warning' as const),
      path: fc.oneof(fc.constant(''), hostile),
      message: hostile,
      line: fc.integer({ min: 1, max: 999 }),
      column: fc.integer({ min: 1, max: 99 }),
      entry: hostile,
      offset: fc.nat(),
    },
    { requiredKeys: ['code', 'severity', 'path', 'message'] },
  )
  .map((i) => i as Issue);

describe('formatIssueText', () => {
  it('escapes the whole line as the reference escapes each part', () => {
    fc.assert(
      fc.property(hostile, issue, (source, i) => {
        assert.equal(formatIssueText(source, i), formatIssueTextReference(source, i));
      }),
      { numRuns: 3000 },
    );
  });

  it('escapeTerminalText leaves safe text as it is and escapes every unsafe character', () => {
    fc.assert(
      fc.property(hostile, (t) => {
        const reference = t.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
          const named = ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' } as Record<string, string>)[c];
          if (named !== undefined) return named;
          const code = c.charCodeAt(0);
          return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
        });
        assert.equal(escapeTerminalText(t), reference);
      }),
      { numRuns: 3000 },
    );
  });
});
