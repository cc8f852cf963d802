/**
 * Standard output and error without Node's stream objects. Touching `process.stdout` or `process.stderr`
 * builds a stream (a net.Socket for a pipe, a SyncWriteStream for a file), which loads ~30 internal
 * modules: a third of what a cold `actool validate one.json` spent beyond a bare `node -e 0`. Writing with
 * `writeSync` to the descriptor needs none of them and is what the Go actool does.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';

/** Whether the reader of an output has gone (EPIPE); shared by the descriptor writer and the stream's error handler. */
export interface OutputState {
  closed: boolean;
}

/**
 * A writer to file descriptor `fd` (1 or 2) that writes synchronously, and hands over to the process
 * stream (`stream()`) for good when the descriptor refuses: EAGAIN (a non-blocking pipe that is full) or
 * any error other than EPIPE; the stream then queues the rest and reports its errors as it always did.
 * EPIPE (the reader has gone: `actool ... | head -1`) sets `state.closed`, which ends the output quietly.
 * On Windows it always writes through the stream.
 */
export function fdWriter(fd: number, stream: () => NodeJS.WritableStream, state: OutputState): (text: string | Uint8Array) => void {
  let fallback: NodeJS.WritableStream | undefined;
  // A Windows console wants UTF-16 (the TTY stream converts); raw bytes would garble non-ASCII text there.
  const direct = process.platform !== 'win32';
  return (text) => {
    if (state.closed || text.length === 0) return;
    if (!direct) fallback ??= stream();
    if (fallback !== undefined) {
      // Bytes are the caller's to reuse once this returns: the stream, which queues them, gets its own text.
      fallback.write(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8'));
      return;
    }
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
        state.closed = true;
        return;
      }
      fallback = stream();
      // A copy: the caller may reuse bytes it passed in once this returns.
      if (!state.closed) fallback.write(Buffer.from(bytes.subarray(offset)));
    }
  };
}

/**
 * Runs `setup` on `process[name]` when something first builds it (Node builds the standard streams
 * lazily, in a configurable getter), so a handler can be attached without building the stream up front.
 * Where the property is not such a getter, the stream is built and set up at once.
 */
export function whenStreamBuilt(name: 'stdout' | 'stderr', setup: (stream: NodeJS.WritableStream) => void): void {
  const d = Object.getOwnPropertyDescriptor(process, name);
  const get = d?.get;
  if (get === undefined || d?.configurable !== true) {
    setup(process[name]);
    return;
  }
  let built = false;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: d.enumerable ?? true,
    get() {
      const stream = get.call(process) as NodeJS.WritableStream;
      if (!built) {
        built = true;
        setup(stream);
      }
      return stream;
    },
  });
}

/**
 * True when `fd` is a terminal, as `process.stderr.isTTY` would say, without building the stream where the
 * answer is plain: only a character device can be a terminal (libuv decides the same way), and the null
 * device (`2>/dev/null`) is none. For any other character device `isTTY()` (which builds the stream) answers.
 */
export function isTerminal(fd: number, isTTY: () => boolean): boolean {
  try {
    const stats = fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    if (stats.rdev === statSync('/dev/null').rdev) return false;
  } catch {
    // No such descriptor, or no /dev/null (Windows): ask the stream.
  }
  return isTTY();
}
