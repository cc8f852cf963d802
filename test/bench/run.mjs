// `npm run bench`: runs every benchmark module under test/bench/ that exports run(); ratios are against
// baselines measured in the same run, so the numbers are comparable across machines.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort()) {
  const name = file.replace(/\.mjs$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  const mod = await import(pathToFileURL(join(here, file)).href);
  if (typeof mod.run !== 'function') continue;
  console.log(`== ${name}`);
  await mod.run();
}
