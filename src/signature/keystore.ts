/**
 * Trusted keys: the key-ring contract that verification reads, prefix rules, and an in-memory key ring
 * (checklist S-4; the on-disk, rkt-compatible keystore is `Keystore` in src/node/keystore.ts).
 */
import { AppcError } from '../issues/appc-error.js';
import { validateACIdentifier } from '../schema/types/ac-identifier.js';
import { describeKey, normalizeFingerprint, parseKeys } from './keys.js';
import type { PublicKeyInfo } from './keys.js';

/** Where a key is trusted: for every image (`root`) or for names under a prefix. */
export type TrustScope = { readonly root: true } | { readonly prefix: string };

/** One trusted key as a key ring hands it to verification. */
export interface TrustedKey {
  /** Lowercase hex fingerprint (the keystore file name). */
  readonly fingerprint: string;
  /** The image-name prefix the key is trusted for; null means every name (rkt's `root.d`). */
  readonly prefix: string | null;
  /** The key as stored (armored public key). */
  readonly armored: string;
  /** Where it came from, for messages: a file path, or `memory`. */
  readonly source: string;
  /** Which keystore directory holds it. */
  readonly origin: 'system' | 'local' | 'memory';
}

/** What verification needs from a keystore. */
export interface KeyRing {
  /**
   * Keys trusted for an image name: root keys plus keys of every prefix that is the name or a
   * whole-segment ancestor of it. Without a name, root keys only.
   * @throws AppcError when the keystore cannot be read or holds bad files in the directories consulted.
   */
  keysFor(name?: string): Promise<readonly TrustedKey[]>;
  /** Every trusted key, whatever its prefix (used to explain why a key is not trusted for a name). */
  list(): Promise<readonly TrustedKey[]>;
}

/** The outcome of storing one key. */
export interface AddedKey extends PublicKeyInfo {
  readonly scope: TrustScope;
  /** `added`: new; `updated`: same fingerprint, new content (new user IDs, expiry...); `unchanged`: already trusted as is. */
  readonly status: 'added' | 'updated' | 'unchanged';
  /** Where it was stored (a file path, or `memory`). */
  readonly path: string;
}

/** The outcome of removing a key from one place. */
export interface RemovedKey {
  readonly fingerprint: string;
  readonly scope: TrustScope;
  /** `deleted`: the local file was removed; `masked`: an empty local file now hides the system key. */
  readonly action: 'deleted' | 'masked';
  readonly path: string;
}

/**
 * Checks a trust prefix (or an image name used as one): an ACIdentifier whose `/`-separated segments
 * are neither empty nor `.` or `..`, so it can name a keystore directory safely.
 * @returns the prefix unchanged.
 * @throws AppcError `KEYSTORE_BAD_PREFIX`.
 */
export function validatePrefix(prefix: string): string {
  const r = validateACIdentifier(prefix);
  const reason = !r.ok ? (r.issues[0]?.message ?? 'not an ACIdentifier') : prefix.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'it has an empty, "." or ".." path segment' : undefined;
  if (reason !== undefined) {
    throw new AppcError('KEYSTORE_BAD_PREFIX', `${JSON.stringify(prefix)} is not a valid image name prefix: ${reason}`);
  }
  return prefix;
}

/** True when `prefix` covers `name` on whole path segments: `example.com/app` covers `example.com/app` and `example.com/app/web`, not `example.com/apple`. */
export function prefixCovers(prefix: string, name: string): boolean {
  return name === prefix || name.startsWith(prefix.endsWith('/') ? prefix : prefix + '/');
}

/** The prefixes that cover a name, shortest first: `a.com/b/c` gives `a.com`, `a.com/b`, `a.com/b/c`. */
export function coveringPrefixes(name: string): string[] {
  const segments = name.split('/');
  return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
}

/** Describes a scope for people: `root (every image)` or `prefix example.com/app`. */
export function formatScope(scope: TrustScope | string | null): string {
  const prefix = scope === null ? null : typeof scope === 'string' ? scope : 'prefix' in scope ? scope.prefix : null;
  return prefix === null ? 'every image (root)' : `prefix ${prefix}`;
}

/** Turns a TrustedKey's prefix into a scope. */
export function scopeOf(prefix: string | null): TrustScope {
  return prefix === null ? { root: true } : { prefix };
}

/**
 * A key ring held in memory, for browsers, tests and callers that manage keys themselves.
 * @example
 * const ring = new MemoryKeyRing();
 * await ring.add(armoredKey, { prefix: 'example.com/app' });
 * const check = await verifyAci(imageBytes, signatureText, ring, { name: 'example.com/app' });
 */
export class MemoryKeyRing implements KeyRing {
  readonly #keys = new Map<string, TrustedKey>();

  /** Trusts every key of a key file or bundle for a scope. @throws AppcError `KEY_MALFORMED`, `KEYSTORE_BAD_PREFIX`. */
  async add(data: Uint8Array | string, scope: TrustScope, options: { readonly source?: string } = {}): Promise<AddedKey[]> {
    const prefix = 'prefix' in scope ? validatePrefix(scope.prefix) : null;
    const keys = await parseKeys(data, options.source);
    const out: AddedKey[] = [];
    for (const key of keys) {
      const info = await describeKey(key);
      const id = `${prefix ?? ''}\u0000${info.fingerprint}`;
      const old = this.#keys.get(id);
      this.#keys.set(id, { fingerprint: info.fingerprint, prefix, armored: info.armored, source: 'memory', origin: 'memory' });
      const status = old === undefined ? 'added' : old.armored === info.armored ? 'unchanged' : 'updated';
      out.push({ ...info, scope: scopeOf(prefix), status, path: 'memory' });
    }
    return out;
  }

  /** Stops trusting a key (in one scope, or everywhere). @throws AppcError `KEYSTORE_KEY_NOT_FOUND`. */
  async remove(fingerprint: string, scope?: TrustScope): Promise<RemovedKey[]> {
    const fp = normalizeFingerprint(fingerprint);
    const out: RemovedKey[] = [];
    for (const [id, key] of this.#keys) {
      if (key.fingerprint !== fp) continue;
      if (scope !== undefined && key.prefix !== ('prefix' in scope ? scope.prefix : null)) continue;
      this.#keys.delete(id);
      out.push({ fingerprint: fp, scope: scopeOf(key.prefix), action: 'deleted', path: 'memory' });
    }
    if (out.length === 0) throw new AppcError('KEYSTORE_KEY_NOT_FOUND', `key ${fp} is not in the key ring${scope ? ' for ' + formatScope(scope) : ''}`);
    return out;
  }

  async list(): Promise<readonly TrustedKey[]> {
    return [...this.#keys.values()];
  }

  async keysFor(name?: string): Promise<readonly TrustedKey[]> {
    return [...this.#keys.values()].filter((k) => k.prefix === null || (name !== undefined && prefixCovers(k.prefix, name)));
  }
}
