/** `actool extract`: extracts an ACI into a directory without writing outside it. */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';

/** The extract command. */
export const command: Command = {
  name: 'extract',
  summary: 'Extract an ACI into a directory, safely',
  help: `Usage: actool extract [--rootfs-only] ACI_FILE DIRECTORY

Extracts an image archive into DIRECTORY (created if missing), keeping modes and mtimes. Nothing is
ever written outside DIRECTORY: absolute names, ".." names, writes through symlinks, relative symlinks
that point above DIRECTORY and hard links to paths outside it are refused, and extraction stops there.
Device nodes and FIFOs are skipped with a warning (Node cannot create them). Owners are not restored.

Flags:
  --rootfs-only   extract only the contents of rootfs/ into DIRECTORY (no manifest)

Exit codes: 0 extracted, 1 refused entry or damaged archive, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { 'rootfs-only': { type: 'boolean' } });
    if (positionals.length !== 2) throw new UsageError('must provide an ACI file and a directory');
    const [file, dir] = positionals as [string, string];
    const { extractAci } = await import('../../aci/extract.js');
    try {
      const report = await extractAci(file, dir, { rootfsOnly: values['rootfs-only'] === true });
      io.stderr(formatIssues(file, report.skipped));
      return EXIT.OK;
    } catch (e) {
      return reportFailure(io, 'extract', e, file);
    }
  },
};
