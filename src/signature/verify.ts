/**
 * Detached-signature verification of image archives against a key ring, streaming
 * (spec/aci.md#image-archives, spec/discovery.md#validation; checklist S-1..S-4).
 */
import type { Key, KeyID, Signature } from 'openpgp';
import { AppcError } from '../issues/appc-error.js';
import type { Issue } from '../issues/issue.js';
import { SIGNATURE_CODES } from './codes.js';
import type { SignatureCode } from './codes.js';
import { looksArmored, parseKeys } from './keys.js';
import type { KeyRing, TrustedKey } from './keystore.js';
import { formatScope } from './keystore.js';
import { loadOpenpgp, openpgpReason } from './internal/openpgp.js';
import type { ByteInput, SourceWatch } from './internal/streams.js';
import { drain, toWebStream } from './internal/streams.js';

/** The outcome of a signature check: who signed, or every reason the signature is not acceptable. */
export type SignatureCheck =
  | {
      readonly ok: true;
      /** Lowercase hex fingerprint of the signer's primary key (its keystore file name). */
      readonly fingerprint: string;
      /** Key ID of the key (primary or subkey) that made the signature. */
      readonly keyId: string;
      readonly userIds: readonly string[];
      /** The prefix the key is trusted for; null when it is trusted for every image (root). */
      readonly keyPrefix: string | null;
      /** When the signature says it was made. */
      readonly signedAt: Date;
      /** Non-fatal findings, such as `SIGNATURE_NOT_ARMORED`. */
      readonly warnings: readonly Issue[];
    }
  | {
      readonly ok: false;
      readonly issues: readonly Issue[];
      /** The signer as far as the signature tells it, when it could be read. */
      readonly signer?: { readonly keyId: string; readonly fingerprint?: string };
    };

/** Options of {@link verifyAci}. */
export interface VerifyAciOptions {
  /**
   * The image name the caller asked for (discovery name or manifest name): keys are trusted per
   * name prefix. Without it only root keys count.
   */
  readonly name?: string;
  /** The time at which keys must be valid (not expired, not revoked); default now. */
  readonly date?: Date;
  /** How to call the image in messages (a file name or URL); default `the image`. */
  readonly imageLabel?: string;
  /** How to call the signature in messages; default `the signature`. */
  readonly signatureLabel?: string;
  /** Promote warnings (a binary signature) to errors. */
  readonly strict?: boolean;
}

/** A detached signature as bytes (armored or binary) or armored text. */
export type SignatureInput = Uint8Array | string;

function issue(code: SignatureCode, message: string, params?: Record<string, string>): Issue {
  const base = { code, severity: SIGNATURE_CODES[code].severity, path: '', message };
  return params === undefined ? base : { ...base, params };
}

