#!/usr/bin/env node
// Writes docs/cli.md from the help text of every actool command (run after `npm run build`).
// A test checks the committed file matches, so the reference cannot drift from the tool.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function render() {
  const { COMMANDS } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'commands', 'index.js')).href);
  const { globalHelp } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'actool.js')).href);
  const lines = ['# actool command reference', '', "Generated from the commands' `--help` texts by `npm run docs:cli`; do not edit by hand.", '', '```', globalHelp().trimEnd(), '```', ''];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = await entry.load();
    lines.push(`## actool ${name}`, '', '```', command.help.trimEnd(), '```', '');
  }
  lines.push(...jsonFormat());
  return lines.join('\n');
}

/** The `--format=json` section, from schemas/cli-report.schema.json, so the doc and the schema cannot disagree. */
function jsonFormat() {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', 'cli-report.schema.json'), 'utf8'));
  const table = (def) =>
    Object.entries(def.properties).map(([name, p]) => {
      const type = p.const !== undefined ? JSON.stringify(p.const) : p.enum ? p.enum.map((v) => JSON.stringify(v)).join(' \\| ') : p.type === 'array' ? 'array of issues' : p.type;
      return `| \`${name}\` | ${type} | ${(def.required ?? []).includes(name) ? 'yes' : 'no'} | ${p.description ?? ''} |`;
    });
  const head = ['| field | type | always | meaning |', '| --- | --- | --- | --- |'];
  return [
    '## JSON output (`--format=json`)',
    '',
    schema.description,
    `The JSON Schema is \`schemas/cli-report.schema.json\` (\`${schema.$id}\`), also exported as \`appc/schemas/cli-report.schema.json\`.`,
    '',
    '### Report (one line per input of `actool validate`)',
    '',
    ...head,
    ...table(schema.$defs.report),
    '',
    '### Issue',
    '',
    ...head,
    ...table(schema.$defs.issue),
    '',
    'A single issue printed as JSON also has `version` and `source` (the file, URL or app it is about).',
    '',
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, 'docs', 'cli.md'), await render());
  console.log('wrote docs/cli.md');
}
