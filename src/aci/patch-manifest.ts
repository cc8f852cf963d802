/**
 * Rewriting an archive's manifest (actool patch-manifest; checklist §7): the flag edits of Go's
 * patch-manifest as a pure function, and a one-pass copy of the archive in which every other entry keeps
 * its header blocks byte for byte. The result is validated before it is written, and written atomically.
 */
import { AppcError } from '../issues/appc-error.js';
import type { Issue, Result, ValidateOptions } from '../issues/issue.js';
import { toResult } from '../issues/issue.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { parseImageManifest, validateImageManifest } from '../schema/image-manifest.js';
import { stringifyManifest } from '../schema/manifest.js';
import type { SchemaValidateOptions } from '../schema/internal/check.js';
import { validateACIdentifier } from '../schema/types/ac-identifier.js';
import { makeCapabilitiesIsolator, makeIsolatorsFromFlag, makeSeccompIsolatorFromFlags, replaceIsolatorsByName, type Isolator } from '../schema/types/isolator.js';
import { LINUX_CAPABILITIES_REMOVE_SET, LINUX_CAPABILITIES_RETAIN_SET, LINUX_SECCOMP_REMOVE_SET, LINUX_SECCOMP_RETAIN_SET } from '../schema/types/isolators/linux.js';
import { parseMountPointFlag } from '../schema/types/mount-point.js';
import { parsePortFlag } from '../schema/types/port.js';
import { checkExtension, checkOutput, openArchiveOutput, type SyncOption } from './archive-output.js';
import type { CompressOptions } from './compress.js';
import type { Compression } from './detect.js';
import { readAciEntries } from './entries.js';
import { MANIFEST_NAME, aciIssue } from './layout-rules.js';
import type { AciLimits } from './scan.js';
import type { AciSource } from './source.js';
import { ACI_LIMITS } from './scan.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding } from './tar/write-tar.js';
import { ImageCheck, tagManifest } from './image-check.js';

/**
 * The edits of `actool patch-manifest`, as the command line gives them (empty or absent means "leave it").
 * List flags use Go's separators: `:` between mounts, ports and isolators, `,` inside them and in groups
 * and capability sets; `exec` is split on single spaces.
 */
export interface ManifestPatch {
  /** A whole replacement manifest (JSON); conflicts with every other edit. */
  readonly manifest?: string | Uint8Array;
  readonly name?: string;
  readonly exec?: string;
  readonly user?: string;
  readonly group?: string;
  /** `1,2,3`: replaces supplementaryGIDs. */
  readonly supplementaryGroups?: string;
  /** `CAP_A,CAP_B`: replaces the capability isolators with a retain set. */
  readonly capability?: string;
  /** `CAP_A,CAP_B`: replaces the capability isolators with a remove set. */
  readonly revokeCapability?: string;
  /** `name,path=/p[,readOnly=true][:...]`: appended to mountPoints. */
  readonly mounts?: string;
  /** `name,protocol=tcp,port=80[,count=1][,socketActivated=true][:...]`: appended to ports. */
  readonly ports?: string;
  /** `resource/cpu,request=50m,limit=100m[:...]`, `os/linux/no-new-privileges,true`: appended to isolators. */
  readonly isolators?: string;
  /** `remove|retain[,errno=E]`: replaces the seccomp isolators (with `seccompSet`). */
  readonly seccompMode?: string;
  /** `a,b,c`: the seccomp set; needs `seccompMode`. */
  readonly seccompSet?: string;
}

const APP_FLAGS = ['user', 'group', 'supplementaryGroups', 'capability', 'revokeCapability', 'mounts', 'ports', 'isolators', 'seccompMode', 'seccompSet'] as const;
const FLAG_NAMES: Record<keyof ManifestPatch, string> = {
  manifest: '--manifest',
  name: '--name',
  exec: '--exec',
  user: '--user',
  group: '--group',
  supplementaryGroups: '--supplementary-groups',
  capability: '--capability',
  revokeCapability: '--revoke-capability',
  mounts: '--mounts',
  ports: '--ports',
  isolators: '--isolators',
  seccompMode: '--seccomp-mode',
  seccompSet: '--seccomp-set',
};

const given = (v: string | Uint8Array | undefined): boolean => v !== undefined && v.length > 0;

