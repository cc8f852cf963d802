/**
 * Streaming one layer: read the blob, hash it (its digest), decompress by magic (gzip, bzip2, xz, or plain
 * tar), hash the tar (its diff_id), and walk the tar entries (OCI image-spec layer.md). Bounded memory: one
 * input chunk at a time; the visitor's async work runs before the next chunk is read.
 */
import { Readable } from 'node:stream';
import type { TarHeader } from '../aci/tar/header.js';
import { TarWalker } from '../aci/tar/walker.js';
import { decompressStream } from '../aci/decompress.js';
import { detectFileType } from '../aci/detect.js';
import { isAppcError } from '../issues/appc-error.js';
import { convertError } from './codes.js';
import type { ImageSource, InputFile } from './blob-store.js';
import type { Digest } from './digest.js';
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

type Event =
  | { readonly t: 'entry'; readonly h: TarHeader; readonly n: number }
  | { readonly t: 'data'; readonly h: TarHeader; readonly n: number; readonly chunk: Uint8Array }
  | { readonly t: 'end'; readonly h: TarHeader; readonly n: number };

/** `layer 2 (sha256:abcd…)` for messages. */
export function describeLayer(layer: LayerRef): string {
  const id = layer.digest?.text ?? layer.diffId?.text ?? layer.file.name;
  return `layer ${layer.index} (${id})`;
}

/**
 * Reads a layer to its end, calling the visitor, and verifies its digest and diff_id.
 * @returns the diff_id computed (`sha256:...`).
 * @throws AppcError CONVERT_ZSTD_UNSUPPORTED, CONVERT_BAD_LAYER, CONVERT_DIGEST_MISMATCH, CONVERT_DIFF_ID_MISMATCH.
 */
export async function readLayer(source: ImageSource, layer: LayerRef, visitor: LayerVisitor, options: ReadLayerOptions = {}): Promise<string> {
  const where = describeLayer(layer);
  const rawHash = layer.digest ? new Digester(layer.digest.algorithm) : undefined;
  const diffHash = new Digester(layer.diffId?.algorithm ?? 'sha256');
  const rawIter = source.read(layer.file)[Symbol.asyncIterator]();
  let rawBytes = 0;
  const nextRaw = async (): Promise<Uint8Array | undefined> => {
    options.signal?.throwIfAborted();
    const r = await rawIter.next();
    if (r.done) return undefined;
    rawHash?.update(r.value);
    rawBytes += r.value.length;
    return r.value;
  };
  // Read the first bytes to pick the decompressor by magic, whatever the media type claims.
  const head: Uint8Array[] = [];
  let headLength = 0;
  let rawDone = false;
  while (headLength < 512) {
    const c = await nextRaw();
    if (c === undefined) {
      rawDone = true;
      break;
    }
    head.push(c);
    headLength += c.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const type = detectFileType(first);
  if (type === 'zstd' || /zstd/.test(layer.mediaType ?? '')) {
    throw convertError('CONVERT_ZSTD_UNSUPPORTED', `${where}: zstd layers not supported (Node 20 has no zstd decoder); recompress the image with gzip, for example with skopeo copy --dest-compress-format gzip`, { entry: layer.file.name });
  }
  const compression = type === 'gzip' || type === 'bzip2' || type === 'xz' ? type : 'none';
  async function* rawStream(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (rawDone) return;
    for (;;) {
      const c = await nextRaw();
      if (c === undefined) return;
      yield c;
    }
  }
  const events: Event[] = [];
  let failure: { message: string; offset: number; readable?: boolean } | undefined;
  let ordinal = -1;
  const walker = new TarWalker(
    {
      onEntry(h) {
        ordinal++;
        events.push({ t: 'entry', h, n: ordinal });
        return visitor.wantBody?.(h, ordinal) ?? false;
      },
      onData(chunk, h) {
        events.push({ t: 'data', h, n: ordinal, chunk });
      },
      onEntryEnd(h) {
        events.push({ t: 'end', h, n: ordinal });
      },
      onIssue(code, message, ctx) {
        // Harmless for a layer: a missing end marker (Go's reader takes EOF), size fields on header-only entries.
        if (code === 'TAR_NO_END' || code === 'TAR_HEADER_ONLY_SIZE' || code === 'ACI_UNUSUAL_TYPE') return;
        if (code === 'ACI_LIMIT_EXCEEDED') {
          failure ??= { message: `${message} [CONVERT_LIMIT_EXCEEDED]`, offset: ctx.offset };
          return;
        }
        if (code === 'ACI_SPARSE_ENTRY') {
          failure ??= { message: `${message}; sparse files are not expanded by the converter (rebuild the layer without --sparse)`, offset: ctx.offset, readable: true };
          return;
        }
        failure ??= { message: `${message}${ctx.entry ? ` (entry ${JSON.stringify(ctx.entry)})` : ''}`, offset: ctx.offset };
      },
    },
    options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries + 1 },
  );
  const raw = Readable.from(rawStream(), { objectMode: false });
  const plain = decompressStream(compression, raw);
  let tarBytes = 0;
  try {
    for await (const chunk of plain as AsyncIterable<Uint8Array>) {
      diffHash.update(chunk);
      tarBytes += chunk.length;
      if (!failure) walker.write(chunk);
      for (const e of events) {
        if (e.t === 'entry') await visitor.entry?.(e.h, e.n);
        else if (e.t === 'data') await visitor.data?.(e.chunk, e.h, e.n);
        else await visitor.entryEnd?.(e.h, e.n);
      }
      events.length = 0;
      if (failure) break;
    }
  } catch (e) {
    if (isAppcError(e)) {
      raw.destroy();
      throw e;
    }
    failure ??= { message: `${compression} data is corrupt or truncated: ${e instanceof Error ? e.message : String(e)}`, offset: tarBytes };
  }
  if (!failure && tarBytes > 0) {
    walker.end();
  }
  if (failure) {
    raw.destroy();
    // A damaged blob usually fails its digest too: finish hashing it and say that, which is the real cause.
    if (rawHash && layer.digest) {
      try {
        for (;;) if ((await nextRaw()) === undefined) break;
        const got = rawHash.digest();
        if (got !== layer.digest.text) throw convertError('CONVERT_DIGEST_MISMATCH', `${where}: the blob hashes to ${got}, but the manifest says ${layer.digest.text}`, { entry: layer.file.name });
      } catch (e) {
        if (isAppcError(e)) throw e;
      }
    }
    if (/CONVERT_LIMIT_EXCEEDED/.test(failure.message)) throw convertError('CONVERT_LIMIT_EXCEEDED', `${where}: ${failure.message.replace(' [CONVERT_LIMIT_EXCEEDED]', '')}`, { entry: layer.file.name });
    throw convertError('CONVERT_BAD_LAYER', `${where}: ${failure.readable ? '' : 'the layer is not a readable tar: '}${failure.message}`, { entry: layer.file.name, offset: failure.offset });
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
