/**
 * Making detached OpenPGP signatures of image archives (spec/aci.md#image-archives; checklist S-2):
 * what `actool sign` and `actool publish` write next to an ACI as `IMAGE.aci.asc`. Streaming, so any
 * image size signs in flat memory. Portable: no Node APIs.
 */
import type { PrivateKey } from 'openpgp';
import { AppcError } from '../issues/appc-error.js';
import { looksArmored } from './keys.js';
import { loadOpenpgp, openpgpReason } from './internal/openpgp.js';
import type { ByteInput, SourceWatch } from './internal/streams.js';
import { drain, toWebStream } from './internal/streams.js';

declare const openpgpPrivateKey: unique symbol;

/**
 * The unlocked openpgp key inside a {@link SigningKey}, opaque to callers: openpgp's own declarations
 * need its optional peer `@openpgp/web-stream-tools`, so the public types never name them.
 */
export interface OpenPGPPrivateKey {
  readonly [openpgpPrivateKey]: true;
}

/** A private key ready to sign: unlocked, with what a person needs to recognise it. */
export interface SigningKey {
  /** The unlocked key (pass the SigningKey to signAci). */
  readonly key: OpenPGPPrivateKey;
  /** Lowercase hex fingerprint of the primary key. */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  /** The public part, ASCII-armored: what a publisher puts in `pubkeys.gpg`. */
  readonly publicArmored: string;
}

/** Options of {@link readSigningKey}. */
export interface ReadSigningKeyOptions {
  /** Unlocks a passphrase-protected key. */
  readonly passphrase?: string;
  /** File name named in error messages. */
  readonly source?: string;
}

/** Options of {@link signAci}. */
export interface SignAciOptions {
  /** ASCII armor (default true, what the spec asks for); false gives a binary signature. */
  readonly armor?: boolean;
  /** The signature's creation time (default now). */
  readonly date?: Date;
  /** Passphrase, when `key` is given as key data rather than a {@link SigningKey}. */
  readonly passphrase?: string;
}

/** A detached signature and who made it. */
export interface DetachedSignature {
  /** Armored text, or binary bytes when `armor: false`. */
  readonly signature: string | Uint8Array;
  readonly fingerprint: string;
  /** Key ID (16 hex digits) of the key or subkey that signed. */
  readonly keyId: string;
  readonly userIds: readonly string[];
}

function keyError(code: string, message: string, source: string | undefined, cause?: unknown): AppcError {
  return new AppcError(code, message, { ...(source === undefined ? {} : { file: source }), ...(cause === undefined ? {} : { cause }) });
}

/**
 * Reads an OpenPGP private key (armored or binary, as `gpg --export-secret-keys` or openpgp writes it)
 * and unlocks it with the passphrase when it is protected.
 * @throws AppcError `SIGN_KEY_MALFORMED`, `SIGN_KEY_NOT_PRIVATE`, `SIGN_PASSPHRASE_REQUIRED`, `SIGN_WRONG_PASSPHRASE`.
 * @example
 * const key = await readSigningKey(readFileSync('signing.key'), { passphrase });
 */
export async function readSigningKey(data: Uint8Array | string, options: ReadSigningKeyOptions = {}): Promise<SigningKey> {
  const openpgp = await loadOpenpgp();
  const source = options.source;
  const where = source ?? 'the key data';
  let keys: PrivateKey[];
  try {
    if (looksArmored(data)) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      const kind = /-----BEGIN PGP ([A-Z ,/0-9]+)-----/.exec(text)?.[1];
      if (kind === 'PUBLIC KEY BLOCK') {
        throw keyError('SIGN_KEY_NOT_PRIVATE', `${where} is a public key; signing needs the private key (gpg --armor --export-secret-keys KEYID)`, source);
      }
      if (kind !== 'PRIVATE KEY BLOCK') throw new Error(`it is an armored "PGP ${kind ?? 'unknown'}", not a "PGP PRIVATE KEY BLOCK"`);
      // openpgp reads only the first armor block; a second one would be silently ignored.
      const blocks = text.match(/-----BEGIN PGP PRIVATE KEY BLOCK-----/g)?.length ?? 0;
      if (blocks > 1) throw keyError('SIGN_KEY_MALFORMED', `${where} holds ${blocks} private key blocks; export exactly one (gpg --export-secret-keys KEYID)`, source);
      keys = await openpgp.readPrivateKeys({ armoredKeys: text });
    } else {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      if (bytes.length === 0) throw new Error('it is empty');
      try {
        keys = await openpgp.readPrivateKeys({ binaryKeys: bytes });
      } catch (e) {
        // A binary public key reads as keys but not as private ones: say which it is.
        const pub = await openpgp.readKeys({ binaryKeys: bytes }).catch(() => undefined);
        if (pub !== undefined && pub.length > 0) {
          throw keyError('SIGN_KEY_NOT_PRIVATE', `${where} is a public key; signing needs the private key (gpg --export-secret-keys KEYID)`, source);
        }
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof AppcError) throw e;
    throw keyError('SIGN_KEY_MALFORMED', `${where} is not an OpenPGP private key: ${openpgpReason(e)}`, source, e);
  }
  if (keys.length !== 1) {
    throw keyError('SIGN_KEY_MALFORMED', `${where} holds ${keys.length} private keys; export exactly one (gpg --export-secret-keys KEYID)`, source);
  }
  let key = keys[0]!;
  if (!key.isDecrypted()) {
    if (options.passphrase === undefined) {
      throw keyError('SIGN_PASSPHRASE_REQUIRED', `${where} is protected by a passphrase; give it with --passphrase-file`, source);
    }
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase: options.passphrase });
    } catch (e) {
      throw keyError('SIGN_WRONG_PASSPHRASE', `the passphrase does not unlock ${where}: ${openpgpReason(e)}`, source, e);
    }
  }
  return {
    key: key as unknown as OpenPGPPrivateKey,
    fingerprint: key.getFingerprint().toLowerCase(),
    userIds: key.getUserIDs(),
    publicArmored: key.toPublic().armor(),
  };
}

