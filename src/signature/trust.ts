/** Getting keys to trust from URLs and from discovery (spec/discovery.md, `ac-discovery-pubkeys`; checklist S-4). */
import { AppcError } from '../issues/appc-error.js';
import type { PublicKeyInfo } from './keys.js';
import { readPublicKeys } from './keys.js';
import { concat } from './internal/streams.js';
import type { DiscoverOptions } from '../discovery/discover.js';
import { discoverPublicKeys } from '../discovery/discover.js';

/** Options of {@link fetchPublicKeys}. */
export interface FetchPublicKeysOptions {
  /** The fetch to use; default the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** Allow plain `http:` URLs (keys fetched without TLS can be swapped by anyone on the path). */
  readonly allowHttp?: boolean;
  readonly signal?: AbortSignal;
  /** Largest accepted download, in bytes; default 1 MiB (a key bundle is a few KiB). */
  readonly maxBytes?: number;
}

/**
 * Downloads a public key file or bundle and reads its keys, for review before trusting them.
 * @throws AppcError `TRUST_INSECURE_URL` (not https, unless `allowHttp`), `TRUST_DOWNLOAD_FAILED`
 * (network error, status other than 2xx, too large), `KEY_MALFORMED`.
 * @example
 * const keys = await fetchPublicKeys('https://example.com/pubkeys.gpg');
 */
export async function fetchPublicKeys(url: string, options: FetchPublicKeysOptions = {}): Promise<PublicKeyInfo[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new AppcError('TRUST_DOWNLOAD_FAILED', `${JSON.stringify(url)} is not a URL`, { url, cause: e });
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && options.allowHttp)) {
    const hint = parsed.protocol === 'http:' ? ' (use --insecure-allow-http to allow plain HTTP)' : '';
    throw new AppcError('TRUST_INSECURE_URL', `refusing to fetch keys from ${url}: only https URLs are allowed${hint}`, { url });
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  const max = options.maxBytes ?? 1 << 20;
  let response: Response;
  try {
    response = await doFetch(url, { redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new AppcError('TRUST_DOWNLOAD_FAILED', `cannot download keys from ${url}: ${reason}`, { url, cause: e });
  }
  if (response.url && response.url !== url) {
    const final = new URL(response.url);
    if (final.protocol !== 'https:' && !(final.protocol === 'http:' && options.allowHttp)) {
      throw new AppcError('TRUST_INSECURE_URL', `${url} redirected to ${response.url}, which is not https`, { url });
    }
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppcError('TRUST_DOWNLOAD_FAILED', `cannot download keys from ${url}: HTTP ${response.status} ${response.statusText}`.trim(), { url });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > max) {
        await reader.cancel();
        throw new AppcError('TRUST_DOWNLOAD_FAILED', `keys at ${url} are larger than the ${max}-byte limit`, { url });
      }
      chunks.push(value);
    }
  }
  const bytes = concat(chunks);
  return readPublicKeys(bytes, { source: url });
}

/** Options of {@link discoverPublicKeysToTrust}: discovery's options plus those of the key download. */
export interface DiscoverKeysOptions extends DiscoverOptions {
  /** Allow plain http key URLs (discovery's own `insecure.http` only covers the discovery pages). */
  readonly allowHttpKeys?: boolean;
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
 * @throws AppcError `TRUST_NO_PUBKEYS` (with what discovery tried), and as {@link fetchPublicKeys}.
 * @example
 * const found = await discoverPublicKeysToTrust('example.com/app');
 * for (const { url, keys } of found.sources) for (const k of keys) console.log(url, k.fingerprint, k.userIds);
 */
export async function discoverPublicKeysToTrust(prefix: string, options: DiscoverKeysOptions = {}): Promise<DiscoveredKeys> {
  const result = await discoverPublicKeys(prefix, options);
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
        allowHttp: options.allowHttpKeys === true,
      }),
    });
  }
  return { from: result.publicKeysFrom, sources };
}
