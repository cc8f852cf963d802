/** Reading a file as chunks, opened only when the first chunk is asked for and always closed (no descriptor leaks). */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AppcError } from '../issues/appc-error.js';
import { describeIoError } from './io-error.js';

/** Options of {@link readFileChunks}. */
export interface ReadFileChunksOptions {
  /** Bytes per read (default 1 MiB). */
  readonly chunkSize?: number;
  /** Stops reading between chunks (the error is the signal's reason, or an AbortError). */
  readonly signal?: AbortSignal;
}

/** An I/O failure on `path` as AppcError `FILE_UNREADABLE`, naming the file. */
export function unreadable(path: string, e: unknown): AppcError {
  return new AppcError('FILE_UNREADABLE', `cannot read it: ${describeIoError(e)}`, { file: path, cause: e });
}

/**
 * The bytes of a file, chunk by chunk. Nothing is opened until the first chunk is pulled, so an iterable
 * that is never read costs no descriptor; the file is closed when the reading ends, fails or is stopped
 * early. Read errors (missing file, no permission, a directory) are AppcError `FILE_UNREADABLE`.
 */
export async function* readFileChunks(path: string, options: ReadFileChunksOptions = {}): AsyncGenerator<Uint8Array> {
  const size = options.chunkSize ?? 1 << 20;
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const buf = new Uint8Array(size);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, size, null));
      } catch (e) {
        throw unreadable(path, e);
      }
      if (bytesRead === 0) return;
      yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}
