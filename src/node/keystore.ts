/**
 * The on-disk keystore, laid out like rkt's: a system and a local directory, each with `root.d/<fp>`
 * and `prefix.d/<prefix path>/<fp>` (checklist S-4; rkt's layout is an implementation choice, not spec).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import { describeKey, isFingerprint, normalizeFingerprint, parseKeys } from '../signature/keys.js';
import type { AddedKey, KeyRing, RemovedKey, TrustedKey, TrustScope } from '../signature/keystore.js';
import { coveringPrefixes, formatScope, scopeOf, validatePrefix } from '../signature/keystore.js';

/** rkt's system keystore directory (vendor-shipped keys). */
export const DEFAULT_SYSTEM_KEYSTORE = '/usr/lib/rkt/trustedkeys';
/** rkt's local keystore directory (keys the administrator trusts; where `trust` writes). */
export const DEFAULT_LOCAL_KEYSTORE = '/etc/rkt/trustedkeys';

/** Options of {@link Keystore}. */
export interface KeystoreOptions {
  /** Read-only keys shipped with the system; null for none. Default {@link DEFAULT_SYSTEM_KEYSTORE}. */
  readonly systemDir?: string | null;
  /** Where keys are added and removed, and where an empty file masks a system key. Default {@link DEFAULT_LOCAL_KEYSTORE}. */
  readonly localDir?: string;
}

/** Options of {@link Keystore.add}. */
export interface AddKeyOptions {
  /** File name or URL the key came from, for messages. */
  readonly source?: string;
}

type Origin = 'system' | 'local';

interface FileEntry {
  readonly path: string;
  readonly fingerprint: string;
  readonly prefix: string | null;
  readonly size: number;
}

function scopeDir(base: string, prefix: string | null): string {
  return prefix === null ? join(base, 'root.d') : join(base, 'prefix.d', ...prefix.split('/'));
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function badFile(path: string, reason: string, cause?: unknown): AppcError {
  return new AppcError('KEYSTORE_BAD_FILE', `keystore file ${path}: ${reason}`, cause === undefined ? { file: path } : { file: path, cause });
}

/** Lists the key files directly in one scope directory (names starting with `.` are ignored: temp files). */
async function filesIn(dir: string, prefix: string | null): Promise<FileEntry[]> {
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e)) return [];
    throw badFile(dir, `cannot list the directory: ${(e as Error).message}`, e);
  }
  const out: FileEntry[] = [];
  for (const d of names) {
    if (d.name.startsWith('.') || d.isDirectory()) continue;
    const path = join(dir, d.name);
    if (!isFingerprint(d.name)) throw badFile(path, 'the name is not a lowercase hex key fingerprint (40 or 64 digits)');
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw badFile(path, 'not a regular file');
      size = st.size;
    } catch (e) {
      if (e instanceof AppcError) throw e;
      throw badFile(path, `cannot read it: ${(e as Error).message}`, e);
    }
    out.push({ path, fingerprint: d.name, prefix, size });
  }
  return out;
}

/** Walks `prefix.d` recursively: files in `prefix.d/a.com/app/` are keys for prefix `a.com/app`. */
async function walkPrefixes(base: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const root = join(base, 'prefix.d');
  async function visit(dir: string, segments: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw badFile(dir, `cannot list the directory: ${(e as Error).message}`, e);
    }
    if (segments.length > 0) out.push(...(await filesIn(dir, segments.join('/'))));
    else {
      const stray = entries.find((d) => !d.isDirectory() && !d.name.startsWith('.'));
      if (stray) throw badFile(join(dir, stray.name), 'a file directly in prefix.d belongs to no prefix (put it in root.d or prefix.d/<prefix>/)');
    }
    for (const d of entries) if (d.isDirectory()) await visit(join(dir, d.name), [...segments, d.name]);
  }
  await visit(root, []);
  return out;
}

/**
 * A keystore on disk, compatible with rkt's: keys are armored public keys in files named by their
 * lowercase fingerprint, under `root.d/` (trusted for every image) or `prefix.d/<prefix>/`
 * (trusted for names equal to or under the prefix, on whole path segments). Keys come from the system
 * directory and the local directory; a local file of the same scope and name wins, and an EMPTY local
 * file masks (removes) the system key. Only the local directory is ever written.
 * @example
 * const ks = new Keystore({ systemDir: null, localDir: '/etc/rkt/trustedkeys' });
 * await ks.add(readFileSync('pubkey.asc'), { prefix: 'example.com/app' });
 * const keys = await ks.keysFor('example.com/app/web');
 */
export class Keystore implements KeyRing {
  readonly systemDir: string | null;
  readonly localDir: string;

  constructor(options: KeystoreOptions = {}) {
    this.systemDir = options.systemDir === undefined ? DEFAULT_SYSTEM_KEYSTORE : options.systemDir;
    this.localDir = options.localDir ?? DEFAULT_LOCAL_KEYSTORE;
  }

