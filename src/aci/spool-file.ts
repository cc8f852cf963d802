/**
 * Unnamed temporary files, for bytes a child process reads instead of our memory holding them: created under
 * a name no one can guess (O_CREAT|O_EXCL, mode 0600), opened a second time read-only, and unlinked at once,
 * so nothing is left in the directory whatever happens next (a failure, a signal, a crash); the space is
 * freed when the last descriptor (ours or a child's) closes. All of it is synchronous: a signal handler
 * (JavaScript's run between event-loop turns) never sees the name exist.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** An unlinked temporary file: one descriptor to write it, another (its own offset, at 0) to read it from the start. */
export interface SpoolFile {
  readonly writeFd: number;
  readonly readFd: number;
}

/**
 * Creates an unlinked temporary file in `directory` (named `.<prefix>-<pid>-<random>` for the instant it has
 * a name). Throws the file system's error (EACCES, ENOENT, ENOSPC ...), leaving nothing behind.
 */
export function openSpoolFile(directory: string, prefix: string): SpoolFile {
  const path = join(directory, `.${prefix}-${process.pid}-${randomBytes(8).toString('hex')}`);
  const writeFd = openSync(path, 'wx', 0o600);
  let readFd: number;
  try {
    readFd = openSync(path, 'r');
  } catch (e) {
    closeSync(writeFd);
    unlinkSync(path);
    throw e;
  }
  try {
    unlinkSync(path);
  } catch (e) {
    // Not unlinked, the file is not ours to use (its name could outlive us).
    closeSync(writeFd);
    closeSync(readFd);
    throw e;
  }
  return { writeFd, readFd };
}

/** Appends `data[start, end)` to the file (synchronous; regular files take it whole, the loop is for safety). */
export function writeToSpool(spool: SpoolFile, data: Uint8Array, start: number, end: number): void {
  for (let o = start; o < end; ) o += writeSync(spool.writeFd, data, o, end - o);
}

/** Closes both descriptors (errors ignored: nothing is lost, the file has no name). */
export function closeSpoolFile(spool: SpoolFile): void {
  closeQuietly(spool.writeFd);
  closeQuietly(spool.readFd);
}

/** Closes one descriptor of a spool file, ignoring errors (EIO on a file no one will read again). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the file has no name, and its space is freed with its last descriptor.
  }
}
