/**
 * The one presentation of issues for every command: text lines, JSON lines and GitHub Actions
 * annotations. Every field that can come from an input (file, entry, path, message) is escaped, so no
 * input can break a line or forge one.
 */
import type { Issue } from '../issues/issue.js';
import type { PathReport } from '../node/validate-path.js';
import { escapeTerminalText } from './terminal-text.js';

/** Output formats of issues (`actool validate --format`). */
export type ReportFormat = 'text' | 'json' | 'github';

/** Every ReportFormat, for flag checking and help text. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'github'];

/**
 * The version of the `--format=json` line shape (schemas/cli-report.schema.json). It changes only when a
 * field is removed or changes meaning; new optional fields keep it.
 */
export const REPORT_FORMAT_VERSION = 1;

/**
 * One issue as a text line: `SOURCE(ENTRY):LINE:COL: SEVERITY CODE /json/pointer: message (offset N)`.
 * SOURCE is a file, URL or app name (commands may prefix their name: `discover: APP`); the entry, line
 * and offset parts appear when known.
 */
export function formatIssueText(source: string, i: Issue): string {
  const entry = i.entry !== undefined ? `(${i.entry})` : '';
  const at = i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : '';
  const offset = i.offset !== undefined && i.line === undefined ? ` (offset ${i.offset})` : '';
  // One escape pass over the whole line: escaping maps each character on its own, and what lies between the
  // input's parts (severity, code, numbers, punctuation) has nothing to escape, so this equals escaping the
  // source, entry, path and message one by one (a property test pins the two together).
  return `${escapeTerminalText(`${source}${entry}${at}: ${i.severity} ${i.code} ${i.path || '/'}: ${i.message}${offset}`)}\n`;
}

/** The JSON form of one issue (fields in docs/cli.md). */
export function issueToJson(i: Issue): Record<string, unknown> {
  const o: Record<string, unknown> = { code: i.code, severity: i.severity, path: i.path, message: i.message };
  if (i.line !== undefined) o['line'] = i.line;
  if (i.column !== undefined) o['column'] = i.column;
  if (i.entry !== undefined) o['entry'] = i.entry;
  if (i.offset !== undefined) o['offset'] = i.offset;
  return o;
}

const escapeData = (s: string): string => escapeTerminalText(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One issue as a GitHub Actions workflow command: `::error file=F,line=L,col=C,title=CODE::message`. */
export function formatIssueGithub(source: string, i: Issue): string {
  const props = [`file=${escapeProperty(source)}`];
  if (i.line !== undefined) props.push(`line=${i.line}`);
  if (i.column !== undefined) props.push(`col=${i.column}`);
  props.push(`title=${escapeProperty(i.code)}`);
  const where = [i.entry, i.path].filter((x) => x).join(' ');
  return `::${i.severity} ${props.join(',')}::${escapeData(`${where ? where + ': ' : ''}${i.message}`)}\n`;
}

/** One issue in the chosen format; JSON is `{ version, source, ...issue }` on one line. */
export function formatIssue(source: string, i: Issue, format: ReportFormat = 'text'): string {
  if (format === 'json') return JSON.stringify({ version: REPORT_FORMAT_VERSION, source, ...issueToJson(i) }) + '\n';
  return format === 'github' ? formatIssueGithub(source, i) : formatIssueText(source, i);
}

/** Every issue of a list, in the chosen format. */
export function formatIssues(source: string, issues: readonly Issue[], format: ReportFormat = 'text'): string {
  let out = '';
  for (const i of issues) out += formatIssue(source, i, format);
  return out;
}

/** A validation report as one JSON line: `{ version, file, type, kind?, valid, imageId?, compression?, issues }`. */
export function formatReportJson(report: PathReport): string {
  const out: Record<string, unknown> = { version: REPORT_FORMAT_VERSION, file: report.file, type: report.type };
  if (report.kind !== undefined) out['kind'] = report.kind;
  out['valid'] = report.valid;
  if (report.imageId !== undefined) out['imageId'] = report.imageId;
  if (report.compression !== undefined) out['compression'] = report.compression;
  out['issues'] = report.issues.map(issueToJson);
  return JSON.stringify(out) + '\n';
}

/** A validation report in the chosen format: text and github give one line per issue, json one line per report. */
export function formatReport(report: PathReport, format: ReportFormat): string {
  return format === 'json' ? formatReportJson(report) : formatIssues(report.file, report.issues, format);
}
