/** `actool convert`: converts a Docker or OCI image (OCI layout or docker save archive) to an ACI (docs/convert.md). */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import { formatError } from '../format-error.js';
import { isAppcError } from '../../issues/appc-error.js';

/** The convert command. */
export const command: Command = {
  name: 'convert',
  help: `Usage: actool convert [--os=OS] [--arch=ARCH] [--variant=V] [--image=REF] [--name=NAME] [--version=V]
                      [--layered] [--compression=gzip|none] [--overwrite] [--sync] [--json] INPUT OUTPUT.aci

Converts an image offline. INPUT is an OCI image layout (a directory, or a tar of one) or a docker save
archive (legacy, or the OCI form of Docker 25+); the form is detected. Every blob is checked against its
digest; layers are applied in order with their whiteouts. The image config becomes the manifest's app
(exec = Entrypoint + Cmd, environment, working directory, user and group, ports, mount points), os/arch
labels, and annotations. Nothing is written unless the whole conversion succeeds. A progress bar (tar
bytes written) is shown on stderr when it is a terminal.

Flags:
  --os, --arch, --variant   platform to take from a multi-platform index (default: this machine's);
                            OCI or appc names (arm64 or aarch64, arm --variant=v7 or armv7l)
  --image=REF               which image of an input holding several (busybox:1.36, or a bare tag)
  --name=NAME               the ACI name (an ACIdentifier; default: the image's repository)
  --version=V               the version label (default: the image's tag)
  --layered                 one ACI per layer, each depending on the one below by image ID; the lower
                            ones are written next to OUTPUT as OUTPUT-layerN.aci
  --compression=C           gzip (default) or none
  --overwrite               replace existing output files
  --sync                    flush each ACI to disk before it takes its name (survives a power cut)
  --json                    print the report as JSON (images, image IDs, manifest, warnings)

Prints one line per ACI written: PATH IMAGE-ID. Warnings (config items left out) go to stderr.

Exit codes: 0 converted, 1 invalid or unsafe input (or output exists), 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      os: { type: 'string' },
      arch: { type: 'string' },
      variant: { type: 'string' },
      image: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      layered: { type: 'boolean' },
      compression: { type: 'string' },
      overwrite: { type: 'boolean' },
      sync: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('must provide an input image and an output file');
    const compression = values.compression ?? 'gzip';
    if (compression !== 'gzip' && compression !== 'none') throw new UsageError(`--compression must be gzip or none (got ${JSON.stringify(compression)})`);
    const [input, output] = positionals as [string, string];
    const { convertOciImage } = await import('../../convert/convert.js');
    // A byte bar for the written tar stream, on a terminal only (progress.ts), as build shows.
    const progress = await createProgress(io);
    const bar = progress.bytes(output);
    try {
      const report = await convertOciImage(input, {
        output,
        compression,
        ...(values.os !== undefined ? { os: values.os } : {}),
        ...(values.arch !== undefined ? { arch: values.arch } : {}),
        ...(values.variant !== undefined ? { variant: values.variant } : {}),
        ...(values.image !== undefined ? { image: values.image } : {}),
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.version !== undefined ? { version: values.version } : {}),
        layered: values.layered === true,
        overwrite: values.overwrite === true,
        sync: values.sync === true,
        onProgress: (bytes) => bar.update(bytes),
      });
      progress.stop();
      if (values.json) io.stdout(JSON.stringify(report) + '\n');
      else for (const img of report.images) io.stdout(`${escapeTerminalText(img.path)} ${img.imageId}\n`);
      io.stderr(formatIssues(input, report.warnings));
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      // A bad option value (such as a --name that is not an ACIdentifier) is a usage error.
      if (isAppcError(e) && e.code === 'CONVERT_BAD_OPTION') {
        io.stderr(`convert: ${formatError(e)}\n`);
        return EXIT.USAGE;
      }
      return reportFailure(io, 'convert', e, input);
    }
  },
};
