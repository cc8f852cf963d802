/** Content digests of OCI descriptors (`algorithm:hex`; OCI image-spec descriptor.md#digests), checked while reading. */
import { createHash, type Hash } from 'node:crypto';
import { convertError } from './codes.js';

/** A parsed, supported digest. */
export interface Digest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
  /** `algorithm:hex`, as written in descriptors. */
  readonly text: string;
}

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

/**
 * Parses a descriptor digest. Only sha256 and sha512 are read (the algorithms the OCI spec registers);
 * the hex part must be lower case and exactly as long as the algorithm's output, so a digest can never
 * smuggle a path (`sha256:../../x`) into the blob file name.
 * @throws AppcError CONVERT_BAD_DIGEST or CONVERT_UNSUPPORTED_DIGEST.
 */
export function parseDigest(text: unknown, where: string): Digest {
  if (typeof text !== 'string') throw convertError('CONVERT_BAD_DIGEST', `${where}: the digest is missing or not a string`);
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(text);
  if (m === null) throw convertError('CONVERT_BAD_DIGEST', `${where}: ${JSON.stringify(text.slice(0, 200))} is not a digest (expected algorithm:hex, such as sha256:<64 hex digits>)`);
  const algorithm = m[1]!;
  const hex = m[2]!;
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw convertError('CONVERT_UNSUPPORTED_DIGEST', `${where}: digest algorithm ${JSON.stringify(algorithm)} is not supported (sha256 and sha512 are)`);
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw convertError('CONVERT_BAD_DIGEST', `${where}: ${JSON.stringify(text.slice(0, 200))} is not a valid ${algorithm} digest (expected ${HEX_LENGTH[algorithm]} lower-case hex digits)`);
  }
  return { algorithm, hex, text };
}

/** Hashes bytes as they pass, for one digest algorithm. */
export class Digester {
  private readonly hash: Hash;
  /** Bytes hashed so far. */
  bytes = 0;
  constructor(readonly algorithm: 'sha256' | 'sha512') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }
  /** `algorithm:hex` of everything hashed (call once). */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** `sha256:<hex>` of bytes held in memory. */
export function sha256Of(bytes: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** Hashes `bytes` with the digest's algorithm and throws CONVERT_DIGEST_MISMATCH unless they match. */
export function verifyBytes(bytes: Uint8Array, digest: Digest, where: string): void {
  const got = `${digest.algorithm}:${createHash(digest.algorithm).update(bytes).digest('hex')}`;
  if (got !== digest.text) throw convertError('CONVERT_DIGEST_MISMATCH', `${where}: content hashes to ${got}, but the descriptor says ${digest.text}`);
}