function fail(issues: Issue[], signer?: { keyId: string; fingerprint?: string }): SignatureCheck {
  return signer === undefined ? { ok: false, issues } : { ok: false, issues, signer };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads a detached signature; returns issues instead of throwing. @internal */
export async function readDetachedSignature(input: SignatureInput, label: string): Promise<{ signature: Signature; armored: boolean } | { issue: Issue }> {
  const openpgp = await loadOpenpgp();
  const armored = typeof input === 'string' || looksArmored(input);
  try {
    let signature: Signature;
    if (armored) {
      const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
      const kind = /-----BEGIN PGP ([A-Z ,/0-9]+)-----/.exec(text)?.[1];
      if (kind === undefined) throw new Error('no "-----BEGIN PGP SIGNATURE-----" armor header');
      if (kind !== 'SIGNATURE') throw new Error(`it is an armored "PGP ${kind}", not a detached "PGP SIGNATURE"`);
      signature = await openpgp.readSignature({ armoredSignature: text });
    } else {
      if (input.length === 0) throw new Error('it is empty');
      signature = await openpgp.readSignature({ binarySignature: input });
    }
    const packets = [...signature.packets];
    if (packets.length === 0) throw new Error('it holds no signature packets');
    for (const p of packets) {
      const type = p.signatureType;
      if (type !== openpgp.enums.signature.binary && type !== openpgp.enums.signature.text) {
        throw new Error(`it is a signature of type ${String(type)} (a key certification or similar), not a signature over a file`);
      }
    }
    return { signature, armored };
  } catch (e) {
    return {
      issue: issue('SIGNATURE_MALFORMED', `${label} is not a valid OpenPGP detached signature: ${openpgpReason(e)}`, { signature: label }),
    };
  }
}

interface ParsedTrusted {
  readonly trusted: TrustedKey;
  readonly key: Key;
}

async function parseTrusted(keys: readonly TrustedKey[]): Promise<ParsedTrusted[]> {
  const out: ParsedTrusted[] = [];
  for (const trusted of keys) {
    let parsed: Key[];
    try {
      parsed = await parseKeys(trusted.armored, trusted.source);
    } catch (e) {
      throw new AppcError('KEYSTORE_BAD_FILE', `trusted key ${trusted.fingerprint} in ${trusted.source} cannot be read: ${openpgpReason(e)}`, {
        file: trusted.source,
        cause: e,
      });
    }
    for (const key of parsed) out.push({ trusted, key });
  }
  return out;
}

function holdsKeyId(key: Key, keyId: KeyID): boolean {
  return key.getKeyIDs().some((id) => id.equals(keyId));
}

function classifyKeyProblem(e: unknown): SignatureCode {
  const text = `${e instanceof Error ? e.message : String(e)} ${e instanceof Error && e.cause instanceof Error ? e.cause.message : ''}`;
  if (/revoked/i.test(text)) return 'SIGNATURE_KEY_REVOKED';
  if (/expired/i.test(text)) return 'SIGNATURE_KEY_EXPIRED';
  return 'SIGNATURE_KEY_INVALID';
}

function trustHint(name: string | undefined): string {
  return name === undefined ? 'give the image name (actool verify --name=NAME), or trust the key for every image: actool trust --root KEYFILE' : `actool trust --prefix=${name} KEYFILE`;
}

/**
 * Verifies a detached OpenPGP signature over the exact bytes of an image archive (compressed and
 * encrypted as served, S-1) with the keys a key ring trusts for `options.name`. The image is streamed
 * once, after the signer has been found trusted, so memory stays flat for any size.
 *
 * Returns the signer on success; otherwise issues saying why: `SIGNATURE_MISSING`,
 * `SIGNATURE_MALFORMED`, `SIGNATURE_UNKNOWN_SIGNER`, `SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX`,
 * `SIGNATURE_KEY_EXPIRED`, `SIGNATURE_KEY_REVOKED`, `SIGNATURE_KEY_INVALID`, `SIGNATURE_MISMATCH`,
 * `SIGNATURE_INVALID`.
 * @param image the archive bytes: a buffer, an async iterable (a Node stream) or a web ReadableStream.
 * @param signature the detached signature; undefined or null gives `SIGNATURE_MISSING`.
 * @throws AppcError when the key ring cannot be read; rethrows errors of the image source (I/O).
 * @example
 * const check = await verifyAci(createReadStream('app.aci'), readFileSync('app.aci.asc'), keystore, { name: 'example.com/app' });
 * if (check.ok) console.log('signed by', check.fingerprint, check.userIds);
 */
export async function verifyAci(image: ByteInput, signature: SignatureInput | undefined | null, keyring: KeyRing, options: VerifyAciOptions = {}): Promise<SignatureCheck> {
  const prepared = await prepareVerifyAci(signature, keyring, options);
  return prepared.ready ? prepared.verify(image) : prepared.check;
}

/**
 * The first phase of {@link verifyAci}, without the image: reads the signature, finds the signer among
 * the keys trusted for the name and checks the key is valid. `fetch` uses it to refuse an image from an
 * untrusted signer before downloading it.
 */
export type PreparedVerification =
  | { readonly ready: false; readonly check: SignatureCheck }
  | {
      readonly ready: true;
      /** The trusted signer's fingerprint. */
      readonly fingerprint: string;
      readonly userIds: readonly string[];
      /** Streams the image once and completes the check. */
      verify(image: ByteInput): Promise<SignatureCheck>;
    };

/**
 * Checks everything about a signature that does not need the image (see {@link PreparedVerification}).
 * @throws AppcError when the key ring cannot be read.
 */
export async function prepareVerifyAci(signature: SignatureInput | undefined | null, keyring: KeyRing, options: VerifyAciOptions = {}): Promise<PreparedVerification> {
  const no = (check: SignatureCheck): PreparedVerification => ({ ready: false, check });
  const imageLabel = options.imageLabel ?? 'the image';
  const sigLabel = options.signatureLabel ?? 'the signature';
  const name = options.name;
  if (signature === undefined || signature === null) {
    return no(fail([issue('SIGNATURE_MISSING', `${imageLabel} has no signature (expected a detached ASCII-armored signature, ${imageLabel}.asc)`)]));
  }
  const read = await readDetachedSignature(signature, sigLabel);
  if ('issue' in read) return no(fail([read.issue]));
  const warnings: Issue[] = [];
  if (!read.armored) {
    const w = issue('SIGNATURE_NOT_ARMORED', `${sigLabel} is a binary OpenPGP signature; the spec requires an ASCII-armored one (gpg --armor --detach-sign)`);
    if (options.strict) return no(fail([{ ...w, severity: 'error' }]));
    warnings.push(w);
  }
  const packets = [...read.signature.packets];
  const issuers = packets.map((p) => ({
    packet: p,
    keyId: p.issuerKeyID,
    fingerprint: p.issuerFingerprint instanceof Uint8Array && p.issuerFingerprint.length > 0 ? hex(p.issuerFingerprint) : undefined,
  }));
  const first = issuers[0]!;
  const signerOf = (i: typeof first) => (i.fingerprint === undefined ? { keyId: i.keyId.toHex() } : { keyId: i.keyId.toHex(), fingerprint: i.fingerprint });
  const who = (i: typeof first) => (i.fingerprint === undefined ? `key ID ${i.keyId.toHex()}` : `key ${i.fingerprint}`);

  const trusted = await parseTrusted(await keyring.keysFor(name));
  let match: { issuer: typeof first; entry: ParsedTrusted } | undefined;
  for (const issuer of issuers) {
    const entry = trusted.find((t) => holdsKeyId(t.key, issuer.keyId));
    if (entry !== undefined) {
      match = { issuer, entry };
      break;
    }
  }
  if (match === undefined) {
    const all = await parseTrusted(await keyring.list());
    for (const issuer of issuers) {
      const elsewhere = all.filter((t) => holdsKeyId(t.key, issuer.keyId));
      if (elsewhere.length === 0) continue;
      const fp = elsewhere[0]!.trusted.fingerprint;
      const scopes = [...new Set(elsewhere.map((t) => formatScope(t.trusted.prefix)))].join(', ');
      const forName = name === undefined ? 'no image name was given, so only root keys count' : `not for ${name}`;
      return no(
        fail(
          [
            issue(
              'SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX',
              `${sigLabel} was made by key ${fp} (${elsewhere[0]!.key.getUserIDs().join(', ') || 'no user ID'}), which is trusted for ${scopes} but ${forName}; to trust it for this image run: ${trustHint(name)}`,
              { fingerprint: fp, ...(name === undefined ? {} : { name }) },
            ),
          ],
          { keyId: issuer.keyId.toHex(), fingerprint: fp },
        ),
      );
    }
    return no(
      fail(
        [
          issue('SIGNATURE_UNKNOWN_SIGNER', `${sigLabel} was made by ${who(first)}, which is not in the keystore; if you trust that key, get it from its owner and run: ${trustHint(name)}`, {
            keyId: first.keyId.toHex(),
            ...(first.fingerprint === undefined ? {} : { fingerprint: first.fingerprint }),
          }),
        ],
        signerOf(first),
      ),
    );
  }

  const { issuer, entry } = match;
  const fp = entry.key.getFingerprint().toLowerCase();
  const userIds = entry.key.getUserIDs();
  const signer = { keyId: issuer.keyId.toHex(), fingerprint: fp };
  const keyName = `key ${fp} (${userIds.join(', ') || 'no user ID'})`;
  const date = options.date ?? new Date();
  try {
    await entry.key.getSigningKey(issuer.keyId, date);
  } catch (e) {
    const code = classifyKeyProblem(e);
    const what = code === 'SIGNATURE_KEY_REVOKED' ? 'has been revoked' : code === 'SIGNATURE_KEY_EXPIRED' ? 'has expired' : 'cannot make valid signatures';
    return no(fail([issue(code, `${sigLabel} was made by ${keyName}, which ${what}: ${openpgpReason(e)}`, { fingerprint: fp })], signer));
  }

  return {
    ready: true,
    fingerprint: fp,
    userIds,
    async verify(image: ByteInput): Promise<SignatureCheck> {
      const openpgp = await loadOpenpgp();
      const watch: SourceWatch = { error: undefined, failed: false };
      const verifyResult: { verified?: Promise<unknown> } = {};
      try {
        const message = await openpgp.createMessage({ binary: toWebStream(image, watch) });
        const res = await openpgp.verify({ message, signature: read.signature, verificationKeys: [entry.key], date, format: 'binary' });
        // Every packet's promise is observed: those of untrusted signers reject, and must not go unhandled.
        for (const s of res.signatures) s.verified.catch(() => undefined);
        const mine = res.signatures.find((s) => s.keyID.equals(issuer.keyId));
        if (mine !== undefined) verifyResult.verified = mine.verified;
        await drain(res.data as ReadableStream<unknown>);
        if (verifyResult.verified === undefined) throw new Error(`no verification result for key ID ${issuer.keyId.toHex()}`);
        await verifyResult.verified;
      } catch (e) {
        if (watch.failed) throw watch.error;
        const reason = openpgpReason(e);
        if (/digest did not match|signature did not match|verification failed/i.test(reason)) {
          return fail(
            [
              issue('SIGNATURE_MISMATCH', `${sigLabel} from ${keyName} does not match the bytes of ${imageLabel}: it was modified or truncated, or the signature is for another file`, {
                fingerprint: fp,
              }),
            ],
            signer,
          );
        }
        const code = /revoked/i.test(reason) ? 'SIGNATURE_KEY_REVOKED' : /key is expired|key expired/i.test(reason) ? 'SIGNATURE_KEY_EXPIRED' : 'SIGNATURE_INVALID';
        return fail([issue(code, `${sigLabel} from ${keyName} is not acceptable: ${reason}`, { fingerprint: fp })], signer);
      }
      return {
        ok: true,
        fingerprint: fp,
        keyId: issuer.keyId.toHex(),
        userIds,
        keyPrefix: entry.trusted.prefix,
        signedAt: issuer.packet.created ?? new Date(0),
        warnings,
      };
    },
  };
}
