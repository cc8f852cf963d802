/** `actool image-id`: prints the image ID of ACI files (spec/aci.md#image-id; A-ID-1). */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';

/** The image-id command. */
export const command: Command = {
  name: 'image-id',
  help: `Usage: actool image-id ACI_FILE...

Prints the image ID of each file: "sha512-" and the sha512 of the uncompressed tar, which equals
sha512sum of the decompressed file. With one file the line is the ID alone; with several, each line is
"ID  FILE" (like sha512sum). The tar itself is not validated (use actool validate); a damaged or
truncated compressed stream is an error.

Exit codes: 0 all printed, 1 a file is not an archive or is damaged, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { positionals } = parseFlags(argv, {});
    if (positionals.length === 0) throw new UsageError('must provide at least one file');
    const { computeImageId } = await import('../../aci/read-aci.js');
    let exit: number = EXIT.OK;
    const progress = await createProgress(io);
    const files = progress.files();
    const overall = positionals.length > 1 ? progress.items('hashed', positionals.length) : undefined;
    for (const [n, file] of positionals.entries()) {
      try {
        const id = await computeImageId(file, { onProgress: (p) => files.update(file, p.compressedBytes) });
        io.stdout(positionals.length === 1 ? `${id}\n` : `${id}  ${escapeTerminalText(file)}\n`);
      } catch (e) {
        exit = Math.max(exit, reportFailure(io, 'image-id', e, file));
      }
      files.done(file);
      overall?.update(n + 1);
    }
    progress.stop();
    return exit;
  },
};
