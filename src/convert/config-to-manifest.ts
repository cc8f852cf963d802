/** Mapping an OCI/Docker image config to an appc image manifest (the table in docs/convert.md). */
import { AppcError } from '../issues/appc-error.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { validateImageManifest } from '../schema/image-manifest.js';
import { sanitizeACIdentifier, isACIdentifier } from '../schema/types/ac-identifier.js';
import { sanitizeACName } from '../schema/types/ac-name.js';
import { appcOsArchFromGo } from '../schema/types/os-arch.js';
import { SPEC_VERSION } from '../schema/types/semver.js';
import type { Platform } from './input.js';

/** How to name the converted image. */
export interface NameOptions {
  /** The image name (an ACIdentifier, or text that is sanitized into one). */
  readonly name?: string;
  /** The `version` label. */
  readonly version?: string;
}

/** Splits `registry/repo:tag` (or `repo@sha256:...`) into a name and a tag. */
export function splitReference(ref: string): { name: string; tag: string | undefined } {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon > base.lastIndexOf('/')) return { name: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { name: base, tag: undefined };
}

/** Chooses the image name and version from the options or the image's references. */
export function nameAndVersion(refs: readonly string[], options: NameOptions): { name: string; version: string } {
  // An OCI ref name may be only a tag ("latest"); a full reference has a slash or is a plain repository.
  const full = refs.find((r) => r.includes('/')) ?? refs.find((r) => r.includes(':'));
  const split = full === undefined ? undefined : splitReference(full);
  const tagOnly = refs.find((r) => /^[\w][\w.-]{0,127}$/.test(r) && !r.includes('/'));
  const rawName = options.name ?? split?.name;
  if (rawName === undefined) throw new AppcError('CONVERT_NO_NAME', 'the image has no repository name (no tag in the input); pass --name');
  const name = isACIdentifier(rawName) ? rawName : sanitizeACIdentifier(rawName);
  if (name === undefined) throw new AppcError('CONVERT_NO_NAME', `cannot make an image name from ${JSON.stringify(rawName)}; pass --name`);
  return { name, version: options.version ?? split?.tag ?? tagOnly ?? 'latest' };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Docker's `User`: `uid`, `name`, `uid:gid`, `name:group`; empty means root. */
export function userAndGroup(user: string | undefined): { user: string; group: string } {
  if (user === undefined || user === '') return { user: '0', group: '0' };
  const colon = user.indexOf(':');
  if (colon < 0) return { user, group: /^\d+$/.test(user) ? user : '0' };
  return { user: user.slice(0, colon) || '0', group: user.slice(colon + 1) || '0' };
}

/** Builds and validates the image manifest for an image config. */
export function configToManifest(config: Record<string, unknown>, platform: Platform | undefined, naming: { name: string; version: string }, extra: { dependencies?: ImageManifest['dependencies']; pathWhitelist?: readonly string[]; withApp?: boolean } = {}): ImageManifest {
  const c = (typeof config['config'] === 'object' && config['config'] !== null ? config['config'] : {}) as Record<string, unknown>;
  const labels: { name: string; value: string }[] = [{ name: 'version', value: naming.version }];
  if (platform !== undefined) {
    // Only 32-bit arm has a GOARM-like variant that changes the appc arch (v6 -> armv6l, v7 -> armv7l).
    const goarm = platform.architecture === 'arm' ? platform.variant?.replace(/^v/, '') ?? '' : '';
    const mapped = appcOsArchFromGo(platform.os, platform.architecture, goarm);
    if (mapped !== undefined) labels.push({ name: 'os', value: mapped.os }, { name: 'arch', value: mapped.arch });
  }
  const annotations: { name: string; value: string }[] = [];
  const created = str(config['created']);
  if (created !== undefined && created !== '') annotations.push({ name: 'created', value: created.replace(/(\.\d{1,9})\d*Z$/, '$1Z') });
  const entrypoint = strings(c['Entrypoint']);
  const cmd = strings(c['Cmd']);
  if (c['Entrypoint'] != null) annotations.push({ name: 'appc.io/docker/entrypoint', value: JSON.stringify(entrypoint) });
  if (c['Cmd'] != null) annotations.push({ name: 'appc.io/docker/cmd', value: JSON.stringify(cmd) });
  const seen = new Set(annotations.map((a) => a.name));
  for (const [key, value] of Object.entries((c['Labels'] ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    // Label keys become annotation names: lower-cased and sanitized into ACIdentifiers; the first one wins.
    const name = isACIdentifier(key) ? key : sanitizeACIdentifier(key);
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    annotations.push({ name, value });
  }
  const app: Record<string, unknown> = { exec: [...entrypoint, ...cmd], ...userAndGroup(str(c['User'])) };
  const workdir = str(c['WorkingDir']);
  if (workdir) app['workingDirectory'] = workdir;
  const env = strings(c['Env']).map((e) => ({ name: e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')), value: e.indexOf('=') < 0 ? '' : e.slice(e.indexOf('=') + 1) }));
  if (env.length) app['environment'] = env;
  const mountPoints = Object.keys((c['Volumes'] ?? {}) as object).sort().map((path) => ({ name: sanitizeACName(path) ?? 'volume', path }));
  if (mountPoints.length) app['mountPoints'] = mountPoints;
  const ports = Object.keys((c['ExposedPorts'] ?? {}) as object).sort().flatMap((spec) => {
    const m = /^(\d+)(?:\/(\w+))?$/.exec(spec);
    if (m === null) return [];
    const protocol = (m[2] ?? 'tcp').toLowerCase();
    return [{ name: `${m[1]}-${protocol}`, protocol, port: Number(m[1]), count: 1, socketActivated: false }];
  });
  if (ports.length) app['ports'] = ports;
  const manifest: Record<string, unknown> = { acKind: 'ImageManifest', acVersion: SPEC_VERSION, name: naming.name, labels };
  if (extra.withApp !== false) manifest['app'] = app;
  if (annotations.length) manifest['annotations'] = annotations;
  if (extra.dependencies?.length) manifest['dependencies'] = extra.dependencies;
  if (extra.pathWhitelist?.length) manifest['pathWhitelist'] = extra.pathWhitelist;
  const result = validateImageManifest(manifest);
  if (!result.ok) {
    throw new AppcError('CONVERT_INVALID_MANIFEST', `the converted manifest is invalid: ${result.issues.filter((i) => i.severity === 'error').map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }
  return result.value;
}
