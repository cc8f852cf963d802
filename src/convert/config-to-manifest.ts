/**
 * Mapping an OCI/Docker image config (OCI image-spec config.md) to an appc ImageManifest
 * (spec/aci.md#image-manifest-schema). Pure: no I/O; never throws. The table is in docs/convert.md.
 */
import type { Issue, Result } from '../issues/issue.js';
import { failure } from '../issues/issue.js';
import { pointer } from '../issues/json-pointer.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { validateImageManifest } from '../schema/image-manifest.js';
import { sanitizeACName } from '../schema/types/ac-name.js';
import { isTimestamp } from '../schema/types/date.js';
import { ENV_NAME_PATTERN } from '../schema/types/environment.js';
import { SPEC_VERSION } from '../schema/types/semver.js';
import { CONVERT_CODES, type ConvertCode } from './codes.js';
import type { PlatformRequest } from './platform.js';
import { appcLabelsForPlatform, formatPlatform } from './platform.js';

/** Annotation names the converter writes (docker2aci's names where it had one). */
export const DOCKER_ANNOTATIONS = {
  entrypoint: 'appc.io/docker/entrypoint',
  cmd: 'appc.io/docker/cmd',
  originalName: 'appc.io/docker/originalname',
  imageId: 'appc.io/docker/imageid',
  manifestHash: 'appc.io/docker/manifesthash',
  diffId: 'appc.io/docker/diffid',
  layerDigest: 'appc.io/docker/layerdigest',
} as const;

/** Account files of the image, to find a user's primary group as Docker does. */
export interface ImageAccounts {
  /** /etc/passwd of the (squashed) image. */
  readonly passwd?: string;
}

/** Options of configToManifest. */
export interface ConfigToManifestOptions {
  /** The image name (an ACIdentifier). */
  readonly name: string;
  /** The `version` label (usually the tag). */
  readonly version?: string;
  /** The platform the index declared, used when the config has no os/architecture. */
  readonly platform?: PlatformRequest;
  /** Annotations to put first (original name, image ID, manifest digest ...). */
  readonly annotations?: readonly { readonly name: string; readonly value: string }[];
  readonly accounts?: ImageAccounts;
  /** Leave out the app (lower layers of a layered conversion). */
  readonly noApp?: boolean;
}

interface Ctx {
  readonly issues: Issue[];
}

function note(ctx: Ctx, code: ConvertCode, path: string, message: string, params?: Record<string, string | number | boolean>): void {
  ctx.issues.push({ code, severity: CONVERT_CODES[code].severity, path, message, ...(params ? { params } : {}) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list of strings, null/absent as undefined, or an error issue. */
function stringList(ctx: Ctx, value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    note(ctx, 'CONVERT_BAD_JSON', path, `${path} must be a list of strings (or null)`);
    return undefined;
  }
  return value as string[];
}

function objectKeys(ctx: Ctx, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    note(ctx, 'CONVERT_BAD_JSON', path, `${path} must be an object (or null)`);
    return [];
  }
  return Object.keys(value);
}

function optionalString(ctx: Ctx, value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    note(ctx, 'CONVERT_BAD_JSON', path, `${path} must be a string`);
    return undefined;
  }
  return value;
}

/** A user's primary gid from /etc/passwd text, found by name or uid. */
export function primaryGroup(passwd: string, user: string): string | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if ((f[0] === user || f[2] === user) && /^\d+$/.test(f[3]!)) return f[3];
  }
  return undefined;
}

/**
 * Maps Docker's User (`user`, `uid`, `user:group`, `uid:gid`) to appc's user and group. Empty is root,
 * 0/0 (docker2aci did the same); a user without a group gets its primary group from the image's
 * /etc/passwd as Docker does, else 0.
 */
export function mapUser(user: string | undefined, accounts?: ImageAccounts): { readonly user: string; readonly group: string } {
  if (user === undefined || user === '') return { user: '0', group: '0' };
  const colon = user.indexOf(':');
  const u = colon === -1 ? user : user.slice(0, colon);
  const g = colon === -1 ? '' : user.slice(colon + 1);
  const name = u === '' ? '0' : u;
  if (g !== '') return { user: name, group: g };
  return { user: name, group: (accounts?.passwd !== undefined && primaryGroup(accounts.passwd, name)) || '0' };
}

/** Parses an ExposedPorts key: `80`, `80/tcp`, `8000-8010/udp`. */
export function parseExposedPort(key: string): { name: string; protocol: string; port: number; count: number } | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/([A-Za-z0-9]+))?$/.exec(key.trim());
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  const protocol = (m[3] ?? 'tcp').toLowerCase();
  if (start < 1 || end > 65535 || end < start) return undefined;
  const name = `${m[2] === undefined ? start : `${start}-${end}`}-${protocol}`;
  return { name, protocol, port: start, count: end - start + 1 };
}

