/** `actool build`: builds an ACI from an image layout directory (checklist §3.7 A-BD-1..5, §7). */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Compression } from '../../aci/detect.js';

const COMPRESSIONS: readonly Compression[] = ['gzip', 'xz', 'bzip2', 'none'];

/** The build command. */
export const command: Command = {
  name: 'build',
  help: `Usage: actool build [--overwrite] [--no-compression] [--compression=gzip|xz|bzip2|none] [--owner-root]
                    [--reproducible] [--sync] DIRECTORY OUTPUT.aci

Builds an ACI from an image layout (DIRECTORY/manifest and DIRECTORY/rootfs). The layout is validated
first. Entries are written rootfs first, depth-first in byte order, the manifest last (canonical JSON).
The archive is written to a temporary file and renamed into place, so a failed build leaves nothing.
As with tar and the Go actool, the kernel writes the file to disk in its own time; --sync waits for it.

Flags:
  --overwrite         replace OUTPUT.aci if it exists
  --no-compression    write a plain tar (same as --compression=none)
  --compression=C     gzip (default), xz, bzip2 (needs the bzip2 program) or none
  --owner-root        record every file as owned by root:root (uid and gid 0)
  --reproducible      the same tree gives the same bytes: every mtime set to $SOURCE_DATE_EPOCH (or 0),
                      numeric owners only; entries are always sorted and gzip has no timestamp
  --sync              flush the archive to disk before it takes its name, so a power cut or a system
                      crash cannot leave an empty or cut-short OUTPUT.aci (slower: waits for the disk)
  --debug             print the image ID and the entry count (stderr)

Not recorded: extended attributes (Node has no xattr API), sockets (skipped), sub-second mtimes.

Exit codes: 0 built, 1 invalid layout, output exists or bad extension, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      overwrite: { type: 'boolean' },
      'no-compression': { type: 'boolean' },
      compression: { type: 'string' },
      'owner-root': { type: 'boolean' },
      reproducible: { type: 'boolean' },
      sync: { type: 'boolean' },
      debug: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('must provide a directory and an output file');
    let compression = (values.compression ?? 'gzip') as Compression;
    if (!COMPRESSIONS.includes(compression)) throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ')} (got ${JSON.stringify(values.compression)})`);
    if (values['no-compression']) {
      if (values.compression !== undefined && compression !== 'none') throw new UsageError('--no-compression conflicts with --compression=' + compression);
      compression = 'none';
    }
    let sourceDateEpoch: number | undefined;
    if (values.reproducible && io.env['SOURCE_DATE_EPOCH'] !== undefined && io.env['SOURCE_DATE_EPOCH'] !== '') {
      const v = io.env['SOURCE_DATE_EPOCH'];
      if (!/^\d+$/.test(v)) throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds (got ${JSON.stringify(v)})`);
      sourceDateEpoch = Number(v);
    }
    const [dir, out] = positionals as [string, string];
    const { buildAci } = await import('../../aci/build-aci.js');
    const progress = await createProgress(io);
    const bar = progress.bytes(out);
    try {
      const report = await buildAci(dir, out, {
        onProgress: (bytes) => bar.update(bytes),
        compression,
        overwrite: values.overwrite === true,
        ownerRoot: values['owner-root'] === true,
        reproducible: values.reproducible === true,
        sync: values.sync === true,
        // The image ID costs a sha512 of every byte; only --debug shows it.
        imageId: values.debug === true,
        ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      });
      progress.stop();
      io.stderr(formatIssues(dir, report.warnings));
      for (const s of report.skipped) io.stderr(`build: skipped ${escapeTerminalText(s)}: sockets cannot be archived\n`);
      if (values.debug) io.stderr(`build: wrote ${out}: ${report.entryCount} entries, ${report.bytes} bytes of tar, image ID ${report.imageId ?? '(not computed)'}\n`);
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      const issues = (e as { issues?: readonly import('../../issues/issue.js').Issue[] }).issues;
      if (issues) {
        io.stderr(formatIssues(dir, issues));
        io.stderr(`build: layout ${dir} failed validation\n`);
        return EXIT.INVALID;
      }
      return reportFailure(io, 'build', e, dir);
    }
  },
};
