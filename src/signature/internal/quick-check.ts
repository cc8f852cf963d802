/**
 * The OpenPGP "quick check" of a session key (RFC 4880 §5.13 / RFC 9580 §5.13.1): the first cipher
 * block of a SEIPD v1 packet decrypts to random bytes whose last two repeat. openpgp does not check it,
 * and with streamed unauthenticated decryption a wrong key makes it parse garbage, where it can stall;
 * checking first turns a wrong passphrase into a clear error before any plaintext is produced.
 */

/** Where the encrypted data starts, found by walking the packet headers of the message's first bytes. */
export interface SeipdHead {
  /** SEIPD version (1: CFB + MDC, 2: AEAD). */
  readonly version: number;
  /** The first bytes of the encrypted data (after the version byte; for v1 the CFB ciphertext). */
  readonly ciphertext: Uint8Array;
}

/** Decodes the start of an ASCII-armored message (as much base64 as the head holds). */
export function dearmorHead(text: string): Uint8Array | undefined {
  const lines = text.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.trim() === '-----BEGIN PGP MESSAGE-----');
  if (begin < 0) return undefined;
  let i = begin + 1;
  // Armor headers ("Version: ...", "Comment: ...") end at the first blank line.
  while (i < lines.length && lines[i]!.trim() !== '') i++;
  const body: string[] = [];
  for (i++; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('=') || l.startsWith('-----')) break;
    body.push(l);
  }
  // The last line may be cut off by the head: keep whole base64 quads only.
  let b64 = body.join('').replace(/[^A-Za-z0-9+/=]/g, '');
  b64 = b64.slice(0, b64.length - (b64.length % 4));
  try {
    const bin = atob(b64);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Finds the SEIPD packet after the session key packets; undefined when the head does not reach it. */
export function findSeipd(bytes: Uint8Array): SeipdHead | undefined {
  let pos = 0;
  while (pos < bytes.length) {
    const b0 = bytes[pos]!;
    if ((b0 & 0x80) === 0) return undefined;
    let tag: number;
    let header: number;
    let length: number;
    if ((b0 & 0x40) !== 0) {
      tag = b0 & 0x3f;
      const l0 = bytes[pos + 1];
      if (l0 === undefined) return undefined;
      if (l0 < 192) [header, length] = [2, l0];
      else if (l0 < 224) [header, length] = [3, ((l0 - 192) << 8) + (bytes[pos + 2] ?? 0) + 192];
      else if (l0 === 255) [header, length] = [6, (((bytes[pos + 2] ?? 0) << 24) >>> 0) + ((bytes[pos + 3] ?? 0) << 16) + ((bytes[pos + 4] ?? 0) << 8) + (bytes[pos + 5] ?? 0)];
      else [header, length] = [2, 1 << (l0 & 0x1f)]; // partial body length: the first part
    } else {
      tag = (b0 >> 2) & 0x0f;
      const type = b0 & 0x03;
      if (type === 0) [header, length] = [2, bytes[pos + 1] ?? 0];
      else if (type === 1) [header, length] = [3, ((bytes[pos + 1] ?? 0) << 8) + (bytes[pos + 2] ?? 0)];
      else if (type === 2) [header, length] = [5, (((bytes[pos + 1] ?? 0) << 24) >>> 0) + ((bytes[pos + 2] ?? 0) << 16) + ((bytes[pos + 3] ?? 0) << 8) + (bytes[pos + 4] ?? 0)];
      else [header, length] = [1, bytes.length - pos - 1];
    }
    if (tag === 18) {
      const body = bytes.subarray(pos + header, pos + header + length);
      if (body.length < 1) return undefined;
      return { version: body[0]!, ciphertext: body.subarray(1) };
    }
    pos += header + length;
  }
  return undefined;
}

const AES_KEY_BYTES: Readonly<Record<string, number>> = { aes128: 16, aes192: 24, aes256: 32 };

/** True for the cipher names the spec allows ("PGP symmetric encryption with AES cipher"). */
export function isAes(algorithm: string | null): boolean {
  return algorithm !== null && algorithm in AES_KEY_BYTES;
}

/** Encrypts one 16-byte block with AES (Web Crypto has no ECB: CBC with a zero IV gives the same first block). */
async function aesBlock(key: CryptoKey, block: Uint8Array): Promise<Uint8Array> {
  const out = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, key, block as Uint8Array<ArrayBuffer>);
  return new Uint8Array(out, 0, 16);
}

/**
 * Runs the quick check of a SEIPD v1 packet with an AES session key. Returns undefined when the
 * ciphertext head is too short to decide.
 */
export async function quickCheck(sessionKey: Uint8Array, algorithm: string, ciphertext: Uint8Array): Promise<boolean | undefined> {
  const bs = 16;
  if (ciphertext.length < bs + 2 || sessionKey.length !== AES_KEY_BYTES[algorithm]) return undefined;
  const key = await crypto.subtle.importKey('raw', sessionKey as Uint8Array<ArrayBuffer>, { name: 'AES-CBC' }, false, ['encrypt']);
  // OpenPGP CFB with a zero IV: P1 = C1 xor E(0); the next two bytes are C[bs..bs+2] xor E(C1)[0..2].
  const o1 = await aesBlock(key, new Uint8Array(bs));
  const o2 = await aesBlock(key, ciphertext.slice(0, bs));
  const p14 = ciphertext[bs - 2]! ^ o1[bs - 2]!;
  const p15 = ciphertext[bs - 1]! ^ o1[bs - 1]!;
  const p16 = ciphertext[bs]! ^ o2[0]!;
  const p17 = ciphertext[bs + 1]! ^ o2[1]!;
  return p14 === p16 && p15 === p17;
}
