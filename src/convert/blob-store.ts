/**
 * Reading the files of an image input, a directory or a tar archive, by their path inside it; and blobs by
 * digest (OCI image-spec image-layout.md#blobs). Every read is bounded and every path stays inside the input.
 */
import { createReadStream } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isAppcError } from '../issues/appc-error.js';
import { TarWalker } from '../aci/tar/walker.js';
import { cleanPath, climbsOut, parentOf } from '../aci/tar/path.js';
import { convertError } from './codes.js';
import type { Digest } from './digest.js';

/** Read size for input files (1 MiB keeps the decompressor busy). */
const READ_CHUNK = 1 << 20;

/** A file of the input, found by its path inside the layout or archive. */
export interface InputFile {
  /** The path inside the input, cleaned. */
  readonly name: string;
  readonly size: number;
}

/** The files of an image input: an OCI layout or a docker save archive, as a directory or a tar. */
export interface ImageSource {
  readonly kind: 'directory' | 'tar';
  /** The input path, for messages. */
  readonly path: string;
  /** Looks a file up; undefined when it is not there. Throws CONVERT_INPUT_SYMLINK for links that leave the input. */
  stat(name: string): Promise<InputFile | undefined>;
  /** Streams a file's bytes (exactly `file.size` of them). */
  read(file: InputFile): AsyncIterable<Uint8Array>;
}

/** True when `name` is a relative path that stays inside the input once cleaned. */
function safeName(name: string): string | undefined {
  if (name === '' || name.startsWith('/') || name.includes('\0')) return undefined;
  const c = cleanPath(name);
  if (c === '.' || climbsOut(c)) return undefined;
  return c;
}

/** Throws CONVERT_INPUT_SYMLINK unless `name` is a safe relative path. */
function checkedName(name: string, source: string): string {
  const c = safeName(name);
  if (c === undefined) throw convertError('CONVERT_INPUT_SYMLINK', `${JSON.stringify(name)} is not a path inside the input (absolute, empty, or climbs out with ..)`, { file: source });
  return c;
}

/** An image input unpacked in a directory. */
export class DirectorySource implements ImageSource {
  readonly kind = 'directory';
  private rootReal: string | undefined;
  // The checked real path of each file found, so reading opens what stat approved.
  private readonly real = new Map<string, string>();
  constructor(readonly path: string) {}

  async stat(name: string): Promise<InputFile | undefined> {
    const clean = checkedName(name, this.path);
    const full = join(this.path, ...clean.split('/'));
    try {
      await lstat(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
    // Symlinks are followed only while they stay inside the input (docker save links duplicate layers).
    this.rootReal ??= await realpath(this.path);
    let real: string;
    try {
      real = await realpath(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ELOOP') {
        throw convertError('CONVERT_INPUT_SYMLINK', `${clean} is a symlink that dangles or loops`, { file: this.path, entry: clean });
      }
      throw e;
    }
    if (real !== this.rootReal && !real.startsWith(this.rootReal + sep)) {
      throw convertError('CONVERT_INPUT_SYMLINK', `${clean} resolves to ${real}, outside the input directory`, { file: this.path, entry: clean });
    }
    const st = await stat(real);
    if (!st.isFile()) throw convertError('CONVERT_INPUT_SYMLINK', `${clean} is not a regular file`, { file: this.path, entry: clean });
    this.real.set(clean, real);
    return { name: clean, size: st.size };
  }

  async *read(file: InputFile): AsyncIterable<Uint8Array> {
    if (file.size === 0) return;
    // Read no more than the size seen by stat: a file that grows meanwhile cannot feed endless data. A
    // path-based stream owns its descriptor and closes it once, also when the reader stops early.
    yield* createReadStream(this.real.get(file.name) ?? join(this.path, ...file.name.split('/')), { start: 0, end: file.size - 1, highWaterMark: READ_CHUNK });
  }
}

interface TarMember {
  readonly type: string;
  readonly dataOffset: number;
  readonly size: number;
  readonly linkname: string;
}

/** An image input packed in an uncompressed tar (docker save, or a tarred OCI layout). */
export class TarSource implements ImageSource {
  readonly kind = 'tar';
  private constructor(
    readonly path: string,
    private readonly members: ReadonlyMap<string, TarMember>,
  ) {}

  /** Indexes the archive's members (one pass over the file; bodies are skipped, not kept). */
  static async open(path: string, options: { readonly maxEntries?: number } = {}): Promise<TarSource> {
    const members = new Map<string, TarMember>();
    let failure: { code: string; message: string; offset: number } | undefined;
    const walker = new TarWalker(
      {
        onEntry(h) {
          const name = safeName(h.name);
          // Names that leave the archive are never looked up; keep them out of the index.
          if (name !== undefined) members.set(name, { type: h.type, dataOffset: h.dataOffset, size: h.size, linkname: h.linkname });
          return false;
        },
        onIssue(code, message, ctx) {
          if (code === 'TAR_UNUSUAL_TYPE' || code === 'TAR_NAME_NOT_UTF8' || code === 'TAR_HEADER_ONLY_SIZE') return;
          failure ??= { code, message, offset: ctx.offset };
        },
      },
      options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries },
    );
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
      walker.write(chunk as Uint8Array);
      if (failure) break;
    }
    if (!failure) walker.end();
    if (failure) throw convertError('CONVERT_BAD_ARCHIVE', `the input archive is damaged: ${failure.message} [${failure.code}]`, { file: path, offset: failure.offset });
    return new TarSource(path, members);
  }

