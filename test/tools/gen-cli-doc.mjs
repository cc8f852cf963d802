#!/usr/bin/env node
// Writes docs/cli.md from the help text of every actool command (run after `npm run build`).
// A test checks the committed file matches, so the reference cannot drift from the tool.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function render() {
  const { COMMANDS } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'commands', 'index.js')).href);
  const { globalHelp } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'actool.js')).href);
  const lines = ['# actool command reference', '', 'Generated from the commands\' `--help` texts by `npm run docs:cli`; do not edit by hand.', '', '```', globalHelp().trimEnd(), '```', ''];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = await entry.load();
    lines.push(`## actool ${name}`, '', '```', command.help.trimEnd(), '```', '');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, 'docs', 'cli.md'), await render());
  console.log('wrote docs/cli.md');
}