/** Marks the issues of one flag's parser: the flag in params, the manifest location as path. */
function fromFlag(issues: readonly Issue[], flag: keyof ManifestPatch, path: string): Issue[] {
  return issues.map((i) => ({ ...i, path: path + i.path, params: { ...i.params, flag: FLAG_NAMES[flag] } }));
}

type Mutable = Record<string, unknown>;

/**
 * Applies the edits to a manifest like Go's patch-manifest, but collects every problem instead of stopping
 * at the first, and validates the result (the patched manifest must be valid, as Go's encoder requires).
 * @example applyManifestPatch(m, { exec: '/bin/app --debug', user: '0', group: '0' })
 */
export function applyManifestPatch(manifest: ImageManifest, patch: ManifestPatch, options?: SchemaValidateOptions): Result<ImageManifest> {
  const issues: Issue[] = [];
  if (given(patch.manifest)) {
    const others = (Object.keys(patch) as (keyof ManifestPatch)[]).filter((k) => k !== 'manifest' && given(patch[k]));
    if (others.length > 0) {
      return toResult(
        manifest,
        [
          aciIssue('ACI_PATCH_CONFLICT', `--manifest replaces the whole manifest and cannot be combined with ${others.map((k) => FLAG_NAMES[k]).join(', ')}`, {
            params: { flags: others.map((k) => FLAG_NAMES[k]).join(',') },
          }),
        ],
        options,
      );
    }
    return parseImageManifest(patch.manifest!, options);
  }
  const m = JSON.parse(JSON.stringify(manifest)) as Mutable;
  if (given(patch.name)) {
    const r = validateACIdentifier(patch.name, options);
    if (r.ok) m['name'] = r.value;
    issues.push(...fromFlag(r.ok ? r.warnings : r.issues, 'name', '/name'));
  }
  let app = (m['app'] ?? undefined) as Mutable | undefined;
  if (given(patch.exec)) {
    // Go makes an empty app when there is none: the user is adding one.
    if (app === undefined) app = m['app'] = { user: '', group: '' };
    app['exec'] = patch.exec!.split(' ');
  }
  const appFlags = APP_FLAGS.filter((k) => given(patch[k]));
  if (appFlags.length > 0 && app === undefined) {
    issues.push(
      aciIssue('ACI_PATCH_NO_APP', `the manifest has no app and no --exec was given, so ${appFlags.map((k) => FLAG_NAMES[k]).join(', ')} cannot be applied`, {
        params: { flags: appFlags.map((k) => FLAG_NAMES[k]).join(',') },
      }),
    );
    return toResult(
      manifest,
      issues.map((i) => (i.code === 'ACI_PATCH_NO_APP' ? { ...i, path: '/app' } : i)),
      options,
    );
  }
  if (app !== undefined) {
    if (given(patch.user)) app['user'] = patch.user;
    if (given(patch.group)) app['group'] = patch.group;
    if (given(patch.supplementaryGroups)) {
      const gids: number[] = [];
      patch.supplementaryGroups!.split(',').forEach((g, i) => {
        // Go's strconv.Atoi: optional sign, decimal digits, 64-bit range.
        if (/^[+-]?\d+$/.test(g) && Number.isSafeInteger(Number(g))) gids.push(Number(g));
        else
          issues.push({
            ...aciIssue('ACI_PATCH_BAD_VALUE', `invalid supplementary group ${JSON.stringify(g)}: expected a decimal integer`, { params: { flag: '--supplementary-groups', value: g } }),
            path: `/app/supplementaryGIDs/${i}`,
          });
      });
      app['supplementaryGIDs'] = gids;
    }
    let isolators = (app['isolators'] ?? []) as Isolator[];
    if (given(patch.capability) && given(patch.revokeCapability)) {
      issues.push({
        ...aciIssue('ACI_PATCH_CONFLICT', '--capability and --revoke-capability cannot be used together (conflicting capabilities isolators)', {
          params: { flags: '--capability,--revoke-capability' },
        }),
        path: '/app/isolators',
      });
    } else if (given(patch.capability) || given(patch.revokeCapability)) {
      const retain = given(patch.capability);
      const r = makeCapabilitiesIsolator(retain ? 'retain' : 'remove', (retain ? patch.capability! : patch.revokeCapability!).split(','), options);
      issues.push(...fromFlag(r.ok ? r.warnings : r.issues, retain ? 'capability' : 'revokeCapability', '/app/isolators'));
      if (r.ok) isolators = replaceIsolatorsByName(isolators, r.value, [LINUX_CAPABILITIES_REMOVE_SET, LINUX_CAPABILITIES_RETAIN_SET]);
    }
    if (given(patch.mounts)) {
      const list = [...((app['mountPoints'] ?? []) as unknown[])];
      patch.mounts!.split(':').forEach((text) => {
        const r = parseMountPointFlag(text, options);
        issues.push(...fromFlag(r.ok ? r.warnings : r.issues, 'mounts', `/app/mountPoints/${list.length}`));
        if (r.ok) list.push(r.value);
      });
      app['mountPoints'] = list;
    }
    if (given(patch.ports)) {
      const list = [...((app['ports'] ?? []) as unknown[])];
      patch.ports!.split(':').forEach((text) => {
        const r = parsePortFlag(text, options);
        issues.push(...fromFlag(r.ok ? r.warnings : r.issues, 'ports', `/app/ports/${list.length}`));
        if (r.ok) list.push(r.value);
      });
      app['ports'] = list;
    }
    if (given(patch.seccompMode)) {
      const r = makeSeccompIsolatorFromFlags(patch.seccompMode!, patch.seccompSet ?? '', options);
      issues.push(...fromFlag(r.ok ? r.warnings : r.issues, 'seccompMode', '/app/isolators'));
      if (r.ok) isolators = replaceIsolatorsByName(isolators, r.value, [LINUX_SECCOMP_REMOVE_SET, LINUX_SECCOMP_RETAIN_SET]);
    } else if (given(patch.seccompSet)) {
      issues.push({ ...aciIssue('ACI_PATCH_CONFLICT', '--seccomp-set needs --seccomp-mode=remove|retain', { params: { flags: '--seccomp-set' } }), path: '/app/isolators' });
    }
    if (given(patch.isolators)) {
      const r = makeIsolatorsFromFlag(patch.isolators!, options);
      issues.push(...fromFlag(r.ok ? r.warnings : r.issues, 'isolators', '/app/isolators'));
      if (r.ok) isolators = [...isolators, ...r.value];
    }
    if (isolators.length > 0 || app['isolators'] !== undefined) app['isolators'] = isolators;
  }
  if (issues.some((i) => i.severity === 'error')) return toResult(manifest, issues, options);
  const checked = validateImageManifest(m, options);
  return checked.ok ? toResult(checked.value, [...issues, ...checked.warnings], options) : toResult(m as unknown as ImageManifest, [...issues, ...checked.issues], options);
}

