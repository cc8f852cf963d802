/**
 * Streaming one layer: read the blob, hash it (its digest), decompress by magic (gzip, bzip2, xz, or plain
 * tar), hash the tar (its diff_id), and walk the tar entries (OCI image-spec layer.md). Bounded memory: one
 * input chunk at a time; the visitor's async work runs before the next chunk is read.
 */
import type { TarHeader } from '../aci/tar/header.js';
import { TarReader } from '../aci/tar/reader.js';
import { ArchiveError, type CoreCode } from '../aci/archive-codes.js';
import { openArchive } from '../aci/open-archive.js';
import { convertError } from './codes.js';
import type { ImageSource, InputFile } from './blob-store.js';
import type { Digest } from './digest.js';
import type { AppcError } from '../issues/appc-error.js';
import { Digester } from './digest.js';

/** A layer to read. */
export interface LayerRef {
  /** Position in the image, 0 = bottom. */
  readonly index: number;
  readonly file: InputFile;
  /** The media type from the manifest; absent for legacy docker save archives. */
  readonly mediaType?: string;
  /** Digest of the stored (maybe compressed) bytes, when the input names one. */
  readonly digest?: Digest;
  /** The config's diff_id: digest of the uncompressed tar. */
  readonly diffId?: Digest;
}

/** What to do with a layer's entries. Methods may return promises; they run in entry order. */
export interface LayerVisitor {
  /** Called synchronously for each entry: return true to receive its body through `data`. */
  wantBody?(header: TarHeader, ordinal: number): boolean;
  entry?(header: TarHeader, ordinal: number): void | Promise<void>;
  data?(chunk: Uint8Array, header: TarHeader, ordinal: number): void | Promise<void>;
  entryEnd?(header: TarHeader, ordinal: number): void | Promise<void>;
}

/** Options of readLayer. */
export interface ReadLayerOptions {
  readonly maxEntries?: number;
  readonly signal?: AbortSignal;
}

/** `layer 2 (sha256:abcd…)` for messages. */
export function describeLayer(layer: LayerRef): string {
  const id = layer.digest?.text ?? layer.diffId?.text ?? layer.file.name;
  return `layer ${layer.index} (${id})`;
}

/** Core problems that do not matter in a layer: a missing end marker (Go's reader takes EOF), size fields on header-only entries, unusual types. */
const HARMLESS: ReadonlySet<CoreCode> = new Set<CoreCode>(['TAR_NO_END', 'TAR_HEADER_ONLY_SIZE', 'TAR_UNUSUAL_TYPE']);

/** The converter's error for a core failure of a layer (the one mapping from core codes to CONVERT_*). */
function layerError(e: ArchiveError, where: string, layer: LayerRef): AppcError {
  const at = { entry: layer.file.name, ...(e.where.offset !== undefined ? { offset: e.where.offset } : {}) };
  switch (e.code) {
    case 'ARCHIVE_UNSUPPORTED_COMPRESSION':
      if (e.where.fileType === 'zstd') return zstdError(where, layer);
      return convertError('CONVERT_BAD_LAYER', `${where}: ${e.message}`, at);
    case 'TAR_LIMIT_EXCEEDED':
      return convertError('CONVERT_LIMIT_EXCEEDED', `${where}: ${e.message}`, { entry: layer.file.name });
    case 'TAR_SPARSE_ENTRY':
      return convertError('CONVERT_BAD_LAYER', `${where}: ${e.message}; sparse files are not expanded by the converter (rebuild the layer without --sparse)`, at);
    default:
      return convertError('CONVERT_BAD_LAYER', `${where}: the layer is not a readable tar: ${e.message}${e.where.entry !== undefined ? ` (entry ${JSON.stringify(e.where.entry)})` : ''}`, at);
  }
}

