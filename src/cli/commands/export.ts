/** `actool export`: an ACI and its dependencies as an OCI image layout, an OCI archive or a `docker load` archive (docs/convert.md). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { formatIssues } from '../format-issues.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import { formatError } from '../format-error.js';
import { parseImageRef } from '../image-ref.js';
import { isAppcError } from '../../issues/appc-error.js';

const FORMATS = ['oci', 'oci-archive', 'docker-archive'] as const;

/** The export command. */
export const command: Command = {
  name: 'export',
  help: `Usage: actool export [--format=oci|oci-archive|docker-archive] [--layered] [--store=DIR] [--tag=NAME:TAG]
                     [--reproducible] [--overwrite] [--sync] [--json] IMAGE OUT

Exports an image for OCI runtimes (podman, containerd, Docker, Kubernetes). IMAGE is an .aci file (its
dependencies are found in the store) or an image of the store: an image ID or NAME[:VERSION][,LABEL=VALUE...].
The image and its dependencies are rendered as \`actool render\` does (whitelists applied, upper images win);
an invalid ACI or a missing dependency is refused before anything is written.

Mapping (the manifest to the image config; docs/convert.md has the full table):
  app.exec -> Entrypoint (and Cmd, when an earlier conversion recorded the split)
  app.user:app.group -> User (left out for 0:0; a path is resolved to the file's owner)
  app.environment -> Env            app.workingDirectory -> WorkingDir
  app.ports -> ExposedPorts (PORT/PROTO, a count range expanded)
  app.mountPoints -> Volumes        app.userLabels -> Labels
  labels os/arch -> platform (aarch64 -> arm64, armv7l -> arm/v7, i386 -> 386 ...)
  label version -> the tag (org.opencontainers.image.ref.name, RepoTags)
  name, annotations created/authors/homepage/documentation -> org.opencontainers.image.{title,created,authors,url,documentation}
  the ACI image ID -> the io.appc.image.id annotation; other annotations are copied
  isolators, event handlers, supplementary groups, read-only mounts, socket activation, other labels:
  not representable; printed as warnings (EXPORT_FIELD_UNMAPPED).

Flags:
  --format=F        oci (a layout directory, default), oci-archive (a tar of one; skopeo's oci-archive:),
                    docker-archive (for docker load and skopeo's docker-archive:)
  --layered         one layer per image of the dependency list, lowest first; pathWhitelist becomes whiteouts
                    (refused with EXPORT_LAYERED_INEXACT when layers cannot give the rendered tree)
  --store=DIR       where dependencies are found (default $ACTOOL_STORE or ./.actool-store)
  --tag=NAME[:TAG]  the reference written (default: the ACI name and its version label, or latest)
  --reproducible    layer mtimes set to SOURCE_DATE_EPOCH (or 0) and owner names dropped: equal trees give
                    equal digests
  --overwrite       replace an existing OUT (a file, an OCI layout or an empty directory)
  --sync            flush an archive OUT (oci-archive, docker-archive) to disk before it takes its name
  --json            print the report (digests, layers, warnings) as JSON

Layers are gzip tars with sha256 digests and diff IDs. OUT appears only when the export succeeded.
On a terminal, stderr shows the bytes written so far.
Prints the manifest digest and the reference; warnings go to stderr.

Exit codes: 0 exported, 1 invalid image, missing dependency or existing OUT, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      format: { type: 'string' },
      layered: { type: 'boolean' },
      store: { type: 'string' },
      tag: { type: 'string' },
      reproducible: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      sync: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('must provide IMAGE and OUT');
    const format = values.format ?? 'oci';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
    const [image, output] = positionals as [string, string];
    let epoch: number | undefined;
    if (values.reproducible) {
      const env = io.env['SOURCE_DATE_EPOCH'];
      if (env !== undefined && env !== '') {
        if (!/^\d+$/.test(env)) throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds (got ${JSON.stringify(env)})`);
        epoch = Number(env);
      }
    }
    const [{ exportOciImage }, { DirStore }, { stat }] = await Promise.all([import('../../convert/export.js'), import('../../render/dir-store.js'), import('node:fs/promises')]);
    const store = new DirStore(resolve(io.cwd, values.store ?? io.env['ACTOOL_STORE'] ?? '.actool-store'));
    const file = resolve(io.cwd, image);
    const isFile =
      image.endsWith('.aci') ||
      (await stat(file).then(
        (s) => s.isFile(),
        () => false,
      ));
    const source = isFile ? file : { store, image: parseImageRef(image) };
    // Progress on a terminal: the uncompressed bytes written so far.
    const progress = await createProgress(io);
    const bar = progress.bytes(output);
    try {
      const report = await exportOciImage(source, {
        onProgress: (bytes) => bar.update(bytes),
        output: resolve(io.cwd, output),
        format: format as (typeof FORMATS)[number],
        layered: values.layered === true,
        store,
        ...(values.tag !== undefined ? { tag: values.tag } : {}),
        reproducible: values.reproducible === true,
        ...(epoch !== undefined ? { epoch } : {}),
        overwrite: values.overwrite === true,
        sync: values.sync === true,
      });
      progress.stop();
      io.stderr(formatIssues(image, report.warnings));
      if (values.json) io.stdout(JSON.stringify(report) + '\n');
      else io.stdout(`${escapeTerminalText(output)} ${report.manifestDigest} ${report.reference}\n`);
      return EXIT.OK;
    } catch (e) {
      progress.stop();
      if (isAppcError(e) && e.code === 'EXPORT_BAD_OPTION') {
        io.stderr(`export: ${formatError(e)}\n`);
        return EXIT.USAGE;
      }
      return reportFailure(io, 'export', e);
    }
  },
};