/** The patch could not be applied: `issues` says why. */
export class AciPatchError extends AppcError {
  override name = 'AppcError';
  readonly issues: readonly Issue[];
  constructor(file: string | undefined, issues: readonly Issue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    const list = errors
      .slice(0, 5)
      .map((i) => `${i.path ? i.path + ': ' : ''}${i.message} [${i.code}]`)
      .join('; ');
    super('ACI_PATCH_INVALID', `the patched manifest is invalid: ${list}`, { ...(file !== undefined ? { file } : {}), entry: MANIFEST_NAME });
    this.issues = issues;
  }
}

/** Options of {@link patchManifest}. */
export interface PatchManifestOptions extends AciLimits, CompressOptions, ValidateOptions, SyncOption {
  /** Replace the output if it exists. */
  readonly overwrite?: boolean;
  /** Write over the input itself (through a temporary file); `output` is ignored and may be omitted. */
  readonly replace?: boolean;
  /** Output compression (default gzip, as Go writes). */
  readonly compression?: Compression;
}

/** What {@link patchManifest} wrote. */
export interface PatchReport {
  readonly output: string;
  /** The new image ID (the tar changed, so the ID did). */
  readonly imageId: string;
  readonly compression: Compression;
  readonly entryCount: number;
  /** The manifest as written. */
  readonly manifest: ImageManifest;
  /** Warnings about the patched manifest. */
  readonly warnings: readonly Issue[];
}

/** An edit: the flag set of patch-manifest, or a function from the current manifest to the new one. */
export type ManifestEdit = ManifestPatch | ((manifest: ImageManifest, raw: Uint8Array) => Result<ImageManifest>);

