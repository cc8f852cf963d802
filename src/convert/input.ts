/**
 * Reading Docker and OCI images from disk: an OCI image layout (directory or tar), or a `docker save` archive in
 * its legacy form (manifest.json + per-layer tars) or the OCI form Docker 25+ writes. Every blob is checked against
 * its digest while it is read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import { extractAci } from '../aci/extract.js';

/** A content descriptor (OCI image spec). */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI platform. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Largest JSON document read (index, manifest, config). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

const DIGEST = /^(sha256|sha512):([0-9a-f]+)$/;
const DIGEST_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** Splits and checks a digest `alg:hex`. */
export function parseDigest(digest: unknown): { alg: 'sha256' | 'sha512'; hex: string } {
  const m = typeof digest === 'string' ? DIGEST.exec(digest) : null;
  if (m === null || m[2]!.length !== DIGEST_LENGTH[m[1]!]) {
    throw new AppcError('CONVERT_UNSUPPORTED_DIGEST', `unsupported or malformed digest ${JSON.stringify(digest)} (expected sha256:<64 hex> or sha512:<128 hex>)`);
  }
  return { alg: m[1] as 'sha256' | 'sha512', hex: m[2]! };
}

/** An opened input: a directory (the tar form is unpacked into a temporary one) and a way to read blobs. */
export class ImageInput {
  readonly dir: string;
  readonly #temp: string | undefined;

  private constructor(dir: string, temp: string | undefined) {
    this.dir = dir;
    this.#temp = temp;
  }

  /** Opens a directory as it is, or unpacks a tar (with the safe extractor) into a temporary directory. */
  static async open(path: string): Promise<ImageInput> {
    const st = await stat(path);
    if (st.isDirectory()) return new ImageInput(path, undefined);
    const temp = await mkdtemp(join(tmpdir(), 'appc-convert-'));
    try {
      await extractAci(path, temp);
    } catch (e) {
      await rm(temp, { recursive: true, force: true });
      if ((e as { code?: unknown }).code === 'ACI_UNKNOWN_FORMAT') throw new AppcError('CONVERT_UNKNOWN_INPUT', `${path} is neither a directory nor a tar archive`, { file: path, cause: e });
      throw e;
    }
    return new ImageInput(temp, temp);
  }

  /** Removes the temporary directory, if any. */
  async close(): Promise<void> {
    if (this.#temp !== undefined) await rm(this.#temp, { recursive: true, force: true });
  }

  /** The path of a blob in the layout, `blobs/<alg>/<hex>`. */
  blobPath(digest: string): string {
    const { alg, hex } = parseDigest(digest);
    return join(this.dir, 'blobs', alg, hex);
  }

  /** Reads a whole file (at most MAX_JSON_BYTES) and parses it as JSON. */
  async readJsonFile(rel: string, what: string): Promise<unknown> {
    const path = join(this.dir, rel);
    let bytes: Buffer;
    try {
      if ((await stat(path)).size > MAX_JSON_BYTES) throw new AppcError('CONVERT_BAD_JSON', `${what} (${rel}) is larger than ${MAX_JSON_BYTES} bytes`);
      bytes = await readFile(path);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') throw new AppcError('CONVERT_MISSING_BLOB', `${what} (${rel}) is missing from the input`);
      throw e;
    }
    return parseJsonBytes(bytes, `${what} (${rel})`);
  }

  /** Reads a JSON blob by descriptor, checking its digest (and size when given). */
  async readJsonBlob(d: Descriptor, what: string): Promise<unknown> {
    const path = this.blobPath(d.digest);
    let bytes: Buffer;
    try {
      if ((await stat(path)).size > MAX_JSON_BYTES) throw new AppcError('CONVERT_BAD_JSON', `${what} ${d.digest} is larger than ${MAX_JSON_BYTES} bytes`);
      bytes = await readFile(path);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') throw new AppcError('CONVERT_MISSING_BLOB', `${what} ${d.digest} is missing from the input (${path})`);
      throw e;
    }
    checkDigest(bytes, d.digest, what);
    return parseJsonBytes(bytes, `${what} ${d.digest}`);
  }

  /** Streams a blob, hashing it; the iterator throws CONVERT_DIGEST_MISMATCH at the end if the bytes are wrong. */
  async *blobStream(path: string, digest: string, what: string): AsyncGenerator<Uint8Array> {
    const { alg, hex } = parseDigest(digest);
    const hash = createHash(alg);
    let stream;
    try {
      await stat(path);
      stream = createReadStream(path, { highWaterMark: 1 << 20 });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') throw new AppcError('CONVERT_MISSING_BLOB', `${what} ${digest} is missing from the input`);
      throw e;
    }
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      yield chunk;
    }
    const actual = hash.digest('hex');
    if (actual !== hex) throw new AppcError('CONVERT_DIGEST_MISMATCH', `${what} ${digest} hashes to ${alg}:${actual}`);
  }
}

/** Checks bytes against a digest. */
export function checkDigest(bytes: Uint8Array, digest: string, what: string): void {
  const { alg, hex } = parseDigest(digest);
  const actual = createHash(alg).update(bytes).digest('hex');
  if (actual !== hex) throw new AppcError('CONVERT_DIGEST_MISMATCH', `${what} ${digest} hashes to ${alg}:${actual}`);
}

function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new AppcError('CONVERT_BAD_JSON', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads a descriptor from decoded JSON, checking its fields. */
export function toDescriptor(v: unknown, what: string): Descriptor {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || typeof o['mediaType'] !== 'string' || typeof o['digest'] !== 'string' || typeof o['size'] !== 'number') {
    throw new AppcError('CONVERT_BAD_JSON', `${what} is not a descriptor (mediaType, digest, size)`);
  }
  parseDigest(o['digest']);
  const p = o['platform'] as Record<string, unknown> | undefined;
  const platform = p && typeof p['os'] === 'string' && typeof p['architecture'] === 'string'
    ? { os: p['os'], architecture: p['architecture'], ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}) }
    : undefined;
  const annotations = typeof o['annotations'] === 'object' && o['annotations'] !== null ? (o['annotations'] as Record<string, string>) : undefined;
  return { mediaType: o['mediaType'], digest: o['digest'], size: o['size'], ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) };
}