  #bases(): { base: string; origin: Origin }[] {
    const out: { base: string; origin: Origin }[] = [];
    if (this.systemDir !== null) out.push({ base: this.systemDir, origin: 'system' });
    out.push({ base: this.localDir, origin: 'local' });
    return out;
  }

  /** Reads and checks one key file: one public key whose fingerprint is the file name. */
  async #load(entry: FileEntry, origin: Origin): Promise<TrustedKey> {
    let data: Buffer;
    try {
      data = await readFile(entry.path);
    } catch (e) {
      throw badFile(entry.path, `cannot read it: ${(e as Error).message}`, e);
    }
    let keys;
    try {
      keys = await parseKeys(data, entry.path);
    } catch (e) {
      throw badFile(entry.path, `not an OpenPGP public key (key ${entry.fingerprint}): ${(e as Error).message}`, e);
    }
    if (keys.length !== 1) throw badFile(entry.path, `holds ${keys.length} keys; a keystore file holds exactly one (key ${entry.fingerprint})`);
    const fp = keys[0]!.getFingerprint().toLowerCase();
    if (fp !== entry.fingerprint) {
      throw new AppcError('KEYSTORE_FINGERPRINT_MISMATCH', `keystore file ${entry.path} is named ${entry.fingerprint} but holds key ${fp}`, { file: entry.path });
    }
    return { fingerprint: fp, prefix: entry.prefix, armored: data.toString('utf8'), source: entry.path, origin };
  }

  /** Merges system and local entries: local wins per (scope, fingerprint); an empty local file masks. */
  async #resolve(collect: (base: string) => Promise<FileEntry[]>): Promise<TrustedKey[]> {
    const chosen = new Map<string, { entry: FileEntry; origin: Origin }>();
    for (const { base, origin } of this.#bases()) {
      for (const entry of await collect(base)) {
        const id = `${entry.prefix ?? ''}\u0000${entry.fingerprint}`;
        if (entry.size === 0) {
          // An empty file is a mask (local) or nothing (system): it is never a key.
          chosen.delete(id);
          continue;
        }
        chosen.set(id, { entry, origin });
      }
    }
    const out: TrustedKey[] = [];
    for (const { entry, origin } of chosen.values()) out.push(await this.#load(entry, origin));
    return out;
  }

  /**
   * Keys trusted for an image name: root keys plus keys of each prefix that covers the name.
   * Only the directories consulted are read; a bad file there is an error, never skipped.
   * @throws AppcError `KEYSTORE_BAD_PREFIX` (a name that cannot be a path), `KEYSTORE_BAD_FILE`, `KEYSTORE_FINGERPRINT_MISMATCH`.
   */
  async keysFor(name?: string): Promise<readonly TrustedKey[]> {
    const prefixes = name === undefined ? [] : coveringPrefixes(validatePrefix(name));
    return this.#resolve(async (base) => {
      const entries = await filesIn(scopeDir(base, null), null);
      for (const p of prefixes) entries.push(...(await filesIn(scopeDir(base, p), p)));
      return entries;
    });
  }

  /**
   * Every effective key (masked system keys left out), with its scope and origin.
   * @throws AppcError `KEYSTORE_BAD_FILE`, `KEYSTORE_FINGERPRINT_MISMATCH`.
   */
  async list(): Promise<readonly TrustedKey[]> {
    const keys = await this.#resolve(async (base) => [...(await filesIn(scopeDir(base, null), null)), ...(await walkPrefixes(base))]);
    return keys.sort((a, b) => (a.prefix ?? '').localeCompare(b.prefix ?? '') || a.fingerprint.localeCompare(b.fingerprint));
  }

  /**
   * Trusts every key of a key file or bundle for a scope, writing `<localDir>/root.d/<fp>` or
   * `<localDir>/prefix.d/<prefix>/<fp>` atomically. Idempotent: a key already stored the same way
   * is `unchanged`; new content for the same fingerprint (user IDs, expiry) is `updated`; a mask for
   * the key is replaced by the key.
   * @throws AppcError `KEY_MALFORMED`, `KEYSTORE_BAD_PREFIX`, `KEYSTORE_CONFLICT`; file system errors.
   */
  async add(data: Uint8Array | string, scope: TrustScope, options: AddKeyOptions = {}): Promise<AddedKey[]> {
    const prefix = 'prefix' in scope ? validatePrefix(scope.prefix) : null;
    const keys = await parseKeys(data, options.source);
    const dir = scopeDir(this.localDir, prefix);
    await this.#makeScopeDir(dir, prefix);
    const out: AddedKey[] = [];
    for (const key of keys) {
      const info = await describeKey(key);
      const path = join(dir, info.fingerprint);
      if ((await lstat(path).catch(() => undefined))?.isDirectory()) {
        const inner = `${prefix === null ? '' : prefix + '/'}${info.fingerprint}`;
        throw new AppcError(
          'KEYSTORE_CONFLICT',
          `cannot trust key ${info.fingerprint} for ${formatScope(prefix)}: ${path} is already the directory of prefix ${inner} (rkt's layout gives a key file and a prefix directory the same path); remove the keys trusted for ${inner} first`,
          { file: path },
        );
      }
      let old: string | undefined;
      try {
        old = await readFile(path, 'utf8');
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
      const status = old === undefined || old === '' ? 'added' : old === info.armored ? 'unchanged' : 'updated';
      if (status !== 'unchanged') {
        const tmp = join(dir, `.tmp-${info.fingerprint}-${randomBytes(6).toString('hex')}`);
        await writeFile(tmp, info.armored, { mode: 0o644 });
        await rename(tmp, path);
      }
      out.push({ ...info, scope: scopeOf(prefix), status, path });
    }
    return out;
  }

  /** Creates a scope directory; a key file in the way (prefix `X/<fp>` after key `<fp>` of prefix X) is KEYSTORE_CONFLICT. */
  async #makeScopeDir(dir: string, prefix: string | null): Promise<void> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code !== 'ENOTDIR' && code !== 'EEXIST') throw e;
      // Find the file that stands where a directory is needed.
      const segments = prefix === null ? [] : prefix.split('/');
      let at = join(this.localDir, prefix === null ? 'root.d' : 'prefix.d');
      let blocker = at;
      for (const seg of segments) {
        if ((await lstat(at).catch(() => undefined))?.isDirectory() === false) break;
        at = join(at, seg);
        blocker = at;
      }
      throw new AppcError(
        'KEYSTORE_CONFLICT',
        `cannot trust keys for ${formatScope(prefix)}: ${blocker} is a key file, where the directory of the prefix would go (rkt's layout gives a key file and a prefix directory the same path); remove that key first`,
        { file: blocker, cause: e },
      );
    }
  }

  /**
   * Stops trusting a key: deletes its local files (in one scope, or in every scope) and masks each
   * system copy with an empty local file, as rkt reads it.
   * @throws AppcError `KEYSTORE_BAD_FINGERPRINT`, `KEYSTORE_KEY_NOT_FOUND`; file system errors.
   */
  async remove(fingerprint: string, scope?: TrustScope): Promise<RemovedKey[]> {
    const fp = normalizeFingerprint(fingerprint);
    const wanted = scope === undefined ? undefined : 'prefix' in scope ? validatePrefix(scope.prefix) : null;
    const matches = (e: FileEntry) => e.fingerprint === fp && (wanted === undefined || e.prefix === wanted);
    const collect = async (base: string) => [...(await filesIn(scopeDir(base, null), null)), ...(await walkPrefixes(base))].filter(matches);
    const local = await collect(this.localDir);
    const system = this.systemDir === null ? [] : (await collect(this.systemDir)).filter((e) => e.size > 0);
    const out: RemovedKey[] = [];
    for (const e of local) {
      if (e.size === 0) continue; // already a mask
      await rm(e.path, { force: true });
      out.push({ fingerprint: fp, scope: scopeOf(e.prefix), action: 'deleted', path: e.path });
    }
    for (const e of system) {
      const maskDir = scopeDir(this.localDir, e.prefix);
      const mask = join(maskDir, fp);
      if (local.some((l) => l.path === mask && l.size === 0)) continue;
      await mkdir(maskDir, { recursive: true, mode: 0o755 });
      await writeFile(mask, '', { mode: 0o644 });
      out.push({ fingerprint: fp, scope: scopeOf(e.prefix), action: 'masked', path: mask });
    }
    if (out.length === 0) {
      throw new AppcError('KEYSTORE_KEY_NOT_FOUND', `key ${fp} is not trusted${wanted === undefined ? '' : ' for ' + formatScope(wanted)} in ${this.describe()}`);
    }
    return out;
  }

  /** The directories, for messages: `local DIR (system DIR)`. */
  describe(): string {
    return this.systemDir === null ? this.localDir : `${this.localDir} (system: ${this.systemDir})`;
  }
}

/**
 * A keystore rooted in one directory: `<root>/system` and `<root>/local`. When the directory itself
 * already holds `root.d` or `prefix.d` (an rkt trustedkeys directory), it is used as the local
 * directory with no system directory.
 */
export function keystoreFromRoot(root: string): Keystore {
  if (existsSync(join(root, 'root.d')) || existsSync(join(root, 'prefix.d'))) return new Keystore({ systemDir: null, localDir: root });
  return new Keystore({ systemDir: join(root, 'system'), localDir: join(root, 'local') });
}
