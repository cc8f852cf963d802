/** `actool extract`: extracts an ACI into a directory without writing outside it. */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT, abortOnInterrupt } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';
import { createProgress } from '../progress.js';

/** The extract command. */
export const command: Command = {
  name: 'extract',
  help: `Usage: actool extract [--rootfs-only] [--strict] [--owner=preserve|current] ACI_FILE DIRECTORY

Extracts an image archive into DIRECTORY, which must be missing or empty. The archive is checked as
"actool validate" checks it (in the same mode: --strict makes warnings refuse too), and nothing lands in
DIRECTORY unless the whole archive passed: the tree is built beside it and renamed into place at the end.
Nothing is ever written outside DIRECTORY (absolute and ".." names, entries below a symlink, hard links
leaving the image are refused; symlinks are stored as they are and never followed). Modes (exactly: the
umask is not applied, like GNU tar -p) and mtimes are kept. Device nodes and FIFOs are skipped with a
warning (Node cannot create them). SIGINT or SIGTERM stops the extraction and removes the partial tree. A progress bar is shown on stderr
for archives of 100 MB or more when stderr is a terminal.

Flags:
  --rootfs-only     extract only the contents of rootfs/ into DIRECTORY (no manifest)
  --strict          refuse archives with warnings too (as validate --strict)
  --owner=MODE      preserve: restore the archive's uid and gid (needs root); current: files belong to you,
                    and set-user-ID and set-group-ID bits are cleared (GNU tar's rule). Default: preserve
                    when run as root, current otherwise (as GNU tar)

Exit codes: 0 extracted, 1 refused entry or damaged archive, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { 'rootfs-only': { type: 'boolean' }, strict: { type: 'boolean' }, owner: { type: 'string' } });
    if (positionals.length !== 2) throw new UsageError('must provide an ACI file and a directory');
    const owner = values.owner ?? (process.getuid?.() === 0 ? 'preserve' : 'current');
    if (owner !== 'preserve' && owner !== 'current') throw new UsageError(`--owner must be preserve or current, got ${JSON.stringify(owner)}`);
    const [file, dir] = positionals as [string, string];
    const { extractAci } = await import('../../aci/extract.js');
    // A byte bar for large archives, on a terminal only (progress.ts).
    const progress = await createProgress(io);
    const files = progress.files();
    const onProgress = (p: { compressedBytes: number }): void => files.update(file, p.compressedBytes);
    try {
      const report = await abortOnInterrupt((signal) => extractAci(file, dir, { rootfsOnly: values['rootfs-only'] === true, strict: values.strict === true, owners: owner, signal, onProgress }));
      progress.stop();
      io.stderr(formatIssues(file, [...report.warnings, ...report.skipped]));
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      return reportFailure(io, 'extract', e, file);
    }
  },
};