/**
 * Maps an image config to an ImageManifest and validates it with validateImageManifest. Entrypoint ++ Cmd
 * becomes exec (both kept as JSON in annotations); Env, WorkingDir, User, ExposedPorts and Volumes fill the
 * app, Labels its userLabels; os/architecture/variant become os/arch labels; created and author become annotations.
 * Items that cannot be carried over are left out with a warning (CONVERT_ENV_SKIPPED, ...); fields of the
 * wrong JSON type are CONVERT_BAD_JSON errors. Never throws.
 * @example
 * const r = configToManifest(config, { name: 'example.com/app', version: '1.0' });
 * if (r.ok) console.log(stringifyManifest(r.value));
 */
export function configToManifest(config: unknown, options: ConfigToManifestOptions): Result<ImageManifest> {
  const ctx: Ctx = { issues: [] };
  const top = isObject(config) ? config : {};
  if (!isObject(config)) note(ctx, 'CONVERT_BAD_JSON', '', 'the image config must be a JSON object');

  // Labels: version, then os and arch from the config's platform (or the index's).
  const labels: { name: string; value: string }[] = [];
  if (options.version !== undefined && options.version !== '') labels.push({ name: 'version', value: options.version });
  const os = optionalString(ctx, top['os'], '/os');
  const architecture = optionalString(ctx, top['architecture'], '/architecture');
  const variant = optionalString(ctx, top['variant'], '/variant');
  const platform: PlatformRequest | undefined =
    os !== undefined || architecture !== undefined ? { ...(os ? { os } : {}), ...(architecture ? { architecture } : {}), ...(variant ? { variant } : {}) } : options.platform;
  if (platform !== undefined) {
    const mapped = appcLabelsForPlatform(platform);
    if (mapped) labels.push({ name: 'os', value: mapped.os }, { name: 'arch', value: mapped.arch });
    else
      note(ctx, 'CONVERT_PLATFORM_UNMAPPED', os !== undefined ? '/os' : '', `platform ${formatPlatform(platform)} has no appc os/arch label; the os and arch labels were left out`, {
        platform: formatPlatform(platform),
      });
  }

  // Annotations.
  const annotations: { name: string; value: string }[] = [];
  const used = new Set<string>();
  const annotate = (name: string, value: string): void => {
    if (used.has(name)) return;
    used.add(name);
    annotations.push({ name, value });
  };
  const created = optionalString(ctx, top['created'], '/created');
  if (created !== undefined) {
    if (isTimestamp(created)) annotate('created', created);
    else note(ctx, 'CONVERT_CREATED_SKIPPED', '/created', `created ${JSON.stringify(created)} is not an RFC 3339 date-time; the created annotation was left out`, { value: created });
  }
  const author = optionalString(ctx, top['author'], '/author');
  if (author) annotate('authors', author);
  for (const a of options.annotations ?? []) annotate(a.name, a.value);

  const cc = top['config'];
  let app: Record<string, unknown> | undefined;
  if (cc !== undefined && cc !== null && !isObject(cc)) note(ctx, 'CONVERT_BAD_JSON', '/config', '/config must be an object (or null)');
  const c = isObject(cc) ? cc : undefined;
  if (c !== undefined) {
    const entrypoint = stringList(ctx, c['Entrypoint'], '/config/Entrypoint');
    const cmd = stringList(ctx, c['Cmd'], '/config/Cmd');
    if (entrypoint !== undefined) annotate(DOCKER_ANNOTATIONS.entrypoint, JSON.stringify(entrypoint));
    if (cmd !== undefined) annotate(DOCKER_ANNOTATIONS.cmd, JSON.stringify(cmd));
    if (!options.noApp) {
      const exec = [...(entrypoint ?? []), ...(cmd ?? [])];
      const { user, group } = mapUser(optionalString(ctx, c['User'], '/config/User'), options.accounts);
      app = { exec: exec.length > 0 ? exec : null, user, group };

      let workingDirectory = optionalString(ctx, c['WorkingDir'], '/config/WorkingDir');
      if (workingDirectory !== undefined && workingDirectory !== '' && !workingDirectory.startsWith('/')) {
        note(ctx, 'CONVERT_WORKDIR_RELATIVE', '/config/WorkingDir', `WorkingDir ${JSON.stringify(workingDirectory)} is relative; it was made absolute`, { value: workingDirectory });
        workingDirectory = '/' + workingDirectory;
      }
      if (workingDirectory) app['workingDirectory'] = workingDirectory;

      const env: { name: string; value: string }[] = [];
      (stringList(ctx, c['Env'], '/config/Env') ?? []).forEach((item, i) => {
        const eq = item.indexOf('=');
        const name = eq === -1 ? item : item.slice(0, eq);
        if (eq === -1 || !ENV_NAME_PATTERN.test(name)) {
          note(ctx, 'CONVERT_ENV_SKIPPED', pointer('config', 'Env', i), `Env item ${JSON.stringify(item)} is not NAME=VALUE with a name matching ${ENV_NAME_PATTERN.source}; it was left out`, {
            value: item,
          });
          return;
        }
        // Docker lets a later item win; keep the first position so the order stays stable.
        const before = env.findIndex((e) => e.name === name);
        if (before === -1) env.push({ name, value: item.slice(eq + 1) });
        else env[before] = { name, value: item.slice(eq + 1) };
      });
      if (env.length > 0) app['environment'] = env;

      const mountPoints: { name: string; path: string }[] = [];
      for (const key of objectKeys(ctx, c['Volumes'], '/config/Volumes')) {
        let path = key;
        if (!path.startsWith('/')) {
          note(ctx, 'CONVERT_VOLUME_RENAMED', pointer('config', 'Volumes', key), `volume ${JSON.stringify(key)} is not an absolute path; it was made absolute`, { value: key });
          path = '/' + path;
        }
        const base = sanitizeACName(path) ?? 'root';
        let name: string = base;
        for (let n = 2; mountPoints.some((m) => m.name === name); n++) name = `${base}-${n}`;
        if (name !== base)
          note(
            ctx,
            'CONVERT_VOLUME_RENAMED',
            pointer('config', 'Volumes', key),
            `volume ${JSON.stringify(key)} sanitizes to the mount point name ${JSON.stringify(base)}, which is taken; it was named ${JSON.stringify(name)}`,
            { value: key, name },
          );
        mountPoints.push({ name, path });
      }
      if (mountPoints.length > 0) app['mountPoints'] = mountPoints;

      const ports: { name: string; protocol: string; port: number; count: number; socketActivated: boolean }[] = [];
      for (const key of objectKeys(ctx, c['ExposedPorts'], '/config/ExposedPorts')) {
        const p = parseExposedPort(key);
        if (p === undefined || ports.some((q) => q.name === p.name)) {
          note(
            ctx,
            'CONVERT_PORT_SKIPPED',
            pointer('config', 'ExposedPorts', key),
            p === undefined
              ? `exposed port ${JSON.stringify(key)} is not PORT[-END][/PROTOCOL] with ports in 1-65535; it was left out`
              : `exposed port ${JSON.stringify(key)} repeats port ${p.name}; it was left out`,
            { value: key },
          );
          continue;
        }
        ports.push({ ...p, socketActivated: false });
      }
      if (ports.length > 0) app['ports'] = ports;
    }

    // Config labels become the app's userLabels (spec/aci.md: free-form string keys and values), so every key
    // and value is kept as it is; docker2aci did the same.
    if (c['Labels'] !== undefined && c['Labels'] !== null && !isObject(c['Labels'])) note(ctx, 'CONVERT_BAD_JSON', '/config/Labels', '/config/Labels must be an object (or null)');
    const dockerLabels = isObject(c['Labels']) ? c['Labels'] : {};
    const userLabels: Record<string, string> = {};
    for (const [key, value] of Object.entries(dockerLabels)) {
      if (typeof value !== 'string') {
        note(ctx, 'CONVERT_BAD_JSON', pointer('config', 'Labels', key), `label ${JSON.stringify(key)} must have a string value`);
        continue;
      }
      userLabels[key] = value;
    }
    if (app !== undefined && Object.keys(userLabels).length > 0) app['userLabels'] = userLabels;
  } else if (!options.noApp) {
    // No runtime config at all: still an app, so the image can be run with an explicit exec.
    app = { exec: null, ...mapUser(undefined) };
  }

  const manifest: Record<string, unknown> = { acKind: 'ImageManifest', acVersion: SPEC_VERSION, name: options.name };
  if (labels.length > 0) manifest['labels'] = labels;
  if (app !== undefined) manifest['app'] = app;
  if (annotations.length > 0) manifest['annotations'] = annotations;

  const conversionErrors = ctx.issues.filter((i) => i.severity === 'error');
  const checked = validateImageManifest(manifest);
  if (conversionErrors.length > 0) return failure([...conversionErrors, ...(checked.ok ? checked.warnings : checked.issues)], manifest);
  if (!checked.ok) return failure([...checked.issues, ...ctx.issues], manifest);
  return { ok: true, value: checked.value, warnings: [...ctx.issues, ...checked.warnings] };
}
