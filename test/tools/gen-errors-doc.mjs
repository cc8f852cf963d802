#!/usr/bin/env node
// Writes docs/errors.md from the code tables listed in src/catalog.ts (run after `npm run build`).
// A test checks that the committed file matches, so the catalogue never drifts from the code.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function render() {
  const { CODE_SECTIONS } = await import(pathToFileURL(join(root, 'dist', 'src', 'catalog.js')).href);
  const lines = [
    '# Error and issue codes',
    '',
    'Generated from the code tables in `src/` by `npm run docs:errors`; do not edit by hand.',
    '',
    'Every issue and thrown `AppcError` carries one of these codes. Severity is the default in',
    'compatible mode: `warning` marks what the spec forbids but the Go reference accepts; `--strict`',
    '(or `{ strict: true }`) turns warnings into errors. "Rule" names the spec section or the rule IDs of',
    'the implementation checklist.',
    '',
  ];
  for (const section of CODE_SECTIONS) {
    lines.push(`## ${section.title}`, '', '| Code | Severity | Meaning | Rule |', '| --- | --- | --- | --- |');
    for (const [code, info] of Object.entries(section.codes)) {
      lines.push(`| \`${code}\` | ${info.severity} | ${info.summary.replace(/\|/g, '\\|')} | ${info.spec ?? ''} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, 'docs', 'errors.md'), await render());
  console.log('wrote docs/errors.md');
}
