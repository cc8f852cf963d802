/** The time limits and cancellation of one download of the HTTP layer (`httpGet`): overall deadline, idle timer, caller's signal. */
import type { HttpCode } from './http-codes.js';

/** What a download is waiting for when it is stopped. */
export const STOPPED: unique symbol = Symbol('stopped');

const noop = (): void => undefined;

/** The limits a {@link Watch} enforces. */
export interface WatchLimits {
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The time limits and the abort of one download: one controller that the caller's signal, the overall
 * deadline and the idle timer all abort, so the fetch and its body stop together.
 */
export class Watch {
  readonly controller = new AbortController();
  reason: 'caller' | 'timeout' | 'idle' | undefined;
  readonly #deadline: ReturnType<typeof setTimeout>;
  readonly #onAbort = (): void => this.stop('caller');
  #released = false;

  constructor(private readonly settings: WatchLimits) {
    this.#deadline = setTimeout(() => this.stop('timeout'), settings.timeoutMs);
    settings.signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (settings.signal?.aborted) this.stop('caller');
  }

  stop(reason: 'caller' | 'timeout' | 'idle'): void {
    if (this.controller.signal.aborted) return;
    this.reason = reason;
    this.controller.abort(reason === 'caller' ? this.settings.signal?.reason : new Error(`download stopped: ${reason}`));
  }

  /**
   * Waits for `p` unless the download is stopped first, or the server stays silent for the idle time-out.
   * Each call removes its own listener and timer, so nothing accumulates over millions of body reads
   * (a `Promise.race` against one long-lived promise would keep a reaction per call).
   */
  race<T>(p: Promise<T>): Promise<T | typeof STOPPED> {
    const signal = this.controller.signal;
    if (signal.aborted) {
      p.catch(noop);
      return Promise.resolve(STOPPED);
    }
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        resolve(STOPPED);
      };
      const idle = setTimeout(() => this.stop('idle'), this.settings.idleTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          done();
          resolve(v);
        },
        (e: unknown) => {
          done();
          reject(e);
        },
      );
    });
  }

  /** The reason the download was stopped, as a detail and code. */
  stoppedFailure(received: number | undefined): { code: HttpCode; detail: string } {
    const got = received === undefined ? '' : ` (${received} bytes received)`;
    if (this.reason === 'caller') return { code: 'HTTP_ABORTED', detail: `stopped by the caller's AbortSignal${got}` };
    if (this.reason === 'idle') return { code: 'HTTP_IDLE_TIMEOUT', detail: `the server sent nothing for ${this.settings.idleTimeoutMs} ms (idle time-out, option idleTimeoutMs)${got}` };
    return { code: 'HTTP_TIMEOUT', detail: `not finished within ${this.settings.timeoutMs} ms (overall time-out, option timeoutMs)${got}` };
  }

  /** Clears the timers and listeners; the download may not continue after this. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#deadline);
    this.settings.signal?.removeEventListener('abort', this.#onAbort);
  }
}
