/** Validates an image layout directory: `manifest` plus `rootfs/`, with the archive's layout rules (A-VA-5). */
import { readlinkSync } from 'node:fs';
import { stat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { Issue, Result, ValidateOptions } from '../issues/issue.js';
import { hasErrors, promoteWarnings } from '../issues/issue.js';
import type { ImageManifest, ParseManifestOptions } from '../schema/image-manifest.js';
import { parseImageManifest } from '../schema/image-manifest.js';
import { LayoutChecker, MANIFEST_NAME, aciIssue } from './layout-rules.js';
import { ACI_LIMITS } from './limits.js';
import type { TarEntryType } from './tar/header.js';
import { tagManifest } from './validate-aci.js';
import { entryTypeOf } from './entry-type.js';
import type { LayoutFile } from './walk-layout.js';
import { walkLayout } from './walk-layout.js';

/** Options of {@link validateLayout}. */
export interface ValidateLayoutOptions extends ValidateOptions {
  /** Largest manifest read, in bytes (default 1 MiB). */
  readonly maxManifestBytes?: number;
  /** Passed to parseImageManifest. */
  readonly manifest?: Omit<ParseManifestOptions, 'strict' | 'maxBytes'>;
}

/** What {@link validateLayout} found. */
export interface LayoutReport {
  readonly ok: boolean;
  /** The manifest's result; undefined when there is no readable manifest file. */
  readonly manifest: Result<ImageManifest> | undefined;
  /** Every issue; `entry` is the path relative to the layout directory. */
  readonly issues: readonly Issue[];
  /** Paths walked (the root not counted). */
  readonly entryCount: number;
}

export { entryTypeOf } from './entry-type.js';

/**
 * Validates an image layout directory with the rules archives follow: only `manifest` and `rootfs` at
 * the top, `rootfs` a directory (a symlink is not), symlinks that stay in rootfs, UTF-8 names, and a
 * valid manifest. Symlinks are not followed, except that `manifest` is read through one (as Go does).
 * @throws the I/O error when `dir` does not exist or cannot be read; AppcError `ACI_LAYOUT_NOT_DIR` when it is not a directory.
 * @example const report = await validateLayout('./layout');
 */
export async function validateLayout(dir: string, options: ValidateLayoutOptions = {}): Promise<LayoutReport> {
  await checkLayoutDir(dir);
  const validation = new LayoutValidation(dir, options);
  for await (const f of walkLayout(dir)) await validation.add(f);
  return validation.finish();
}

/** Throws unless `dir` is a directory (following a symlink): the I/O error, or AppcError `ACI_LAYOUT_NOT_DIR`. */
export async function checkLayoutDir(dir: string): Promise<void> {
  const st = await stat(dir);
  if (!st.isDirectory()) throw new AppcError('ACI_LAYOUT_NOT_DIR', `${dir} is not a directory`, { file: dir });
}

/**
 * {@link validateLayout} one walked path at a time, in walk order, so that a caller walking the layout for
 * another reason (buildAci, which writes each path as it goes) needs no second walk. `finish()` gives the
 * report validateLayout gives for the same paths.
 */
export class LayoutValidation {
  readonly #dir: string;
  readonly #options: ValidateLayoutOptions;
  readonly #checker = new LayoutChecker();
  readonly #issues: Issue[] = [];
  #manifest: Result<ImageManifest> | undefined;
  #entryCount = 0;
  #failing = false;
  #ownSeen = 0;
  #policySeen = 0;

  constructor(dir: string, options: ValidateLayoutOptions = {}) {
    this.#dir = dir;
    this.#options = options;
  }

  /**
   * Checks one path (reading the target when it is a symlink); a promise only for the manifest, which is read
   * and parsed (await it), else undefined: a promise and a microtask turn per path cost the builder.
   */
  add(f: LayoutFile): Promise<void> | undefined {
    this.#entryCount++;
    if (!f.utf8) this.#issues.push(aciIssue('ACI_NAME_NOT_UTF8', `${JSON.stringify(f.rel)} is not valid UTF-8`, { entry: f.rel }));
    if (f.rel === MANIFEST_NAME) return this.#addManifest(f);
    const type = f.type;
    if (type === 'symlink') this.#checker.add({ name: f.rel, type, linkname: readlinkSync(f.abs).toString() });
    else this.#checker.add({ name: f.rel, type });
    return undefined;
  }

  async #addManifest(f: LayoutFile): Promise<void> {
    const read = await readManifestFile(join(this.#dir, MANIFEST_NAME), f, this.#options);
    if (read.issue) this.#issues.push(read.issue);
    if (read.result) this.#manifest = read.result;
    this.#checker.add({ name: f.rel, type: read.type });
  }

  /**
   * True once the report is sure to fail (an error found, or under `strict` any issue): a caller doing work
   * for a passing layout can stop. False says nothing: end-of-walk checks may still fail.
   */
  get failing(): boolean {
    if (this.#failing) return true;
    // Only the issues added since the last call are looked at: the builder asks after every path.
    const strict = this.#options.strict === true;
    while (this.#ownSeen < this.#issues.length) if (fails(this.#issues[this.#ownSeen++]!, strict)) this.#failing = true;
    const policy = this.#checker.issues;
    while (this.#policySeen < policy.length) if (fails(policy[this.#policySeen++]!, strict)) this.#failing = true;
    const m = this.#manifest;
    if (m !== undefined && !m.ok && m.issues.length > 0) this.#failing = true;
    // A loop, not warnings.some with a closure: the builder asks after every path, and the manifest comes first.
    if (m?.ok) for (const w of m.warnings) if (fails(w, strict)) this.#failing = true;
    return this.#failing;
  }

  /** Runs the end-of-walk checks and returns the report. Call once, after the last {@link LayoutValidation.add}. */
  finish(): LayoutReport {
    this.#checker.finish();
    const manifest = this.#manifest;
    const all = [...this.#issues, ...this.#checker.issues, ...(manifest ? (manifest.ok ? manifest.warnings : manifest.issues) : [])];
    const final = this.#options.strict ? promoteWarnings(all) : all;
    return { ok: !hasErrors(final), manifest, issues: final, entryCount: this.#entryCount };
  }
}

/** Whether an issue fails the report: an error, or any issue under `strict`. */
function fails(issue: Issue, strict: boolean): boolean {
  return strict || issue.severity === 'error';
}

async function readManifestFile(path: string, f: LayoutFile, options: ValidateLayoutOptions): Promise<{ type: TarEntryType; result?: Result<ImageManifest>; issue?: Issue }> {
  const max = options.maxManifestBytes ?? ACI_LIMITS.maxManifestBytes;
  let target;
  try {
    target = f.stats.isSymbolicLink() ? await stat(path) : f.stats;
  } catch {
    return { type: 'symlink' };
  }
  if (!target.isFile()) return { type: entryTypeOf(target) };
  if (Number(target.size) > max) {
    return {
      type: 'file',
      issue: aciIssue('ACI_LIMIT_EXCEEDED', `the manifest is ${target.size} bytes, more than maxManifestBytes (${max})`, {
        entry: MANIFEST_NAME,
        params: { limit: 'maxManifestBytes', max, value: Number(target.size) },
      }),
    };
  }
  const fh = await open(path, 'r');
  try {
    // Sized from the file (a byte more, to see it grow) and grown while it does, up to max + 1: a buffer of
    // max + 1 bytes (1 MiB) per build, freed later, made glibc raise its mmap and trim thresholds for the
    // rest of the process, which then kept ~2 MB of freed memory per thread (docs/design.md, s13-rss).
    let buf = Buffer.alloc(Math.min(max, Number(target.size)) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const grown = Buffer.alloc(Math.min(max + 1, buf.length * 2));
        buf.copy(grown, 0, 0, n);
        buf = grown;
      }
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > max) {
        return {
          type: 'file',
          issue: aciIssue('ACI_LIMIT_EXCEEDED', `the manifest is more than maxManifestBytes (${max}) bytes`, { entry: MANIFEST_NAME, params: { limit: 'maxManifestBytes', max } }),
        };
      }
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, n);
    return { type: 'file', result: tagManifest(parseImageManifest(bytes, { ...options.manifest, ...(options.strict ? { strict: true } : {}) })) };
  } finally {
    await fh.close();
  }
}
