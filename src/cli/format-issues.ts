/** Presentation of validation reports: text lines, JSON lines, GitHub Actions annotations. */
import type { Issue } from '../issues/issue.js';
import type { PathReport } from '../node/validate-path.js';

/** Output formats of `actool validate`. */
export type ReportFormat = 'text' | 'json' | 'github';

function location(file: string, i: Issue): string {
  const entry = i.entry !== undefined && i.entry !== 'manifest' ? `(${i.entry})` : i.entry === 'manifest' ? '(manifest)' : '';
  return i.line !== undefined ? `${file}${entry}:${i.line}:${i.column ?? 1}` : `${file}${entry}`;
}

/** `FILE:LINE:COL: error CODE /pointer: message`, one line per issue. */
export function formatText(report: PathReport): string {
  // Archive issues name their entry in the location and their byte offset at the end, so they can be found.
  return report.issues
    .map((i) => `${location(report.file, i)}: ${i.severity} ${i.code} ${i.path || '/'}: ${oneLine(i.message)}${i.offset !== undefined && i.line === undefined ? ` (offset ${i.offset})` : ''}\n`)
    .join('');
}

/** One JSON object per line, with the fields documented in docs/cli.md. */
export function formatJson(report: PathReport): string {
  const out: Record<string, unknown> = { file: report.file, type: report.type };
  if (report.kind !== undefined) out['kind'] = report.kind;
  out['valid'] = report.valid;
  if (report.imageId !== undefined) out['imageId'] = report.imageId;
  if (report.compression !== undefined) out['compression'] = report.compression;
  out['issues'] = report.issues.map((i) => {
    const o: Record<string, unknown> = { code: i.code, severity: i.severity, path: i.path, message: i.message };
    if (i.line !== undefined) o['line'] = i.line;
    if (i.column !== undefined) o['column'] = i.column;
    if (i.entry !== undefined) o['entry'] = i.entry;
    if (i.offset !== undefined) o['offset'] = i.offset;
    return o;
  });
  return JSON.stringify(out) + '\n';
}

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=CODE::message`. */
export function formatGithub(report: PathReport): string {
  return report.issues
    .map((i) => {
      const props = [`file=${escapeProperty(report.file)}`];
      if (i.line !== undefined) props.push(`line=${i.line}`);
      if (i.column !== undefined) props.push(`col=${i.column}`);
      props.push(`title=${escapeProperty(i.code)}`);
      const where = [i.entry, i.path].filter((x) => x).join(' ');
      return `::${i.severity} ${props.join(',')}::${escapeData(`${where ? where + ': ' : ''}${i.message}`)}\n`;
    })
    .join('');
}

/** Formats a report in the chosen format. */
export function formatReport(report: PathReport, format: ReportFormat): string {
  return format === 'json' ? formatJson(report) : format === 'github' ? formatGithub(report) : formatText(report);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
