/** `actool patch-manifest`: copies an ACI with its manifest changed (checklist §7; Go actool/manifest.go). */
import { readFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import { reportFailure } from '../aci-errors.js';
import { withPath } from '../format-error.js';
import { formatIssues } from '../format-issues.js';
import type { ManifestPatch } from '../../aci/patch-manifest.js';

/** The patch-manifest command. */
export const command: Command = {
  name: 'patch-manifest',
  help: `Usage: actool patch-manifest [--manifest=MANIFEST_FILE] [--name=example.com/app] [--exec="/app --debug"]
         [--user=UID] [--group=GID] [--supplementary-groups=GID1,GID2,...]
         [--capability=CAP_SYS_ADMIN,CAP_NET_ADMIN] [--revoke-capability=CAP_SYS_CHROOT,CAP_MKNOD]
         [--mounts=work,path=/opt,readOnly=true[:work2,...]] [--ports=query,protocol=tcp,port=8080[:query2,...]]
         [--isolators=resource/cpu,request=50m,limit=100m[:resource/memory,...]]
         [--seccomp-mode=remove|retain[,errno=EPERM]] [--seccomp-set=syscall1,syscall2,...]
         [--overwrite] [--no-compression] [--replace] [--sync] INPUT_ACI [OUTPUT_ACI]

Copies INPUT_ACI to OUTPUT_ACI with its manifest changed. Every other entry is copied unchanged. The
patched manifest is validated before the output is written; the output goes through a temporary file.

Flags:
  --manifest=FILE            replace the whole manifest (validated; cannot be combined with other edits)
  --name=NAME                set the image name
  --exec="CMD ARGS"          set app.exec (split on single spaces); adds an app if there is none
  --user=UID, --group=GID    set app.user and app.group
  --supplementary-groups=L   set app.supplementaryGIDs (comma-separated)
  --capability=CAPS          replace the capability isolators with a retain set
  --revoke-capability=CAPS   replace the capability isolators with a remove set
  --mounts=MP[:MP...]        add mount points (name,path=P[,readOnly=B])
  --ports=P[:P...]           add ports (name,protocol=tcp,port=N[,count=N][,socketActivated=B])
  --isolators=I[:I...]       add isolators: resource/*, os/linux/no-new-privileges,B, os/linux/oom-score-adj,N
  --seccomp-mode=MODE        remove or retain[,errno=ERRNO]: replace the seccomp isolators
  --seccomp-set=SYSCALLS     the syscalls of the seccomp set (needs --seccomp-mode)
  --overwrite                replace OUTPUT_ACI if it exists
  --no-compression           write a plain tar (default gzip)
  --replace                  write over INPUT_ACI (no OUTPUT_ACI; not with --overwrite)
  --sync                     flush the output to disk before it takes its name (survives a power cut)
  --debug                    print the new image ID (stderr)

Exit codes: 0 written, 1 invalid manifest, patch, archive or existing output, 2 usage error, 3 I/O failure.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      manifest: { type: 'string' },
      name: { type: 'string' },
      exec: { type: 'string' },
      user: { type: 'string' },
      group: { type: 'string' },
      'supplementary-groups': { type: 'string' },
      capability: { type: 'string' },
      'revoke-capability': { type: 'string' },
      mounts: { type: 'string' },
      ports: { type: 'string' },
      isolators: { type: 'string' },
      'seccomp-mode': { type: 'string' },
      'seccomp-set': { type: 'string' },
      overwrite: { type: 'boolean' },
      'no-compression': { type: 'boolean' },
      replace: { type: 'boolean' },
      sync: { type: 'boolean' },
      debug: { type: 'boolean' },
    });
    if (values.replace && values.overwrite) throw new UsageError('cannot use both --replace and --overwrite');
    if (!values.replace && positionals.length !== 2) throw new UsageError('must provide input and output files (or use --replace)');
    if (values.replace && positionals.length !== 1) throw new UsageError('must provide one file with --replace');
    const [input, output] = positionals as [string, string | undefined];
    const patch: { -readonly [K in keyof ManifestPatch]: ManifestPatch[K] } = {};
    const map: [keyof ManifestPatch, string | undefined][] = [
      ['name', values.name],
      ['exec', values.exec],
      ['user', values.user],
      ['group', values.group],
      ['supplementaryGroups', values['supplementary-groups']],
      ['capability', values.capability],
      ['revokeCapability', values['revoke-capability']],
      ['mounts', values.mounts],
      ['ports', values.ports],
      ['isolators', values.isolators],
      ['seccompMode', values['seccomp-mode']],
      ['seccompSet', values['seccomp-set']],
    ];
    for (const [k, v] of map) if (v !== undefined && v !== '') (patch as Record<string, string>)[k] = v;
    const { patchManifest } = await import('../../aci/patch-manifest.js');
    try {
      if (values.manifest !== undefined && values.manifest !== '') patch.manifest = await readFile(values.manifest).catch((e: unknown) => Promise.reject(withPath(e, values.manifest!)));
      const report = await patchManifest(input, output, patch, {
        compression: values['no-compression'] ? 'none' : 'gzip',
        overwrite: values.overwrite === true,
        replace: values.replace === true,
        sync: values.sync === true,
      });
      io.stderr(formatIssues(input, report.warnings));
      if (values.debug) io.stderr(`patch-manifest: wrote ${report.output}, image ID ${report.imageId}\n`);
      return EXIT.OK;
    } catch (e) {
      const issues = (e as { issues?: readonly import('../../issues/issue.js').Issue[] }).issues;
      if (issues) {
        io.stderr(formatIssues(input, issues));
        io.stderr(`patch-manifest: nothing written: ${(e as Error).message}\n`);
        return EXIT.INVALID;
      }
      return reportFailure(io, 'patch-manifest', e, input);
    }
  },
};