/**
 * Copies the archive `input` (a path or any archive source) to `output` with its manifest patched. Every other entry is copied with its
 * original header blocks (PAX records, xattrs, sparse maps and all); each manifest entry keeps its header
 * fields with the new size. The patched manifest is validated before anything is committed; the output
 * goes through a temporary file. The original manifest must be valid unless the edit replaces it whole.
 * @throws AciPatchError (ACI_PATCH_INVALID, with issues), ACI_MISSING_MANIFEST, ACI_BAD_EXTENSION,
 * ACI_OUTPUT_EXISTS, the reader's archive errors; I/O errors as they are.
 * @example await patchManifest('in.aci', 'out.aci', { exec: '/bin/app', user: '0', group: '0' });
 */
export async function patchManifest(input: AciSource, output: string | undefined, edit: ManifestEdit, options: PatchManifestOptions = {}): Promise<PatchReport> {
  if (options.replace && typeof input !== 'string') throw new TypeError('patchManifest: replace needs the input as a file path');
  const out = options.replace ? (input as string) : output;
  if (out === undefined) throw new TypeError('patchManifest needs an output path unless replace is set');
  const file = typeof input === 'string' ? input : undefined;
  if (!options.replace) {
    checkExtension(out);
    await checkOutput(out, options.overwrite === true);
  }
  const maxManifest = options.maxManifestBytes ?? ACI_LIMITS.maxManifestBytes;
  const strict = options.strict ? { strict: true } : {};
  const compression = options.compression ?? 'gzip';
  const sink = await openArchiveOutput(out, { ...options, compression, overwrite: options.overwrite === true || options.replace === true });
  try {
    const tar = sink.tar;
    let patched: { bytes: Uint8Array; manifest: ImageManifest; warnings: readonly Issue[] } | undefined;
    let entryCount = 0;
    // The archive is checked as validate checks it (in the same mode) while it is copied: an archive validate
    // refuses is never patched.
    const check = new ImageCheck({ ...strict, maxManifestBytes: maxManifest });
    for await (const entry of readAciEntries(input, { ...options, keepRawHeaders: true, onIssue: (i) => check.note(i) })) {
      entryCount++;
      const h = entry.header;
      const role = check.entry(h);
      check.assertPassing(file);
      if (role === 'manifest') {
        if (patched === undefined) {
          const parts: Uint8Array[] = [];
          for await (const c of entry.body) parts.push(c.slice());
          const raw = Buffer.concat(parts);
          let result: Result<ImageManifest>;
          if (typeof edit === 'function' || !given(edit.manifest)) {
            const current = tagManifest(parseImageManifest(raw, strict), h.offset);
            if (!current.ok) throw new AciPatchError(file, current.issues);
            result = typeof edit === 'function' ? edit(current.value, raw) : applyManifestPatch(current.value, edit, strict);
          } else {
            result = applyManifestPatch({} as ImageManifest, edit, strict);
          }
          if (!result.ok) throw new AciPatchError(file, result.issues);
          patched = { bytes: new TextEncoder().encode(stringifyManifest(result.value)), manifest: result.value, warnings: result.warnings };
        }
        // Go rewrites the header with the new size and keeps its other fields.
        await tar.put(
          encodeTarHeader({
            name: h.name,
            type: 'file',
            mode: h.mode,
            uid: h.uid,
            gid: h.gid,
            uname: h.uname,
            gname: h.gname,
            mtime: Math.floor(h.mtime),
            size: patched.bytes.length,
            ...(h.xattrs ? { xattrs: h.xattrs } : {}),
          }),
        );
        await tar.put(patched.bytes);
        await tar.zeros(padding(patched.bytes.length));
        continue;
      }
      await tar.put(entry.rawHeader!);
      for await (const c of entry.body) await tar.put(c);
      await tar.zeros(padding(h.size));
    }
    check.finish();
    check.assertPassing(file);
    if (patched === undefined) throw new AppcError('ACI_MISSING_MANIFEST', 'the archive has no manifest to patch', file !== undefined ? { file } : {});
    await tar.put(END_OF_ARCHIVE);
    // Opened without `imageId: false`: the ID is always computed here.
    const imageId = (await sink.commit()) as string;
    return { output: out, imageId, compression, entryCount, manifest: patched.manifest, warnings: patched.warnings };
  } finally {
    await sink.discard();
  }
}
