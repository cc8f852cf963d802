// Cold start (npm run bench): `actool validate one.json` against a bare `node -e 0` and the Go actool,
// median of 15 alternating runs.
import { join } from 'node:path';
import { compare, goPeer, ours, root } from './lib.mjs';

export async function run(table) {
  const one = join(root, 'fixtures', 'manifests', 'image', 'valid', 'spec-example.json');
  table.add('cold start: validate one.json', compare({ project: ours('validate', one), peers: [{ name: 'node -e 0', argv: [process.execPath, '-e', '0'] }, goPeer('validate', one)], rounds: 15 }), {
    targets: { 'node -e 0': 1.4 },
  });
}