function zstdError(where: string, layer: LayerRef): AppcError {
  return convertError(
    'CONVERT_ZSTD_UNSUPPORTED',
    `${where}: zstd layers not supported (Node 20 has no zstd decoder); recompress the image with gzip, for example with skopeo copy --dest-compress-format gzip`,
    { entry: layer.file.name },
  );
}

/**
 * Reads a layer to its end, calling the visitor, and verifies its digest and diff_id. The bytes go through
 * the archive core (openArchive, TarReader), so a layer is read by the same rules as an image archive.
 * @returns the diff_id computed (`sha256:...`).
 * @throws AppcError CONVERT_ZSTD_UNSUPPORTED, CONVERT_BAD_LAYER, CONVERT_LIMIT_EXCEEDED, CONVERT_DIGEST_MISMATCH,
 * CONVERT_DIFF_ID_MISMATCH, CONVERT_INPUT_CHANGED.
 */
export async function readLayer(source: ImageSource, layer: LayerRef, visitor: LayerVisitor, options: ReadLayerOptions = {}): Promise<string> {
  const where = describeLayer(layer);
  if (/zstd/.test(layer.mediaType ?? '')) throw zstdError(where, layer);
  const rawHash = layer.digest ? new Digester(layer.digest.algorithm) : undefined;
  const diffHash = new Digester(layer.diffId?.algorithm ?? 'sha256');
  let rawBytes = 0;
  async function* raw(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.read(layer.file)) {
      options.signal?.throwIfAborted();
      rawHash?.update(chunk);
      rawBytes += chunk.length;
      yield chunk;
    }
  }
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    const archive = await openArchive(raw(), { assumeTar: true, ...signal });
    try {
      let failure: ArchiveError | undefined;
      const reader: TarReader = new TarReader(
        archive.chunks(() => reader.sawEnd, diffHash),
        {
          ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries + 1 }),
          onIssue(code, message, ctx) {
            if (!HARMLESS.has(code)) failure ??= new ArchiveError(code, message, { ...(ctx.entry !== undefined ? { entry: ctx.entry } : {}), offset: ctx.offset });
          },
        },
      );
      let ordinal = -1;
      for await (const { header, body } of reader.entries()) {
        if (failure) throw failure;
        ordinal++;
        const wanted = visitor.wantBody?.(header, ordinal) ?? false;
        await visitor.entry?.(header, ordinal);
        if (wanted) for await (const chunk of body) await visitor.data?.(chunk, header, ordinal);
        if (failure) throw failure;
        await visitor.entryEnd?.(header, ordinal);
      }
      if (failure) throw failure;
    } finally {
      archive.close();
    }
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    // A damaged blob usually fails its digest too: hash it whole and say that, which is the real cause.
    if (layer.digest) {
      const again = new Digester(layer.digest.algorithm);
      for await (const chunk of source.read(layer.file)) again.update(chunk);
      const got = again.digest();
      if (got !== layer.digest.text) throw convertError('CONVERT_DIGEST_MISMATCH', `${where}: the blob hashes to ${got}, but the manifest says ${layer.digest.text}`, { entry: layer.file.name });
    }
    throw layerError(e, where, layer);
  }
  if (rawBytes !== layer.file.size) {
    throw convertError('CONVERT_INPUT_CHANGED', `${where}: read ${rawBytes} bytes where ${layer.file.size} were expected`, { entry: layer.file.name });
  }
  if (rawHash && layer.digest) {
    const got = rawHash.digest();
    if (got !== layer.digest.text) throw convertError('CONVERT_DIGEST_MISMATCH', `${where}: the blob hashes to ${got}, but the manifest says ${layer.digest.text}`, { entry: layer.file.name });
  }
  const diffId = diffHash.digest();
  if (layer.diffId && diffId !== layer.diffId.text) {
    throw convertError('CONVERT_DIFF_ID_MISMATCH', `${where}: the uncompressed layer hashes to ${diffId}, but the config's diff_id is ${layer.diffId.text}`, { entry: layer.file.name });
  }
  return diffId;
}
