/**
 * Mapping an appc ImageManifest (spec/aci.md#image-manifest-schema) to an OCI image config and manifest
 * annotations (OCI image-spec config.md, annotations.md): the reverse of config-to-manifest.ts, chosen so that
 * ACI -> OCI -> ACI and OCI -> ACI -> OCI keep every field both formats have. Pure: no I/O, never throws.
 * The table is in docs/convert.md.
 */
import type { Issue } from '../issues/issue.js';
import { pointer } from '../issues/json-pointer.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { goOsArchFromAppc } from '../schema/types/os-arch.js';
import { CONVERT_CODES, type ConvertCode } from './codes.js';
import { DOCKER_ANNOTATIONS } from './config-to-manifest.js';
import type { Platform } from './platform.js';

/** OCI annotation keys the exporter writes (OCI image-spec annotations.md, plus appc's provenance keys). */
export const OCI_ANNOTATIONS = {
  created: 'org.opencontainers.image.created',
  authors: 'org.opencontainers.image.authors',
  url: 'org.opencontainers.image.url',
  documentation: 'org.opencontainers.image.documentation',
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  refName: 'org.opencontainers.image.ref.name',
  /** containerd's full image name in index.json (`ctr import` and nerdctl read it). */
  containerdName: 'io.containerd.image.name',
  /** The ACI's image ID (sha512 of its uncompressed tar), for provenance. */
  aciImageId: 'io.appc.image.id',
  /** The ACI's name, on each layer of a layered export. */
  aciName: 'io.appc.image.name',
} as const;

/** What {@link manifestToConfig} produces. */
export interface OciConfigMapping {
  /** The image config without `rootfs` and `history` (the exporter adds them once the layers are written). */
  readonly config: Record<string, unknown>;
  /** Annotations for the OCI image manifest. */
  readonly annotations: Record<string, string>;
  readonly platform: Platform;
  /** The ACI's version label, when it has one. */
  readonly version?: string;
  /** Fields with no OCI equivalent (EXPORT_FIELD_UNMAPPED) and a defaulted platform (EXPORT_PLATFORM_DEFAULTED). */
  readonly warnings: readonly Issue[];
}

/** Options of {@link manifestToConfig}. */
export interface ManifestToConfigOptions {
  /** The image ID of the exported ACI (recorded as `io.appc.image.id`). */
  readonly imageId?: string;
  /** The platform to write when the labels give none (default linux/amd64). */
  readonly defaultPlatform?: Platform;
  /**
   * Resolves an app user or group given as a path in the rootfs (spec/aci.md: the owner of that file is the
   * user) to its uid or gid; undefined when the file is not in the image.
   */
  readonly ownerOf?: (path: string, which: 'uid' | 'gid') => number | undefined;
}

function warn(warnings: Issue[], code: ConvertCode, path: string, message: string): void {
  warnings.push({ code, severity: CONVERT_CODES[code].severity, path, message });
}

/** The OCI platform of appc os/arch labels (the reverse of the T-LB-8 table); undefined when there is none. */
export function platformForAppcLabels(os: string | undefined, arch: string | undefined): Platform | undefined {
  if (os === undefined || arch === undefined) return undefined;
  const go = goOsArchFromAppc(os, arch);
  if (go === undefined) return undefined;
  return { os: go.goos, architecture: go.goarch, ...(go.goarm !== '' ? { variant: `v${go.goarm}` } : {}) };
}

