/**
 * sha512 on a worker thread, for large archives: the decompressor runs on the libuv pool, the hash on the
 * worker, and the main thread only parses tar headers, so a 2-core machine runs them side by side.
 * Chunks are moved (transferred), never copied, when they own their memory.
 */
import { Worker } from 'node:worker_threads';

// Inline CommonJS, so it works the same from tsc output and from the bundled CLI.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha512');
parentPort.on('message', (m) => {
  if (m === 'digest') { parentPort.postMessage('sha512-' + hash.digest('hex')); return; }
  for (const c of m) hash.update(c);
  parentPort.postMessage(m.length);
});`;

const BATCH_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 8;

/** A running sha512 on a worker thread. */
export class WorkerSha512 {
  private readonly worker = new Worker(SOURCE, { eval: true });
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private inFlight = 0;
  private resume: (() => void) | undefined;
  private onDigest: ((id: string) => void) | undefined;
  private failure: Error | undefined;
  private onFailure: ((e: Error) => void) | undefined;

  constructor() {
    this.worker.on('message', (m: number | string) => {
      if (typeof m === 'string') {
        this.onDigest?.(m);
        return;
      }
      this.inFlight--;
      if (this.resume && this.inFlight < MAX_IN_FLIGHT / 2) {
        const r = this.resume;
        this.resume = undefined;
        r();
      }
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      this.onFailure?.(e);
      this.resume?.();
    });
  }

  /** Adds bytes; the returned promise (only when the worker is behind) says when to send more. */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    // Transfer only memory the chunk owns alone; copy views into shared buffers.
    const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && !(chunk.buffer instanceof SharedArrayBuffer) ? chunk : chunk.slice();
    this.batch.push(owned);
    this.batchBytes += owned.length;
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    if (this.inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve) => (this.resume = resolve));
  }

  /** Finishes and returns `sha512-<hex>`; the worker exits. */
  async digest(): Promise<string> {
    this.flush();
    try {
      return await new Promise<string>((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        this.onDigest = resolve;
        this.onFailure = reject;
        this.worker.postMessage('digest');
      });
    } finally {
      void this.worker.terminate();
    }
  }

  /** Stops the worker without a result. */
  close(): void {
    void this.worker.terminate();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.inFlight++;
    try {
      this.worker.postMessage(b, b.map((c) => c.buffer as ArrayBuffer));
    } catch {
      // Some buffers (Node's pooled ones) cannot be transferred: send copies instead.
      this.worker.postMessage(b);
    }
  }
}
