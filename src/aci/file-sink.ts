/**
 * The sink of an uncompressed archive: tar buffers written straight into the temporary file with synchronous
 * positional writes on the main thread, as Go's actool and GNU tar write. A write on the thread pool cost a
 * wake-up of a pool thread and a completion callback per MiB, and on this 2-core machine the woken thread
 * preempted the main thread (the CPU of a 256 MB build fell by a third without them, see docs/design.md).
 * When the main thread also hashes every byte (an image ID), the writes go to the thread pool instead, where
 * they overlap the hashing: that is real work for the second core, not just a hop.
 */
import { fdatasync, write, writeSync } from 'node:fs';
import type { TarSink } from './archive-output.js';

/**
 * Bytes written between two early syncs, when the output is synced (`sync`, see {@link FileSinkOptions}). The
 * final datasync before the rename is what makes a system crash unable to leave a renamed but empty image;
 * syncing along the way starts the disk writing while the layout is still being read, so that the final one
 * finds little left (it was ~0.3 s of a 256 MB build when all of it waited for the end).
 */
export const EARLY_SYNC_BYTES = 32 << 20;

/**
 * Bytes written between two turns of the event loop. The writes themselves never wait for the loop, so
 * without these turns a build would not see a signal (SIGINT removes the temporary file), a progress bar's
 * redraw or an early sync's completion until it ended. A turn costs tens of microseconds; 4 MiB of writes
 * take a few milliseconds.
 */
export const YIELD_BYTES = 4 << 20;

/** A {@link TarSink} writing into a file, and how to wait for its syncs. */
export interface FileSink {
  readonly sink: TarSink;
  /** Resolves once no write or early sync is running; then rejects if one failed (with the error `fail` was given). */
  finished(): Promise<void>;
}

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /**
   * Write on the thread pool, at most two chunks in flight, each released once written (for a writer whose
   * main thread has other work to overlap, such as hashing). Default false: synchronous writes.
   */
  readonly background?: boolean;
  /**
   * Start an fdatasync every {@link EARLY_SYNC_BYTES}, for a writer that syncs the whole file before it moves
   * it into place. Default false: the kernel writes the file back in its own time.
   */
  readonly sync?: boolean;
}

/**
 * A sink writing every chunk at the next position of the file at `fd` before it returns (the chunk is
 * released at once; with `background`, see {@link FileSinkOptions}), with a turn of the event loop every
 * {@link YIELD_BYTES} and, with `sync`, an fdatasync of what is written every {@link EARLY_SYNC_BYTES} on the
 * thread pool (one at a time, never awaited by the writer). The
 * first failure goes to `fail`; chunks after it are not written.
 */
export function createFileSink(fd: number, fail: (e: unknown) => void, options: FileSinkOptions = {}): FileSink {
  // Bytes handed to writes, and bytes whose write completed (what an early sync covers).
  let position = 0;
  let written = 0;
  let inFlight = 0;
  let failed = false;
  let failure: unknown;
  let syncedTo = 0;
  let syncing = false;
  let yieldedAt = 0;
  let wake: (() => void) | undefined;
  const settle = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const failWith = (e: unknown): void => {
    if (!failed) {
      failed = true;
      failure = e;
      fail(e);
    }
    settle();
  };
  const syncEarly = (): void => {
    if (options.sync !== true || syncing || failed || written - syncedTo < EARLY_SYNC_BYTES) return;
    syncing = true;
    const upTo = written;
    fdatasync(fd, (err) => {
      syncing = false;
      if (err) failWith(err);
      else syncedTo = upTo;
      settle();
    });
  };
  const writeInBackground = (chunk: Buffer, offset: number, at: number, release: () => void): void => {
    write(fd, chunk, offset, chunk.length - offset, at, (err, n) => {
      if (err) failWith(err);
      else if (offset + n < chunk.length) return writeInBackground(chunk, offset + n, at + n, release);
      else {
        written += chunk.length;
        syncEarly();
      }
      inFlight--;
      release();
      settle();
    });
  };
  const writeNow = (chunk: Buffer, release: () => void): void => {
    try {
      if (failed) return;
      let offset = 0;
      try {
        // A short write (a full disk, a file size limit) is continued; the next write reports the error.
        while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset, position + offset);
      } catch (e) {
        failWith(e);
        return;
      }
      position += chunk.length;
      written = position;
      syncEarly();
    } finally {
      release();
    }
  };
  return {
    async sink(chunk, release) {
      if (options.background === true) {
        while (inFlight >= 2 && !failed) await new Promise<void>((resolve) => (wake = resolve));
        if (failed) return release();
        inFlight++;
        writeInBackground(chunk, 0, position, release);
        position += chunk.length;
      } else writeNow(chunk, release);
      if (position - yieldedAt >= YIELD_BYTES) {
        yieldedAt = position;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    async finished() {
      // Even after a failure: the descriptor must not be closed (and its number reused) under a running call.
      while (syncing || inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
      if (failed) throw failure;
    },
  };
}