function stringArray(json: string | undefined): string[] | undefined {
  if (json === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Entrypoint and Cmd: the split recorded by an earlier conversion when it still adds up to exec, else all in Entrypoint. */
function splitExec(exec: readonly string[], annotations: ReadonlyMap<string, string>): { Entrypoint?: string[]; Cmd?: string[] } {
  const entrypoint = stringArray(annotations.get(DOCKER_ANNOTATIONS.entrypoint));
  const cmd = stringArray(annotations.get(DOCKER_ANNOTATIONS.cmd));
  if (entrypoint !== undefined || cmd !== undefined) {
    const joined = [...(entrypoint ?? []), ...(cmd ?? [])];
    if (joined.length === exec.length && joined.every((v, i) => v === exec[i])) {
      return { ...(entrypoint !== undefined && entrypoint.length > 0 ? { Entrypoint: entrypoint } : {}), ...(cmd !== undefined && cmd.length > 0 ? { Cmd: cmd } : {}) };
    }
  }
  return { Entrypoint: [...exec] };
}

// Annotations the mapping consumes, or that describe an earlier conversion's input: not copied as they are.
const CONSUMED_ANNOTATIONS = new Set<string>(['created', 'authors', 'homepage', 'documentation', ...Object.values(DOCKER_ANNOTATIONS)]);

/**
 * Maps an image manifest to an OCI image config: exec to Entrypoint (and Cmd, when an earlier conversion
 * recorded the split), user and group to User, environment to Env, workingDirectory to WorkingDir, ports to
 * ExposedPorts (a `count` range expanded), mountPoints to Volumes, userLabels to Labels, os/arch labels to the
 * platform, the created and authors annotations to created and author. The name, version and the created,
 * authors, homepage and documentation annotations become `org.opencontainers.image.*` annotations; other
 * annotations are copied unchanged. Everything else is listed as an EXPORT_FIELD_UNMAPPED warning.
 * @example
 * const { config, annotations, warnings } = manifestToConfig(manifest, { imageId });
 */
export function manifestToConfig(manifest: ImageManifest, options: ManifestToConfigOptions = {}): OciConfigMapping {
  const warnings: Issue[] = [];
  const labels = new Map<string, string>((manifest.labels ?? []).map((l) => [l.name, l.value]));
  const annotations = new Map<string, string>((manifest.annotations ?? []).map((a) => [a.name, a.value]));
  const out: Record<string, string> = {};

  // Platform.
  let platform = platformForAppcLabels(labels.get('os'), labels.get('arch'));
  if (platform === undefined) {
    platform = options.defaultPlatform ?? { os: 'linux', architecture: 'amd64' };
    const had = labels.has('os') || labels.has('arch') ? `labels os=${labels.get('os') ?? ''} arch=${labels.get('arch') ?? ''} have no OCI platform` : 'the image has no os/arch labels';
    warn(warnings, 'EXPORT_PLATFORM_DEFAULTED', '/labels', `${had}; the platform ${platform.os}/${platform.architecture}${platform.variant ? '/' + platform.variant : ''} was written`);
  }
  (manifest.labels ?? []).forEach((l, i) => {
    if (l.name !== 'os' && l.name !== 'arch' && l.name !== 'version') {
      warn(warnings, 'EXPORT_FIELD_UNMAPPED', pointer('labels', i), `label ${l.name}=${l.value} has no OCI equivalent (only version, os and arch map); it was left out`);
    }
  });
  const version = labels.get('version');

  const config: Record<string, unknown> = {};
  const created = annotations.get('created');
  if (created !== undefined) config['created'] = created;
  const authors = annotations.get('authors');
  if (authors !== undefined) config['author'] = authors;
  config['architecture'] = platform.architecture;
  config['os'] = platform.os;
  if (platform.variant !== undefined) config['variant'] = platform.variant;

  const app = manifest.app;
  const runtime: Record<string, unknown> = {};
  if (app !== undefined) {
    const resolveId = (value: string, which: 'uid' | 'gid', at: string): string => {
      if (!value.startsWith('/')) return value;
      const id = options.ownerOf?.(value, which);
      if (id !== undefined) return String(id);
      warn(
        warnings,
        'EXPORT_FIELD_UNMAPPED',
        at,
        `${which === 'uid' ? 'user' : 'group'} ${JSON.stringify(value)} names a file that is not in the image; OCI has no path form, so it was left as written`,
      );
      return value;
    };
    const user = resolveId(app.user, 'uid', '/app/user');
    const group = resolveId(app.group, 'gid', '/app/group');
    // Root is OCI's default: left out, so an OCI image without User comes back the same.
    if (!(user === '0' && group === '0')) runtime['User'] = `${user}:${group}`;
    if (app.environment !== undefined && app.environment.length > 0) runtime['Env'] = app.environment.map((e) => `${e.name}=${e.value}`);
    if (app.exec !== null && app.exec.length > 0) Object.assign(runtime, splitExec(app.exec, annotations));
    if (app.workingDirectory !== undefined && app.workingDirectory !== '') runtime['WorkingDir'] = app.workingDirectory;
    if (app.ports !== undefined && app.ports.length > 0) {
      const exposed: Record<string, object> = {};
      app.ports.forEach((p, i) => {
        for (let n = 0; n < p.count; n++) exposed[`${p.port + n}/${p.protocol.toLowerCase()}`] = {};
        if (p.socketActivated)
          warn(warnings, 'EXPORT_FIELD_UNMAPPED', pointer('app', 'ports', i, 'socketActivated'), `port ${p.name} is socket-activated; OCI has no socket activation, so only the port was written`);
      });
      runtime['ExposedPorts'] = exposed;
    }
    if (app.mountPoints !== undefined && app.mountPoints.length > 0) {
      const volumes: Record<string, object> = {};
      app.mountPoints.forEach((m, i) => {
        volumes[m.path] = {};
        if (m.readOnly === true)
          warn(warnings, 'EXPORT_FIELD_UNMAPPED', pointer('app', 'mountPoints', i, 'readOnly'), `mount point ${m.name} is read-only; OCI volumes have no read-only flag, so it was written read-write`);
      });
      runtime['Volumes'] = volumes;
    }
    if (app.userLabels !== undefined && Object.keys(app.userLabels).length > 0) runtime['Labels'] = { ...app.userLabels };
    if (app.eventHandlers !== undefined && app.eventHandlers.length > 0) {
      warn(
        warnings,
        'EXPORT_FIELD_UNMAPPED',
        '/app/eventHandlers',
        `the app has ${app.eventHandlers.length} event handler(s) (${app.eventHandlers.map((e) => e.name).join(', ')}); OCI has none, so they were left out`,
      );
    }
    if (app.isolators !== undefined && app.isolators.length > 0) {
      warn(
        warnings,
        'EXPORT_FIELD_UNMAPPED',
        '/app/isolators',
        `the app has isolators (${app.isolators.map((i) => i.name).join(', ')}); OCI image configs have no resource limits or capabilities, so they were left out`,
      );
    }
    if (app.supplementaryGIDs !== undefined && app.supplementaryGIDs.length > 0) {
      warn(warnings, 'EXPORT_FIELD_UNMAPPED', '/app/supplementaryGIDs', `supplementary groups ${app.supplementaryGIDs.join(',')} have no place in OCI's User; they were left out`);
    }
    if (app.userAnnotations !== undefined && Object.keys(app.userAnnotations).length > 0) {
      warn(warnings, 'EXPORT_FIELD_UNMAPPED', '/app/userAnnotations', `userAnnotations (${Object.keys(app.userAnnotations).join(', ')}) have no OCI equivalent; they were left out`);
    }
  }
  config['config'] = runtime;

  // Manifest annotations.
  if (created !== undefined) out[OCI_ANNOTATIONS.created] = created;
  if (authors !== undefined) out[OCI_ANNOTATIONS.authors] = authors;
  const homepage = annotations.get('homepage');
  if (homepage !== undefined) out[OCI_ANNOTATIONS.url] = homepage;
  const documentation = annotations.get('documentation');
  if (documentation !== undefined) out[OCI_ANNOTATIONS.documentation] = documentation;
  out[OCI_ANNOTATIONS.title] = manifest.name;
  if (version !== undefined) out[OCI_ANNOTATIONS.version] = version;
  for (const [name, value] of annotations) if (!CONSUMED_ANNOTATIONS.has(name)) out[name] = value;
  if (options.imageId !== undefined) out[OCI_ANNOTATIONS.aciImageId] = options.imageId;

  return { config, annotations: out, platform, ...(version !== undefined ? { version } : {}), warnings };
}