  async stat(name: string): Promise<InputFile | undefined> {
    let clean = checkedName(name, this.path);
    // Follow symlinks and hard links inside the archive (docker save links a repeated layer to the first copy).
    for (let hops = 0; ; hops++) {
      const m = this.members.get(clean);
      if (m === undefined) return undefined;
      if (m.type === 'file' || m.type === 'contiguous-file') return { name: clean, size: m.size };
      if (m.type !== 'symlink' && m.type !== 'link') throw convertError('CONVERT_INPUT_SYMLINK', `${clean} is a ${m.type} entry, not a regular file`, { file: this.path, entry: clean });
      if (hops >= 16) throw convertError('CONVERT_INPUT_SYMLINK', `${name} is a chain of more than 16 links (a loop?)`, { file: this.path, entry: clean });
      const target = m.type === 'link' ? m.linkname : m.linkname.startsWith('/') ? m.linkname : `${parentOf(clean) === '.' ? '' : parentOf(clean) + '/'}${m.linkname}`;
      const next = safeName(target);
      if (next === undefined) throw convertError('CONVERT_INPUT_SYMLINK', `${clean} links to ${JSON.stringify(m.linkname)}, outside the archive`, { file: this.path, entry: clean });
      clean = next;
    }
  }

  async *read(file: InputFile): AsyncIterable<Uint8Array> {
    const m = this.members.get(file.name);
    if (m === undefined || file.size === 0) return;
    yield* createReadStream(this.path, { start: m.dataOffset, end: m.dataOffset + file.size - 1, highWaterMark: READ_CHUNK });
  }
}

/** The blob path of a digest in an OCI layout: `blobs/<algorithm>/<hex>`. */
export function blobPath(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex}`;
}

/**
 * Reads a whole (small) file: JSON documents. Throws CONVERT_LIMIT_EXCEEDED when it is larger than `max`.
 * @returns undefined when the file is not there.
 */
export async function readSmallFile(source: ImageSource, name: string, max: number): Promise<Uint8Array | undefined> {
  const file = await source.stat(name);
  if (file === undefined) return undefined;
  if (file.size > max) {
    throw convertError('CONVERT_LIMIT_EXCEEDED', `${name} is ${file.size} bytes, more than maxJsonBytes (${max})`, { file: source.path, entry: name });
  }
  const out = new Uint8Array(file.size);
  let o = 0;
  for await (const chunk of source.read(file)) {
    out.set(chunk.subarray(0, Math.max(0, Math.min(chunk.length, out.length - o))), o);
    o += chunk.length;
  }
  if (o !== file.size) throw convertError('CONVERT_BAD_ARCHIVE', `${name}: read ${o} bytes where ${file.size} were expected (the input changed?)`, { file: source.path, entry: name });
  return out;
}

/**
 * Opens an image input: a directory, or a file that must be an uncompressed tar.
 * @throws AppcError CONVERT_INPUT_COMPRESSED, CONVERT_INPUT_UNKNOWN, CONVERT_BAD_ARCHIVE; Node errors for missing files.
 */
export async function openImageSource(path: string, options: { readonly maxEntries?: number } = {}): Promise<ImageSource> {
  const st = await stat(path);
  if (st.isDirectory()) return new DirectorySource(path);
  if (!st.isFile()) throw convertError('CONVERT_INPUT_UNKNOWN', 'the input is neither a directory nor a regular file', { file: path });
  const head = new Uint8Array(512);
  const fh = await open(path, 'r');
  let n: number;
  try {
    n = (await fh.read(head, 0, 512, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const b = head.subarray(0, n);
  const magic: [string, number[]][] = [
    ['gzip', [0x1f, 0x8b]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
    ['bzip2', [0x42, 0x5a, 0x68]],
  ];
  for (const [what, sig] of magic) {
    if (sig.every((v, i) => b[i] === v)) {
      throw convertError(
        'CONVERT_INPUT_COMPRESSED',
        `the input is a ${what}-compressed file; decompress it first (for example: ${what === 'gzip' ? 'gunzip' : what === 'zstd' ? 'unzstd' : what === 'xz' ? 'unxz' : 'bunzip2'} -k FILE)`,
        { file: path },
      );
    }
  }
  if (n < 512) throw convertError('CONVERT_INPUT_UNKNOWN', `the input is a ${n}-byte file, too short to be a tar archive`, { file: path });
  try {
    return await TarSource.open(path, options);
  } catch (e) {
    if (isAppcError(e) && e.code === 'CONVERT_BAD_ARCHIVE' && e.offset === 0) {
      throw convertError('CONVERT_INPUT_UNKNOWN', 'the input is neither a directory nor a tar archive (an OCI layout or a docker save archive)', { file: path, cause: e });
    }
    throw e;
  }
}

/** Reads an image source's file as text JSON; throws CONVERT_BAD_JSON with the file name when it does not parse. */
export function parseJsonBytes(bytes: Uint8Array, where: string, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw convertError('CONVERT_BAD_JSON', `${where} is not valid UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  }
}
