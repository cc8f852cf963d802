/** `actool render`: an image and its dependencies, rendered into one rootfs. */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import type { CliIO } from '../io.js';
import { formatError } from '../format-error.js';
import { formatIssues } from '../format-issues.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import { isAppcError } from '../../issues/appc-error.js';
import { DirStore } from '../../render/dir-store.js';
import { renderImage, writeRendered } from '../../render/render.js';
import { shortImageId } from '../../schema/types/image-id.js';
import { parseImageRef } from '../image-ref.js';

const HELP = `Usage: actool render [--store=DIR] [--strict] [--owner=preserve|current] IMAGE DIR
       actool render [--store=DIR] [--strict] --list IMAGE

Resolves the dependencies of IMAGE from the store (by image ID when the manifest gives one, else by name
and labels, newest version first), applies the path whitelists, and writes the rendered rootfs into DIR:
upper images win, nothing is written outside DIR, modes and times are kept.
IMAGE is an image ID (or an unambiguous prefix) or NAME[:VERSION][,LABEL=VALUE...].

Flags:
  --store=DIR   the store directory (default $ACTOOL_STORE or ./.actool-store)
  --list        print the rendered files instead of writing them: PATH<TAB>IMAGE<TAB>SHORT-ID
  --strict      fail on warnings (relative whitelist entries, dependency size or name mismatches, path conflicts,
                the archive warnings validate --strict refuses)
  --owner=MODE  preserve: the archives' uid and gid (needs root); current: files belong to you and set-id
                bits are cleared. Default: preserve when run as root, current otherwise (as actool extract)

DIR must be missing or empty. The tree is built next to it and renamed into place when complete, so a
failure leaves nothing behind. Progress bars (archive bytes read) are shown on stderr when it is a terminal.

Exit codes: 0 ok, 1 image or dependency missing, cycle, hash mismatch, damaged archive, unsafe entry or
non-empty DIR, 2 usage error, 3 I/O error (or the store stayed locked).
`;

/** Prints a failed render: a problem with the images or the target exits 1, I/O (and a store that stays locked) 3. */
function failure(io: CliIO, e: unknown): number {
  io.stderr(`render: ${formatError(e)}\n`);
  return isAppcError(e) && e.code !== 'STORE_LOCKED' ? EXIT.INVALID : EXIT.IO;
}

/** The render command. */
export const command: Command = {
  name: 'render',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, list: { type: 'boolean' }, strict: { type: 'boolean' }, owner: { type: 'string' }, debug: { type: 'boolean' } });
    const owner = values.owner ?? (process.getuid?.() === 0 ? 'preserve' : 'current');
    if (owner !== 'preserve' && owner !== 'current') throw new UsageError(`--owner must be preserve or current, got ${JSON.stringify(owner)}`);
    const [image, dir, ...extra] = positionals;
    if (image === undefined) throw new UsageError('IMAGE is required');
    if (extra.length > 0) throw new UsageError('too many arguments');
    if (!values.list && dir === undefined) throw new UsageError('DIR is required (or --list)');
    if (values.list && dir !== undefined) throw new UsageError('--list prints the rendered files and writes nothing: give IMAGE without DIR');
    const store = new DirStore(resolve(io.cwd, values.store ?? io.env['ACTOOL_STORE'] ?? '.actool-store'));
    const ref = parseImageRef(image);
    // Byte bars over all the images' archives, on a terminal only (progress.ts): one for the pass that selects
    // the entries, one for the pass that writes them.
    const progress = await createProgress(io);
    let rendered;
    const reading = progress.bytes(`reading ${image}`);
    try {
      rendered = await renderImage(store, ref, { ...(values.strict ? { strict: true } : {}), onProgress: (p) => reading.update(p.compressedBytes) });
    } catch (e) {
      progress.stop();
      return failure(io, e);
    }
    reading.finish();
    io.stderr(formatIssues('render', rendered.warnings));
    if (values.list) {
      for (const e of rendered.entries) {
        const from = rendered.images[e.image]!.image;
        io.stdout(`${escapeTerminalText(e.path === 'rootfs' ? '/' : e.path.slice('rootfs'.length))}\t${escapeTerminalText(from.manifest.name)}\t${shortImageId(from.id)}\n`);
      }
      progress.stop();
      return EXIT.OK;
    }
    const total = rendered.images.reduce((sum, i) => sum + i.image.size, 0);
    const writing = progress.bytes(`rendering ${dir!}`, total);
    try {
      const report = await writeRendered(store, rendered, resolve(io.cwd, dir!), { owners: owner, onProgress: (p) => writing.update(p.compressedBytes) });
      progress.stop();
      io.stderr(formatIssues('render', report.skipped));
    } catch (e) {
      progress.stop();
      return failure(io, e);
    }
    return EXIT.OK;
  },
};