/** The data stream of a message's literal data packet (what the signature hash reads as a passive clone). */
function literalData(message: { readonly packets: Iterable<unknown> }): ReadableStream<unknown> {
  for (const packet of message.packets) {
    const p = packet as { getBytes?: () => unknown };
    if (typeof p.getBytes === 'function') return p.getBytes() as ReadableStream<unknown>;
  }
  throw new Error('the message has no literal data packet');
}

async function readAll(stream: ReadableStream<string | Uint8Array>): Promise<string | Uint8Array> {
  const reader = stream.getReader();
  const parts: (string | Uint8Array)[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  const bytes = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Signs the exact bytes of an image archive (compressed or encrypted, as it will be served) with a
 * detached OpenPGP signature, ASCII-armored by default (S-2). The image is streamed once; only the
 * signature is kept in memory. The result verifies with `verifyAci`, `actool verify` and `gpg --verify`.
 * @param image the archive bytes: a buffer, an async iterable (a Node stream) or a web ReadableStream.
 * @param key a key from {@link readSigningKey}, or private key data (armored or binary).
 * @throws AppcError `SIGN_*` for key problems; rethrows errors of the image source (I/O).
 * @example
 * const key = await readSigningKey(readFileSync('signing.key'));
 * const { signature } = await signAci(createReadStream('app.aci'), key);
 * writeFileSync('app.aci.asc', signature);
 */
export async function signAci(image: ByteInput, key: SigningKey | Uint8Array | string, options: SignAciOptions = {}): Promise<DetachedSignature> {
  // A Node stream can fail (a missing file) before openpgp first pulls (so this runs before the first await) from it; without a listener that
  // 'error' event would crash the process. The stream keeps the error, and the first pull rethrows it.
  const emitter = image as { once?: unknown; on?: (event: string, fn: (e: unknown) => void) => unknown };
  if (typeof emitter.on === 'function') emitter.on('error', () => undefined);
  const signer = typeof key === 'string' || key instanceof Uint8Array ? await readSigningKey(key, options.passphrase === undefined ? {} : { passphrase: options.passphrase }) : key;
  const openpgp = await loadOpenpgp();
  const date = options.date ?? new Date();
  let signingKeyId: string;
  try {
    signingKeyId = (await privateKeyOf(signer).getSigningKey(undefined, date)).getKeyID().toHex();
  } catch (e) {
    throw new AppcError('SIGN_KEY_UNUSABLE', `key ${signer.fingerprint} (${signer.userIds.join(', ') || 'no user ID'}) cannot sign: ${openpgpReason(e)}`, { cause: e });
  }
  const watch: SourceWatch = { error: undefined, failed: false };
  try {
    const message = await openpgp.createMessage({ binary: toWebStream(image, watch) });
    // openpgp's own detached sign reads the whole encoded message into memory to drive the hash
    // (readToEnd). Here the signature is taken as an object and the literal data, which the hash follows
    // as a passive clone, is drained: memory stays flat and no packet framing is built.
    const object = await openpgp.sign({ message, signingKeys: privateKeyOf(signer), detached: true, date, format: 'object' });
    const encoded = options.armor === false ? object.write() : object.armor();
    const [signature] = await Promise.all([
      typeof encoded === 'string' || encoded instanceof Uint8Array ? encoded : readAll(encoded as ReadableStream<string | Uint8Array>),
      drain(literalData(message)),
    ]);
    return { signature, fingerprint: signer.fingerprint, keyId: signingKeyId, userIds: signer.userIds };
  } catch (e) {
    if (watch.failed) throw watch.error;
    throw new AppcError('SIGN_KEY_UNUSABLE', `signing with key ${signer.fingerprint} failed: ${openpgpReason(e)}`, { cause: e });
  }
}

/** The openpgp key behind a SigningKey (only readSigningKey makes one). */
function privateKeyOf(signer: SigningKey): PrivateKey {
  return signer.key as unknown as PrivateKey;
}
