/**
 * OpenPGP-encrypted image archives: detection and streaming decryption with a passphrase
 * (spec/aci.md#image-archives, "MAY be encrypted using PGP symmetric encryption with AES"; checklist S-5).
 */
import { AppcError } from '../issues/appc-error.js';
import { loadOpenpgp, openpgpReason } from './internal/openpgp.js';
import type { ByteInput } from './internal/streams.js';
import { iterateStream, peek, toWebStream } from './internal/streams.js';
import { dearmorHead, findSeipd, isAes, quickCheck } from './internal/quick-check.js';

/** How an archive is encrypted: `binary` OpenPGP packets, `armored` text, or not at all. */
export type EncryptionKind = 'binary' | 'armored' | 'none';

/** Options of {@link decryptAci} and {@link maybeDecrypt}. */
export interface DecryptOptions {
  /** The passphrase of the symmetric encryption (`gpg --symmetric`). */
  readonly passphrase?: string;
  /** How to call the image in messages (a file name or URL). */
  readonly label?: string;
}

/** Bytes needed by {@link detectEncryption}. */
export const ENCRYPTION_SNIFF_BYTES = 64;

/** Bytes of the message read ahead to find the start of the encrypted data (session key packets are small). */
const HEAD_BYTES = 8192;

/**
 * Tells whether the first bytes of an archive start an OpenPGP encrypted message: a packet header
 * (bit 7 set) whose tag is a public-key or symmetric session key (1, 3) or encrypted data (9, 18, 20)
 * with a version byte that tag allows, or the armor line `-----BEGIN PGP MESSAGE-----`.
 * The version check keeps an xz stream (first byte 0xfd) or a tar member name from looking encrypted.
 */
export function detectEncryption(head: Uint8Array): EncryptionKind {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, ENCRYPTION_SNIFF_BYTES));
  if (/^[\s\uFEFF]*-----BEGIN PGP MESSAGE-----/.test(text)) return 'armored';
  const b0 = head[0];
  if (b0 === undefined || (b0 & 0x80) === 0) return 'none';
  let tag: number;
  let bodyAt: number;
  if ((b0 & 0x40) !== 0) {
    // New format: tag in the low 6 bits; length in 1, 2, 5 octets or partial.
    tag = b0 & 0x3f;
    const l0 = head[1];
    if (l0 === undefined) return 'none';
    bodyAt = l0 < 192 ? 2 : l0 < 224 ? 3 : l0 === 255 ? 6 : 2;
  } else {
    // Old format: tag in bits 2..5, length type in bits 0..1.
    tag = (b0 >> 2) & 0x0f;
    const lengthType = b0 & 0x03;
    bodyAt = lengthType === 0 ? 2 : lengthType === 1 ? 3 : lengthType === 2 ? 5 : 1;
  }
  const version = head[bodyAt];
  switch (tag) {
    case 1: // PKESK v3 or v6
      return version === 3 || version === 6 ? 'binary' : 'none';
    case 3: // SKESK v4, v5, v6
      return version === 4 || version === 5 || version === 6 ? 'binary' : 'none';
    case 18: // SEIPD v1 or v2
      return version === 1 || version === 2 ? 'binary' : 'none';
    case 20: // AEAD encrypted data (v5 drafts)
      return version === 1 ? 'binary' : 'none';
    case 9: // legacy symmetrically encrypted data: no version byte
      return 'binary';
    default:
      return 'none';
  }
}

async function* decodeText(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
  const tail = decoder.decode();
  if (tail) yield tail;
}

