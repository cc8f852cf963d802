/** `actool convert`: a Docker or OCI image (layout directory or tar, or `docker save` archive) to an ACI. */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { convertOciImage } from '../../convert/convert.js';

const HELP = `Usage: actool convert [--os=OS] [--arch=ARCH] [--variant=V] [--name=NAME] [--version=V]
                     [--layered] [--compression=gzip|none] [--overwrite] INPUT OUT.aci

Converts an OCI image layout (directory or tar) or a \`docker save\` archive (legacy or OCI form) into an ACI.
Layers are applied in order with whiteouts; every blob is checked against its digest; the manifest is made
from the image config (see docs/convert.md) and validated. Output is written atomically.

Flags:
  --os, --arch, --variant   pick an image from a multi-platform index, in OCI terms (linux, arm64, v8);
                            default: the host's platform. The choices are listed when none matches.
  --name=NAME               the image name (default: from the image's tag or reference)
  --version=V               the version label (default: the tag, else "latest")
  --layered                 one ACI per layer (OUT-layerN.aci), chained by dependencies with image IDs
  --compression=C           gzip (default) or none
  --overwrite               replace OUT if it exists

Exit codes: 0 converted, 1 bad input (missing blob, digest mismatch, unsafe path, no matching platform),
2 usage error, 3 I/O error.
`;

/** The convert command. */
export const command: Command = {
  name: 'convert',
  summary: 'Convert a Docker or OCI image to an ACI',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      os: { type: 'string' },
      arch: { type: 'string' },
      variant: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      layered: { type: 'boolean' },
      compression: { type: 'string' },
      overwrite: { type: 'boolean' },
      debug: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('INPUT and OUT.aci are required');
    const [input, out] = positionals as [string, string];
    if (!out.endsWith('.aci')) throw new UsageError(`the output must end in .aci (given ${JSON.stringify(out)})`);
    const compression = values.compression ?? 'gzip';
    if (compression !== 'gzip' && compression !== 'none') throw new UsageError('--compression must be gzip or none');
    try {
      const report = await convertOciImage(resolve(io.cwd, input), resolve(io.cwd, out), {
        ...(values.os === undefined ? {} : { os: values.os }),
        ...(values.arch === undefined ? {} : { arch: values.arch }),
        ...(values.variant === undefined ? {} : { variant: values.variant }),
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.version === undefined ? {} : { version: values.version }),
        layered: values.layered === true,
        compression,
        overwrite: values.overwrite === true,
      });
      for (const w of report.warnings) io.stderr(`convert: warning ${w.code}: ${w.message}\n`);
      for (const image of report.images) io.stdout(`${image.path}\t${image.imageId}\t${image.manifest.name}\n`);
      return EXIT.OK;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('CONVERT_') || code.startsWith('ACI_'))) {
        io.stderr(`convert: ${(e as Error).message} [${code}]\n`);
        return code === 'ACI_OUTPUT_EXISTS' ? EXIT.IO : EXIT.INVALID;
      }
      throw e;
    }
  },
};
