/** Getting keys to trust from URLs and from discovery (spec/discovery.md, `ac-discovery-pubkeys`; checklist S-4). */
import { AppcError } from '../issues/appc-error.js';
import type { PublicKeyInfo } from './keys.js';
import { readPublicKeys } from './keys.js';
import type { DiscoverOptions } from '../discovery/discover.js';
import { discoverPublicKeys, transportFailure } from '../discovery/discover.js';
import type { HttpGetOptions } from '../discovery/http-get.js';
import { HttpGetError, httpGet, httpStatusError } from '../discovery/http-get.js';

/** Options of {@link fetchPublicKeys}: those of the shared HTTP layer (`httpGet`). */
export interface FetchPublicKeysOptions extends Omit<HttpGetOptions, 'accept'> {
  /**
   * Largest accepted download, in bytes; default 1 MiB (a key bundle is a few KiB).
   */
  readonly maxBytes?: number;
}

/** Default size limit of a key download. */
export const DEFAULT_MAX_KEY_BYTES = 1 << 20;
/** Default overall time-out of a key download (ms). */
export const DEFAULT_KEY_TIMEOUT_MS = 60_000;

/**
 * Downloads a public key file or bundle and reads its keys, for review before trusting them. Every hop
 * follows the rules of the HTTP layer (https unless `allowHttp`, no downgrade, redirect limit, size limit,
 * time-outs).
 * @throws HttpGetError `HTTP_*` (`HTTP_INSECURE_URL` for a plain http URL without `allowHttp`,
 * `HTTP_STATUS` for an answer other than 200, `HTTP_TOO_LARGE`, ...); AppcError `KEY_MALFORMED`.
 * @example
 * const keys = await fetchPublicKeys('https://example.com/pubkeys.gpg');
 */
export async function fetchPublicKeys(url: string, options: FetchPublicKeysOptions = {}): Promise<PublicKeyInfo[]> {
  const res = await httpGet(url, {
    ...options,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_KEY_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_KEY_TIMEOUT_MS,
    accept: 'application/pgp-keys, */*;q=0.5',
  });
  if (res.status !== 200) {
    await res.cancel();
    throw httpStatusError(res);
  }
  return readPublicKeys(await res.bytes(), { source: url });
}

/** Options of {@link discoverPublicKeysToTrust}: discovery's options plus those of the key download. */
export interface DiscoverKeysOptions extends DiscoverOptions {
  /** Allow plain http key URLs (discovery's own `insecure.http` only covers the discovery pages). */
  readonly allowHttpKeys?: boolean;
  /** Largest key download, in bytes (default 1 MiB). */
  readonly maxKeyBytes?: number;
  /** Overall time-out of each key download, in ms (default 60000; `timeoutMs` is discovery's, per page). */
  readonly keyTimeoutMs?: number;
}

/** Keys found through discovery, by URL. */
export interface DiscoveredKeys {
  /** The page the `ac-discovery-pubkeys` tags came from. */
  readonly from: string | undefined;
  readonly sources: readonly { readonly url: string; readonly keys: readonly PublicKeyInfo[] }[];
}

/**
 * Finds the keys a prefix publishes: runs discovery for `prefix` (spec/discovery.md), takes the
 * `ac-discovery-pubkeys` URLs of the nearest page that has any, and downloads and reads each key file.
 * The caller shows the fingerprints for review before trusting them.
 * @throws AppcError `TRUST_NO_PUBKEYS` (with what discovery tried), `HTTP_NETWORK` or `HTTP_TIMEOUT` when
 * discovery reached no server at all, and as {@link fetchPublicKeys}.
 * @example
 * const found = await discoverPublicKeysToTrust('example.com/app');
 * for (const { url, keys } of found.sources) for (const k of keys) console.log(url, k.fingerprint, k.userIds);
 */
export async function discoverPublicKeysToTrust(prefix: string, options: DiscoverKeysOptions = {}): Promise<DiscoveredKeys> {
  const result = await discoverPublicKeys(prefix, options);
  const down = result.publicKeys.length === 0 ? transportFailure(result.attempts) : undefined;
  if (down !== undefined) {
    // No server answered at all: a network failure, not a prefix without keys.
    throw new HttpGetError(down.outcome === 'timeout' ? 'HTTP_TIMEOUT' : 'HTTP_NETWORK', {
      url: down.url,
      failedUrl: down.url,
      detail: `discovery of keys for ${prefix} reached no server: ${down.detail}`,
      hops: [],
    });
  }
  if (result.publicKeys.length === 0) {
    const tried = result.attempts
      .filter((a) => a.outcome !== 'fetched' && a.outcome !== 'redirect')
      .map((a) => `${a.url}: ${a.detail}`)
      .slice(0, 6);
    const why = result.issues.find((i) => i.severity === 'error')?.message;
    throw new AppcError(
      'TRUST_NO_PUBKEYS',
      `discovery found no ac-discovery-pubkeys for ${prefix}${why ? ` (${why})` : ''}${tried.length ? '; tried: ' + tried.join('; ') : ''}; give a KEYFILE or URL instead`,
    );
  }
  const sources = [];
  for (const url of result.publicKeys) {
    sources.push({
      url,
      keys: await fetchPublicKeys(url, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
        ...(options.maxKeyBytes === undefined ? {} : { maxBytes: options.maxKeyBytes }),
        ...(options.keyTimeoutMs === undefined ? {} : { timeoutMs: options.keyTimeoutMs }),
        allowHttp: options.allowHttpKeys === true,
      }),
    });
  }
  return { from: result.publicKeysFrom, sources };
}
