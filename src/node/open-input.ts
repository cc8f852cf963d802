/** Opening one input of validate: what it is (a directory or a file) and its first bytes, with one read. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SNIFF_LENGTH } from '../aci/detect.js';
import { describeIoError } from './io-error.js';

/** Images up to this size are read whole with one system call and validated from memory. */
export const SMALL_IMAGE_BYTES = 1 << 20;

/**
 * An opened input: what it is, and its first bytes (or all of them, when small). `borrowed`: the bytes are a
 * view of an {@link InputReader}'s buffer, valid only until its next `open` (copy them to keep them).
 */
export type Opened = { readonly dir: true } | { readonly dir: false; readonly size: number; readonly bytes: Uint8Array; readonly borrowed?: true };

/** An opened input, or why it could not be opened (describeIoError's words). */
export type OpenedOrError = Opened | { readonly error: string };

/**
 * Opens `file` once: fstat tells a directory from a file, and one read takes up to `max + 1` bytes (at least
 * the sniffing length). One open, fstat, read and close per input, with no thread-pool hop: per-file
 * overhead is what a batch of small inputs spends its time on.
 */
export function openInput(file: string, max: number): Opened {
  return openInputInto(file, max, undefined);
}

/** {@link openInput}, reading into `into` when the bytes wanted fit (the result is then `borrowed`). */
function openInputInto(file: string, max: number, into: Uint8Array | undefined): Opened {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { dir: true };
    const want = Math.min(st.size, Math.max(max, SNIFF_LENGTH) + 1);
    if (into !== undefined && want <= into.length) return { dir: false, size: st.size, bytes: readHead(fd, want, into), borrowed: true };
    return { dir: false, size: st.size, bytes: readHead(fd, want) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the first `want` bytes of `fd` (fewer when the file turns out shorter), one read when it can, into a
 * new buffer or at the start of `into` (which must hold `want` bytes).
 */
export function readHead(fd: number, want: number, into?: Uint8Array): Uint8Array {
  const buf = into ?? new Uint8Array(want);
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

/** Bytes of an {@link InputReader}'s buffer: manifests and most small inputs fit (under glibc's mmap threshold). */
const READER_BYTES = 64 << 10;

/**
 * {@link openValidateInput} for inputs validated one after another: inputs that fit are read into one buffer,
 * reused for each (a fresh buffer per input was garbage with its own malloc'd memory, for every manifest of
 * a batch). The bytes of an input are `borrowed`: valid until the next `open`.
 */
export class InputReader {
  #buffer: Uint8Array | undefined;

  /** Opens `file` as {@link openValidateInput} does; never throws. */
  open(file: string): OpenedOrError {
    try {
      return openInputInto(file, SMALL_IMAGE_BYTES, (this.#buffer ??= new Uint8Array(READER_BYTES)));
    } catch (e) {
      return { error: describeIoError(e) };
    }
  }
}
