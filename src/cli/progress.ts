/** Progress bars on stderr for large archives (over 100 MB), only when stderr is a terminal. */
import { statSync } from 'node:fs';
import type { CliIO } from './io.js';

/** The threshold above which an archive gets a progress bar. */
export const PROGRESS_MIN_BYTES = 100 * 1000 * 1000;

/** What a command calls as inputs are read. */
export interface Progress {
  update(file: string, bytesRead: number): void;
  done(file: string): void;
  /** Hides the bars before a line is printed on stdout. */
  clear(): void;
  stop(): void;
}

const NONE: Progress = { update() {}, done() {}, clear() {}, stop() {} };

interface Bar {
  update(value: number): void;
  stop(): void;
}

interface MultiBar {
  create(total: number, start: number, payload: Record<string, string>): Bar;
  remove(bar: Bar): boolean;
  stop(): void;
}

/**
 * Makes the progress display: a no-op unless stderr is a terminal. cli-progress is loaded only then,
 * so commands stay fast in pipelines and CI.
 */
export async function createProgress(io: CliIO): Promise<Progress> {
  if (!io.stderrIsTTY) return NONE;
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar(
    { format: ' {bar} {percentage}% {file}', hideCursor: true, clearOnComplete: true, stopOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  ) as unknown as MultiBar;
  const bars = new Map<string, Bar | null>();
  const sizeOf = (file: string): number => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return {
    update(file, bytesRead) {
      let bar = bars.get(file);
      if (bar === undefined) {
        const size = sizeOf(file);
        bar = size >= PROGRESS_MIN_BYTES ? multi.create(size, 0, { file }) : null;
        bars.set(file, bar);
      }
      bar?.update(bytesRead);
    },
    done(file) {
      const bar = bars.get(file);
      if (bar) multi.remove(bar);
      bars.delete(file);
    },
    clear() {},
    stop() {
      multi.stop();
    },
  };
}