function stringStream(source: AsyncIterable<string>): ReadableStream<string> {
  const it = source[Symbol.asyncIterator]();
  return new ReadableStream<string>(
    {
      async pull(controller) {
        const { done, value } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function wrongPassphrase(label: string, e: unknown): AppcError {
  return new AppcError('ENCRYPTION_WRONG_PASSPHRASE', `${label} cannot be decrypted with this passphrase (wrong passphrase, or the encrypted data is corrupt): ${openpgpReason(e)}`, {
    cause: e,
  });
}

/**
 * Decrypts an OpenPGP symmetrically encrypted archive (binary or armored) as a stream.
 *
 * Decryption streams (`allowUnauthenticatedStream`): plaintext flows before the final integrity
 * check (MDC, or AEAD chunk tags), so a multi-GB image never sits in memory. A failed check is then
 * an error at the END of the stream (`ENCRYPTION_CORRUPT`); consumers must treat the decrypted bytes
 * as untrusted until the stream finishes without error, as the archive reader does (it hashes and
 * validates everything, and a stream error fails the whole read).
 * @throws AppcError `ENCRYPTION_PASSPHRASE_REQUIRED`, `ENCRYPTION_WRONG_PASSPHRASE`,
 * `ENCRYPTION_UNSUPPORTED` (encrypted to public keys only); the returned stream fails with
 * `ENCRYPTION_CORRUPT` when the data is damaged or truncated.
 * @example
 * const plain = await decryptAci(createReadStream('app.aci'), { passphrase: 'sekr3t' });
 * for await (const chunk of plain) hash.update(chunk);
 */
export async function decryptAci(source: ByteInput, options: DecryptOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const label = options.label ?? 'the image';
  const { head, rest } = await peek(source, ENCRYPTION_SNIFF_BYTES);
  const kind = detectEncryption(head);
  if (kind === 'none') {
    throw new AppcError('ENCRYPTION_CORRUPT', `${label} is not an OpenPGP encrypted message`);
  }
  if (options.passphrase === undefined) {
    throw new AppcError('ENCRYPTION_PASSPHRASE_REQUIRED', `${label} is OpenPGP-encrypted; give the passphrase (--passphrase-file) to decrypt it`);
  }
  const openpgp = await loadOpenpgp();
  // The message head (up to HEAD_BYTES) locates the encrypted data for the quick check below.
  const { head: messageHead, rest: all } = await peek(rest, HEAD_BYTES);
  const binaryHead = kind === 'armored' ? dearmorHead(new TextDecoder().decode(messageHead)) : messageHead;
  const seipd = binaryHead === undefined ? undefined : findSeipd(binaryHead);
  let message;
  try {
    message = kind === 'armored' ? await openpgp.readMessage({ armoredMessage: stringStream(decodeText(all)) }) : await openpgp.readMessage({ binaryMessage: toWebStream(all) });
  } catch (e) {
    throw new AppcError('ENCRYPTION_CORRUPT', `${label} is not a readable OpenPGP message: ${openpgpReason(e)}`, { cause: e });
  }
  const tags = message.packets.map((p) => (p.constructor as { tag?: number }).tag);
  const symmetric = tags.includes(openpgp.enums.packet.symEncryptedSessionKey);
  if (!symmetric && tags.includes(openpgp.enums.packet.publicKeyEncryptedSessionKey)) {
    throw new AppcError('ENCRYPTION_UNSUPPORTED', `${label} is encrypted to OpenPGP public keys only; appc images use passphrase (symmetric) encryption`);
  }
  let candidates;
  try {
    candidates = await openpgp.decryptSessionKeys({ message, passwords: [options.passphrase] });
  } catch (e) {
    throw wrongPassphrase(label, e);
  }
  // A passphrase-derived key cannot be checked by itself (gpg stores no encrypted session key): the quick
  // check of SEIPD v1 tells a wrong one before openpgp parses garbage. SEIPD v2 (AEAD) authenticates
  // its first chunk, so openpgp rejects a wrong key itself.
  const hasEncryptedSessionKey = message.packets.some(
    (p) => (p.constructor as { tag?: number }).tag === openpgp.enums.packet.symEncryptedSessionKey && ((p as { encrypted?: Uint8Array | null }).encrypted?.length ?? 0) > 0,
  );
  const sessionKeys = [];
  for (const candidate of candidates) {
    if (seipd?.version === 2 || candidate.algorithm === null) {
      sessionKeys.push(candidate);
      continue;
    }
    if (!isAes(candidate.algorithm)) {
      // With an encrypted session key, the algorithm byte is itself decrypted: a wrong passphrase gives a
      // random one, which names a non-AES cipher now and then. Only a cleartext algorithm is a real verdict.
      if (hasEncryptedSessionKey) continue;
      throw new AppcError('ENCRYPTION_UNSUPPORTED', `${label} is encrypted with ${candidate.algorithm}; the spec allows AES only`);
    }
    const verdict = seipd === undefined ? undefined : await quickCheck(candidate.data, candidate.algorithm, seipd.ciphertext);
    if (verdict === undefined) {
      throw new AppcError('ENCRYPTION_CORRUPT', `${label}: the encrypted data could not be located in the first ${HEAD_BYTES} bytes`);
    }
    if (verdict) sessionKeys.push(candidate);
  }
  if (sessionKeys.length === 0) throw wrongPassphrase(label, new Error('session key quick check failed'));
  let result;
  try {
    result = await openpgp.decrypt({
      message,
      sessionKeys: sessionKeys.map((k) => ({ data: k.data, algorithm: k.algorithm! })),
      format: 'binary',
      config: { allowUnauthenticatedStream: true },
    });
  } catch (e) {
    throw wrongPassphrase(label, e);
  }
  const stream = result.data as unknown as ReadableStream<Uint8Array>;
  const reader = stream.getReader();
  // Garbage from a wrong passphrase fails packet parsing on the first read: report that as a wrong
  // passphrase, and later failures (integrity check, truncation) as corrupt data.
  let firstRead: ReadableStreamReadResult<Uint8Array>;
  try {
    firstRead = await reader.read();
  } catch (e) {
    throw wrongPassphrase(label, e);
  }
  reader.releaseLock();
  async function* plain(): AsyncGenerator<Uint8Array> {
    if (firstRead.done) return;
    yield firstRead.value;
    try {
      for await (const chunk of iterateStream(stream)) yield chunk;
    } catch (e) {
      throw new AppcError('ENCRYPTION_CORRUPT', `${label} failed decryption (integrity check or truncated data): ${openpgpReason(e)}`, { cause: e });
    }
  }
  return plain();
}

/** What {@link maybeDecrypt} found and the bytes to read next. */
export interface MaybeDecrypted {
  /** How the input was encrypted (`none` when it was not). */
  readonly encryption: EncryptionKind;
  /** The plaintext archive bytes: decrypted, or the input unchanged. */
  readonly source: AsyncIterable<Uint8Array>;
}

/**
 * Looks at the first bytes of an archive and decrypts it when it is OpenPGP-encrypted; otherwise
 * hands back the same bytes untouched. For the archive reader: run it before decompression and
 * image-ID hashing (the image ID is the hash of the decrypted, decompressed tar).
 * @throws AppcError `ENCRYPTION_PASSPHRASE_REQUIRED` when the input is encrypted and no passphrase
 * was given, and as {@link decryptAci}.
 */
export async function maybeDecrypt(source: ByteInput, options: DecryptOptions = {}): Promise<MaybeDecrypted> {
  const { head, rest } = await peek(source, ENCRYPTION_SNIFF_BYTES);
  const encryption = detectEncryption(head);
  if (encryption === 'none') return { encryption, source: rest };
  return { encryption, source: await decryptAci(rest, options) };
}
