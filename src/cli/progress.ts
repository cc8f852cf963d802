/**
 * The one progress display of actool: bars on stderr, only when stderr is a terminal, so pipelines, CI
 * logs and tests see nothing. A command asks for a bar per task (a file, a download, an output archive)
 * and, for batches, one overall bar counting finished inputs. cli-progress is loaded only on a terminal,
 * so commands stay fast when nothing is shown.
 */
import { statSync } from 'node:fs';
import type { CliIO } from './io.js';
import { escapeTerminalText } from './terminal-text.js';

/** Inputs smaller than this get no bar of their own (they finish before a bar would help). */
export const PROGRESS_MIN_BYTES = 100 * 1000 * 1000;

/** One bar: `update` as work is done, `finish` when the task ends (the bar disappears). */
export interface ProgressBar {
  /** `done` units of `total`; an unknown total shows the amount done only. */
  update(done: number, total?: number): void;
  finish(): void;
}

/** What commands use while they work. */
export interface Progress {
  /** A bar counting bytes, labelled with `label` (a file name or URL; escaped). */
  bytes(label: string, total?: number): ProgressBar;
  /** A bar counting items (the inputs of a batch): `3/300 files`. */
  items(label: string, total: number, unit?: string): ProgressBar;
  /**
   * Per-file byte bars for a batch: `update(file, bytesRead)` creates the file's bar on first use if the
   * file is at least `minBytes` large, `done(file)` removes it.
   */
  files(minBytes?: number): FileProgress;
  /** Removes every bar; call before the command returns. */
  stop(): void;
}

/** Byte bars keyed by file name, for commands that read several files. */
export interface FileProgress {
  update(file: string, bytesRead: number): void;
  done(file: string): void;
}

/** The writable that bars are drawn on (a terminal in real use). */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** Options of createProgress. */
export interface ProgressOptions {
  /** Where to draw (default process.stderr); tests pass a fake terminal. */
  readonly stream?: ProgressStream;
}

const NO_BAR: ProgressBar = { update() {}, finish() {} };
const NO_FILES: FileProgress = { update() {}, done() {} };

/** A progress display that shows nothing (not a terminal). */
export const NO_PROGRESS: Progress = { bytes: () => NO_BAR, items: () => NO_BAR, files: () => NO_FILES, stop() {} };

interface CliBar {
  update(value: number, payload?: Record<string, string>): void;
  setTotal(total: number): void;
}

interface CliMultiBar {
  create(total: number, start: number, payload: Record<string, string>): CliBar;
  remove(bar: CliBar): boolean;
  /** Draws every bar now (and restarts the redraw timer). */
  update(): void;
  stop(): void;
}

/** `12.3 MB` (1 MB = 10^6 bytes, as TOOLCHAIN.md and the docs count). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Makes the progress display for a command: bars on a terminal, NO_PROGRESS otherwise. */
export async function createProgress(io: Pick<CliIO, 'stderrIsTTY'>, options: ProgressOptions = {}): Promise<Progress> {
  if (!(options.stream ? options.stream.isTTY === true : io.stderrIsTTY)) return NO_PROGRESS;
  // Only now: building process.stderr loads Node's stream modules, which a run without bars never needs.
  const stream = options.stream ?? process.stderr;
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar(
    { format: ' {bar} {percentage}% {detail} {label}', hideCursor: true, clearOnComplete: true, stopOnComplete: false, stream, forceRedraw: true },
    cliProgress.Presets.shades_classic,
  ) as unknown as CliMultiBar;

  const makeBar = (label: string, total: number | undefined, detail: (done: number, total: number | undefined) => string): ProgressBar => {
    const safe = escapeTerminalText(label);
    let known = total;
    const bar = multi.create(Math.max(1, known ?? 1), 0, { label: safe, detail: detail(0, known) });
    let open = true;
    let shown = false;
    return {
      update(done, newTotal) {
        if (!open) return;
        if (newTotal !== undefined && newTotal !== known) {
          known = newTotal;
          bar.setTotal(Math.max(1, newTotal));
        }
        // With no total the bar stays full-width at the amount done; the detail says how much.
        if (known === undefined) bar.setTotal(Math.max(1, done));
        bar.update(done, { label: safe, detail: detail(done, known) });
        // Drawn at once the first time, not on the next redraw tick: work that ends within a tick still shows
        // that it ran (and a fast read of a 100 MB image is now under one tick).
        if (!shown) {
          shown = true;
          multi.update();
        }
      },
      finish() {
        if (!open) return;
        open = false;
        multi.remove(bar);
      },
    };
  };

  const progress: Progress = {
    bytes: (label, total) => makeBar(label, total, (done, t) => (t === undefined ? formatBytes(done) : `${formatBytes(done)}/${formatBytes(t)}`)),
    items: (label, total, unit = 'files') => makeBar(label, total, (done, t) => `${done}/${t ?? '?'} ${unit}`),
    files(minBytes = PROGRESS_MIN_BYTES) {
      const bars = new Map<string, ProgressBar>();
      return {
        update(file, bytesRead) {
          let bar = bars.get(file);
          if (bar === undefined) {
            const size = sizeOf(file);
            bar = size >= minBytes ? progress.bytes(file, size) : NO_BAR;
            bars.set(file, bar);
          }
          bar.update(bytesRead);
        },
        done(file) {
          bars.get(file)?.finish();
          bars.delete(file);
        },
      };
    },
    stop() {
      multi.stop();
    },
  };
  return progress;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
