/** Per-host credentials for discovery requests (spec/discovery.md#authentication; checklist D-HT-5, D-SP-2). */
import type { Issue, Result } from '../issues/issue.js';
import { toResult } from '../issues/issue.js';
import { pointer } from '../issues/json-pointer.js';
import { DISCOVERY_CODES } from './codes.js';

/** Credentials for one host: HTTP Basic (user and password) or a Bearer token. */
export type HostCredentials = { readonly type: 'basic'; readonly user: string; readonly password: string } | { readonly type: 'bearer'; readonly token: string };

/**
 * Credentials by host: keys are `host` or `host:port`, lower case (`example.com`, `registry.example.com:8443`).
 * A request to `host:port` uses the `host:port` entry, else the `host` entry.
 */
export type AuthConfig = Readonly<Record<string, HostCredentials>>;

const issue = (path: string, message: string): Issue => ({ code: 'DISCOVERY_AUTH_CONFIG_INVALID', severity: DISCOVERY_CODES.DISCOVERY_AUTH_CONFIG_INVALID.severity, path, message });

/** Normalises a host key (`Example.COM:443` gives `example.com`), or undefined when it is not `host[:port]`. */
export function normalizeHostKey(key: string): string | undefined {
  if (key === '' || /[/?#@\s]/.test(key)) return undefined;
  try {
    const u = new URL(`https://${key}`);
    return u.pathname === '/' && u.search === '' && u.username === '' ? u.host : undefined;
  } catch {
    return undefined;
  }
}

function checkCredentials(value: unknown, path: string, issues: Issue[]): HostCredentials | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(issue(path, 'expected an object such as {"type": "basic", "user": "...", "password": "..."}'));
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const str = (field: string): string | undefined => {
    const s = v[field];
    if (typeof s === 'string' && s !== '') return s;
    issues.push(issue(`${path}/${field}`, `"${field}" must be a non-empty string`));
    return undefined;
  };
  if (v['type'] === 'basic') {
    const user = str('user');
    const password = typeof v['password'] === 'string' ? v['password'] : str('password');
    if (user?.includes(':')) {
      issues.push(issue(`${path}/user`, 'a Basic auth user name cannot contain ":"'));
      return undefined;
    }
    return user === undefined || password === undefined ? undefined : { type: 'basic', user, password };
  }
  if (v['type'] === 'bearer') {
    const token = str('token');
    return token === undefined ? undefined : { type: 'bearer', token };
  }
  issues.push(issue(`${path}/type`, `"type" must be "basic" or "bearer", got ${JSON.stringify(v['type'] ?? null)}`));
  return undefined;
}

function addHost(config: Record<string, HostCredentials>, key: string, cred: HostCredentials | undefined, path: string, issues: Issue[]): void {
  const host = normalizeHostKey(key);
  if (host === undefined) {
    issues.push(issue(path, `${JSON.stringify(key)} is not a host or host:port`));
    return;
  }
  if (cred !== undefined) config[host] = cred;
}

/** Reads rkt's `auth.d` shape: `{rktKind: "auth", domains, type: "basic"|"oauth", credentials}`. */
function readRktEntry(v: Record<string, unknown>, path: string, config: Record<string, HostCredentials>, issues: Issue[]): void {
  const domains = v['domains'];
  const creds = v['credentials'];
  if (!Array.isArray(domains) || domains.length === 0) issues.push(issue(`${path}/domains`, '"domains" must be a non-empty list of hosts'));
  if (typeof creds !== 'object' || creds === null) {
    issues.push(issue(`${path}/credentials`, '"credentials" must be an object'));
    return;
  }
  const c = creds as Record<string, unknown>;
  const type = v['type'] === 'oauth' ? 'bearer' : v['type'];
  const cred = checkCredentials({ ...c, type }, `${path}/credentials`, issues);
  if (Array.isArray(domains))
    domains.forEach((d, i) => {
      if (typeof d !== 'string') issues.push(issue(`${path}/domains/${i}`, 'a domain must be a string'));
      else addHost(config, d, cred, `${path}/domains/${i}`, issues);
    });
}

/**
 * Parses an authentication configuration, the JSON of `actool discover --auth-config`:
 * `{"example.com": {"type": "basic", "user": "u", "password": "p"}, "h.example.com:8443": {"type": "bearer", "token": "t"}}`.
 * rkt's `auth.d` files are accepted too (one object with `"rktKind": "auth"`, or a list of them;
 * rkt's `oauth` type is a bearer token). Never throws; every problem is an issue.
 *
 * @see docs/discovery.md#authentication
 */
export function parseAuthConfig(text: string): Result<AuthConfig> {
  const issues: Issue[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return toResult({} as AuthConfig, [issue('', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`)]);
  }
  const config: Record<string, HostCredentials> = {};
  const entries = Array.isArray(doc) ? doc.map((d, i) => [d, `/${i}`] as const) : [[doc, ''] as const];
  for (const [entry, path] of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      issues.push(issue(path, 'expected an object from host to credentials'));
      continue;
    }
    const v = entry as Record<string, unknown>;
    if (v['rktKind'] === 'auth') {
      readRktEntry(v, path, config, issues);
      continue;
    }
    if (Array.isArray(doc)) {
      issues.push(issue(path, 'a list may only hold rkt auth objects ({"rktKind": "auth", ...})'));
      continue;
    }
    for (const [key, value] of Object.entries(v)) {
      const at = pointer(key);
      addHost(config, key, checkCredentials(value, at, issues), at, issues);
    }
  }
  return toResult(config as AuthConfig, issues);
}

/** The credentials configured for a URL's host (`host:port` first, then `host`). */
export function credentialsFor(config: AuthConfig | undefined, url: URL): HostCredentials | undefined {
  if (config === undefined) return undefined;
  if (Object.hasOwn(config, url.host)) return config[url.host];
  if (Object.hasOwn(config, url.hostname)) return config[url.hostname];
  return undefined;
}

/** The `Authorization` header value for credentials (Basic is base64 of UTF-8 `user:password`). */
export function authorizationHeader(cred: HostCredentials): string {
  if (cred.type === 'bearer') return `Bearer ${cred.token}`;
  const bytes = new TextEncoder().encode(`${cred.user}:${cred.password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
