// Cold start (npm run bench): `actool validate one.json` against a bare `node -e 0` and the Go actool, median of
// 21 alternating runs; and the same through the bin entry (the file run by its shebang, as `npx actool` and
// node_modules/.bin/actool run it), which adds `/usr/bin/env` finding node.
import { join } from 'node:path';
import { actool, compare, extraCaCerts, goPeer, ours, root, withoutExtraCa } from './lib.mjs';

export async function run(table) {
  const one = join(root, 'fixtures', 'manifests', 'image', 'valid', 'spec-example.json');
  const bare = { name: 'node -e 0', argv: [process.execPath, '-e', '0'] };
  table.add('cold start: validate one.json', compare({ project: ours('validate', one), peers: [bare, goPeer('validate', one)], rounds: 21 }), {
    targets: { 'node -e 0': 1.4 },
  });
  if (extraCaCerts) {
    // What the environment adds to every node start (see extraCaCerts in lib.mjs); the same ratio without it.
    table.add('node -e 0 with NODE_EXTRA_CA_CERTS', compare({ project: bare.argv, peers: [{ name: 'node -e 0 without it', argv: withoutExtraCa(bare.argv) }], rounds: 21 }));
    table.add('cold start, no NODE_EXTRA_CA_CERTS', compare({ project: withoutExtraCa(ours('validate', one)), peers: [{ name: 'node -e 0', argv: withoutExtraCa(bare.argv) }], rounds: 21 }), {
      targets: { 'node -e 0': 1.4 },
    });
  }
  table.add('cold start: bin entry, validate', compare({ project: [actool, 'validate', one], peers: [bare], rounds: 21 }), { targets: { 'node -e 0': 1.4 } });
}
