/** Opening one input of validate: what it is (a directory or a file) and its first bytes, with one read. */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { SNIFF_LENGTH } from '../aci/detect.js';
import { describeIoError } from './io-error.js';

/** Images up to this size are read whole with one system call and validated from memory. */
export const SMALL_IMAGE_BYTES = 1 << 20;

/** An opened input: what it is, and its first bytes (or all of them, when small). */
export type Opened = { readonly dir: true } | { readonly dir: false; readonly size: number; readonly bytes: Uint8Array };

/** An opened input, or why it could not be opened (describeIoError's words). */
export type OpenedOrError = Opened | { readonly error: string };

/**
 * Opens `file` once: fstat tells a directory from a file, and one read takes up to `max + 1` bytes (at least
 * the sniffing length). One open, fstat, read and close per input, with no thread-pool hop: per-file
 * overhead is what a batch of small inputs spends its time on.
 */
export function openInput(file: string, max: number, regularOnly = false): Opened {
  // Only regular files and directories: opened without waiting (a FIFO's open blocks until a writer comes).
  const fd = openSync(file, regularOnly ? constants.O_RDONLY | constants.O_NONBLOCK : 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { dir: true };
    if (regularOnly && !st.isFile()) throw new Error('not a regular file');
    return { dir: false, size: st.size, bytes: readHead(fd, Math.min(st.size, Math.max(max, SNIFF_LENGTH) + 1)) };
  } finally {
    closeSync(fd);
  }
}

/** Reads the first `want` bytes of `fd` (fewer when the file turns out shorter), one read when it can. */
export function readHead(fd: number, want: number): Uint8Array {
  const buf = new Uint8Array(want);
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** {@link openInput} with the first {@link SMALL_IMAGE_BYTES} (+ 1), as validate opens every input; never throws. */
export function openValidateInput(file: string): OpenedOrError {
  try {
    return openInput(file, SMALL_IMAGE_BYTES);
  } catch (e) {
    return { error: describeIoError(e) };
  }
}

/**
 * What the read-ahead thread of a batch may read for the validating thread: {@link openValidateInput}'s
 * result for a regular file or a directory, read the same way; undefined for anything else (a FIFO, a
 * device: reading them twice or at another time could change what they give) and on any error, which the
 * validating thread then meets itself, in its own words.
 */
export function openInputAhead(file: string): Opened | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile() && !st.isDirectory()) return undefined;
    return openInput(file, SMALL_IMAGE_BYTES, true);
  } catch {
    return undefined;
  }
}
