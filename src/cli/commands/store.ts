/** `actool store`: a local image store kept by image ID (add, list, rm, gc). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { DirStore } from '../../render/dir-store.js';
import { shortImageId } from '../../schema/types/image-id.js';

const HELP = `Usage: actool store add|list|rm|gc [--store=DIR] [ARGS]

Keeps ACIs by image ID in a directory, with their manifests indexed. Safe when two processes use the
same store at once (a lock file); every write is atomic.

Subcommands:
  add ACI...         validate each ACI and add it (adding an image twice is harmless)
  list [--json]      list the images: short ID, name, labels, size
  rm ID...           remove images by image ID or unambiguous prefix (sha512- and at least 8 hex digits)
  gc                 remove blobs no index refers to, corrupt index files and leftover temporary files

Flags:
  --store=DIR        the store directory (default $ACTOOL_STORE or ./.actool-store)
  --json             (list) one JSON object per image per line

Exit codes: 0 ok, 1 an image was invalid or not found, 2 usage error, 3 I/O error.
`;

/** The store command. */
export const command: Command = {
  name: 'store',
  summary: 'Manage a local image store (add, list, rm, gc)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { store: { type: 'string' }, json: { type: 'boolean' }, debug: { type: 'boolean' } });
    const [sub, ...args] = positionals;
    const dir = resolve(io.cwd, values.store ?? io.env['ACTOOL_STORE'] ?? '.actool-store');
    const store = new DirStore(dir);
    switch (sub) {
      case 'add': {
        if (args.length === 0) throw new UsageError('store add needs at least one ACI');
        let exit: number = EXIT.OK;
        for (const file of args) {
          try {
            const image = await store.add(resolve(io.cwd, file));
            io.stdout(`${image.id}\t${image.manifest.name}\n`);
          } catch (e) {
            if ((e as { code?: unknown }).code !== 'STORE_INVALID_IMAGE') throw e;
            io.stderr(`store: ${(e as Error).message}\n`);
            exit = EXIT.INVALID;
          }
        }
        return exit;
      }
      case 'list': {
        if (args.length > 0) throw new UsageError('store list takes no arguments');
        const { images, issues } = await store.list();
        for (const i of issues) io.stderr(`store: warning ${i.code} ${i.entry ?? ''}: ${i.message}\n`);
        for (const image of images) {
          const labels = (image.manifest.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
          io.stdout(values.json ? JSON.stringify({ id: image.id, name: image.manifest.name, labels: image.manifest.labels ?? [], size: image.size }) + '\n' : `${shortImageId(image.id)}\t${image.manifest.name}\t${labels}\t${image.size}\n`);
        }
        return EXIT.OK;
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
            io.stderr(`store: ${(e as Error).message}\n`);
            exit = EXIT.INVALID;
          }
        }
        return exit;
      }
      case 'gc': {
        if (args.length > 0) throw new UsageError('store gc takes no arguments');
        const { removed } = await store.gc();
        for (const r of removed) io.stdout(`removed ${r}\n`);
        return EXIT.OK;
      }
      default:
        throw new UsageError(sub === undefined ? 'a subcommand is required: add, list, rm or gc' : `unknown subcommand ${JSON.stringify(sub)}: expected add, list, rm or gc`);
    }
  },
};
