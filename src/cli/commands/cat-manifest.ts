/** `actool cat-manifest`: prints the manifest of an ACI (checklist §7). */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';

/** The cat-manifest command. */
export const command: Command = {
  name: 'cat-manifest',
  help: `Usage: actool cat-manifest [--pretty-print] ACI_FILE

Prints the manifest of an image archive (gzip, bzip2, xz or plain tar). Reading stops at the manifest.
Without --pretty-print the bytes are printed exactly as stored, then validated: an invalid manifest is
still printed, its issues go to stderr and the exit code is 1. With --pretty-print the manifest is
validated first and printed as canonical JSON indented by 4 spaces.

Flags:
  --pretty-print   validate, then print indented canonical JSON

Exit codes: 0 valid manifest printed, 1 invalid manifest, no manifest or damaged archive, 2 usage error,
3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { 'pretty-print': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('must provide one file');
    const file = positionals[0]!;
    const { readAciManifest } = await import('../../aci/read-aci.js');
    try {
      const { raw, manifest } = await readAciManifest(file);
      if (!values['pretty-print']) io.stdout(new TextDecoder().decode(raw) + '\n');
      if (!manifest.ok) {
        io.stderr(formatIssues(file, manifest.issues));
        return EXIT.INVALID;
      }
      io.stderr(formatIssues(file, manifest.warnings));
      if (values['pretty-print']) {
        const { stringifyManifest } = await import('../../schema/manifest.js');
        io.stdout(stringifyManifest(manifest.value, { pretty: true }) + '\n');
      }
      return EXIT.OK;
    } catch (e) {
      return reportFailure(io, 'cat-manifest', e, file);
    }
  },
};
