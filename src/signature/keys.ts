/** OpenPGP public keys: reading key files and bundles, fingerprints (spec/aci.md#image-archives; checklist S-4). */
import { AppcError } from '../issues/appc-error.js';
import type { Key } from 'openpgp';
import { loadOpenpgp, openpgpReason } from './internal/openpgp.js';

/** What a person needs to review before trusting a key, plus its armored public part for storing. */
export interface PublicKeyInfo {
  /** Lowercase hex fingerprint of the primary key (40 digits for v4 keys, 64 for v6). */
  readonly fingerprint: string;
  /** Lowercase hex key ID (16 digits) of the primary key. */
  readonly keyId: string;
  /** Key IDs of the subkeys, lowercase hex. */
  readonly subkeyIds: readonly string[];
  /** User IDs, such as `Example Signing Key <keys@example.com>`. */
  readonly userIds: readonly string[];
  /** Algorithm and size or curve, such as `rsaEncryptSign 2048` or `eddsaLegacy ed25519Legacy`. */
  readonly algorithm: string;
  readonly created: Date;
  /** When the primary key expires; null when it never does, or when its self-signature is not valid. */
  readonly expires: Date | null;
  /** True when the key carries a valid revocation signature. */
  readonly revoked: boolean;
  /** The ASCII-armored public key (secret parts never included): what the keystore stores. */
  readonly armored: string;
}

/** Options of {@link readPublicKeys}. */
export interface ReadPublicKeysOptions {
  /** File name or URL, named in error messages. */
  readonly source?: string;
}

const FINGERPRINT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** True for a lowercase hex v4 (40 digits) or v6 (64 digits) fingerprint, the keystore's file names. */
export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/**
 * Normalizes a fingerprint typed by a person (spaces, `0x`, upper case) to lowercase hex.
 * @throws AppcError `KEYSTORE_BAD_FINGERPRINT` when it is not 40 or 64 hex digits.
 */
export function normalizeFingerprint(value: string): string {
  const fp = value.replace(/\s+/g, '').replace(/^0x/i, '').toLowerCase();
  if (!FINGERPRINT.test(fp)) {
    throw new AppcError('KEYSTORE_BAD_FINGERPRINT', `${JSON.stringify(value)} is not a key fingerprint: expected 40 (v4) or 64 (v6) hex digits`);
  }
  return fp;
}

/** Formats a fingerprint the way gpg shows it: upper case in groups of four (`8B86 DE38 ...`). */
export function formatFingerprint(fingerprint: string): string {
  const groups = fingerprint.toUpperCase().match(/.{1,4}/g) ?? [];
  if (groups.length === 10) return `${groups.slice(0, 5).join(' ')}  ${groups.slice(5).join(' ')}`;
  return groups.join(' ');
}

/** True when text (after leading whitespace) starts with an OpenPGP armor header. */
export function looksArmored(data: Uint8Array | string): boolean {
  const head = typeof data === 'string' ? data.slice(0, 200) : new TextDecoder().decode(data.subarray(0, 200));
  return /^\s*-----BEGIN PGP /.test(head);
}

/**
 * Parses every key of a key file or bundle (armored or binary) into openpgp keys, public parts only.
 * @internal used by the keystore and verification.
 * @throws AppcError `KEY_MALFORMED` when the data is not OpenPGP key material.
 */
export async function parseKeys(data: Uint8Array | string, source?: string): Promise<Key[]> {
  const openpgp = await loadOpenpgp();
  const where = source === undefined ? 'the key data' : source;
  let keys: Key[];
  try {
    if (looksArmored(data)) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      if (!/-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/.test(text)) {
        const kind = /-----BEGIN PGP ([A-Z ]+)-----/.exec(text)?.[1] ?? 'unknown';
        throw new Error(`it is an armored "PGP ${kind}", not a "PGP PUBLIC KEY BLOCK"`);
      }
      // A bundle may be one armor block with several keys, or several blocks one after the other (`cat a.asc b.asc`).
      const blocks = text.match(/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g) ?? [text];
      keys = [];
      for (const block of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys: block })));
    } else {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      if (bytes.length === 0) throw new Error('it is empty');
      keys = await openpgp.readKeys({ binaryKeys: bytes });
    }
  } catch (e) {
    throw new AppcError('KEY_MALFORMED', `${where} is not an OpenPGP public key: ${openpgpReason(e)}`, {
      cause: e,
      ...(source === undefined ? {} : { file: source }),
    });
  }
  if (keys.length === 0) {
    throw new AppcError('KEY_MALFORMED', `${where} holds no OpenPGP keys`, source === undefined ? {} : { file: source });
  }
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : k));
}

/** Describes one parsed key. @internal */
export async function describeKey(key: Key): Promise<PublicKeyInfo> {
  let expires: Date | null = null;
  try {
    const t = await key.getExpirationTime();
    expires = t instanceof Date ? t : null;
  } catch {
    expires = null;
  }
  let revoked = false;
  try {
    revoked = await key.isRevoked();
  } catch {
    revoked = false;
  }
  const info = key.getAlgorithmInfo() as { algorithm: string; bits?: number; curve?: string };
  return {
    fingerprint: key.getFingerprint().toLowerCase(),
    keyId: key.getKeyID().toHex().toLowerCase(),
    subkeyIds: key.subkeys.map((s) => s.getKeyID().toHex().toLowerCase()),
    userIds: key.getUserIDs(),
    algorithm: [info.algorithm, info.bits ?? info.curve].filter((x) => x !== undefined).join(' '),
    created: key.getCreationTime(),
    expires,
    revoked,
    armored: key.armor(),
  };
}

/**
 * Reads an OpenPGP public key file or bundle (armored or binary) and describes each key in it.
 * Private keys are accepted and reduced to their public part.
 * @throws AppcError `KEY_MALFORMED` when the data is not OpenPGP key material.
 * @example
 * const [key] = await readPublicKeys(readFileSync('pubkeys.gpg'), { source: 'pubkeys.gpg' });
 * console.log(key.fingerprint, key.userIds);
 */
export async function readPublicKeys(data: Uint8Array | string, options: ReadPublicKeysOptions = {}): Promise<PublicKeyInfo[]> {
  const keys = await parseKeys(data, options.source);
  return Promise.all(keys.map(describeKey));
}
