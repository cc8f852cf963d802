/** `actool store`: a local image store kept by image ID (add, list, rm, gc). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import type { CliIO } from '../io.js';
import { formatError, withPath } from '../format-error.js';
import { formatIssues } from '../format-issues.js';
import { escapeTerminalText } from '../terminal-text.js';
import { isAppcError } from '../../issues/appc-error.js';
import { DirStore } from '../../render/dir-store.js';
import { shortImageId } from '../../schema/types/image-id.js';

const HELP = `Usage: actool store add|list|rm|gc [--store=DIR] [ARGS]

Keeps ACIs by image ID in a directory, with their manifests indexed. Safe when two processes use the
same store at once (a lock file); every write is atomic.

Subcommands:
  add ACI...         validate each ACI and add it (adding an image twice is harmless)
  list [--json]      list the images: short ID, name, labels, size; damaged entries are reported
                     (exit 1, \`store gc\` removes them), foreign files warned about
  rm ID...           remove images by image ID or unambiguous prefix (sha512- and at least 8 hex digits)
  gc                 remove blobs no index refers to, corrupt index files and leftover temporary files

Flags:
  --store=DIR        the store directory (default $ACTOOL_STORE or ./.actool-store)
  --json             (list) one JSON object per image per line

Exit codes: 0 ok, 1 an image was invalid or not found, the store damaged or not a store, 2 usage error,
3 I/O error (or the store stayed locked).
`;

/** The store command. */
export const command: Command = {
  name: 'store',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, json: { type: 'boolean' }, debug: { type: 'boolean' } });
    const [sub, ...args] = positionals;
    const dir = resolve(io.cwd, values.store ?? io.env['ACTOOL_STORE'] ?? '.actool-store');
    const store = new DirStore(dir);
    try {
      return await runSub(sub, args, store, values.json === true, io);
    } catch (e) {
      if (!isAppcError(e)) throw e;
      // The store path, a damaged or locked store: say so in one line. A lock that stays held is like I/O (3).
      io.stderr(`store: ${formatError(e)}\n`);
      return e.code === 'STORE_LOCKED' ? EXIT.IO : EXIT.INVALID;
    }
  },
};

/** Runs one subcommand; AppcErrors are reported by the caller. */
async function runSub(sub: string | undefined, args: readonly string[], store: DirStore, json: boolean, io: CliIO): Promise<number> {
  switch (sub) {
    case 'add': {
      if (args.length === 0) throw new UsageError('store add needs at least one ACI');
      let exit: number = EXIT.OK;
      for (const file of args) {
        try {
          const image = await store.add(resolve(io.cwd, file));
          io.stdout(`${image.id}\t${escapeTerminalText(image.manifest.name)}\n`);
        } catch (e) {
          if ((e as { code?: unknown }).code !== 'STORE_INVALID_IMAGE') throw withPath(e, file);
          io.stderr(`store: ${escapeTerminalText((e as Error).message)}\n`);
          exit = EXIT.INVALID;
        }
      }
      return exit;
    }
    case 'list': {
      if (args.length > 0) throw new UsageError('store list takes no arguments');
      const { images, issues } = await store.list();
      io.stderr(formatIssues('store', issues));
      for (const image of images) {
        const labels = (image.manifest.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
        io.stdout(
          json
            ? JSON.stringify({ id: image.id, name: image.manifest.name, labels: image.manifest.labels ?? [], size: image.size }) + '\n'
            : `${shortImageId(image.id)}\t${escapeTerminalText(`${image.manifest.name}\t${labels}`)}\t${image.size}\n`,
        );
      }
      // Damaged entries are errors (the images are still listed); foreign files only warnings.
      return issues.some((i) => i.severity === 'error') ? EXIT.INVALID : EXIT.OK;
    }
    case 'rm': {
      if (args.length === 0) throw new UsageError('store rm needs at least one image ID');
      let exit: number = EXIT.OK;
      for (const id of args) {
        try {
          io.stdout(`${await store.remove(id)}\n`);
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          if (code !== 'RENDER_IMAGE_NOT_FOUND' && code !== 'STORE_AMBIGUOUS_ID') throw e;
          io.stderr(`store: ${escapeTerminalText((e as Error).message)}\n`);
          exit = EXIT.INVALID;
        }
      }
      return exit;
    }
    case 'gc': {
      if (args.length > 0) throw new UsageError('store gc takes no arguments');
      const { removed } = await store.gc();
      for (const r of removed) io.stdout(`removed ${escapeTerminalText(r)}\n`);
      return EXIT.OK;
    }
    default:
      throw new UsageError(sub === undefined ? 'a subcommand is required: add, list, rm or gc' : `unknown subcommand ${JSON.stringify(sub)}: expected add, list, rm or gc`);
  }
}
