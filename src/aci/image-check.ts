/**
 * The verdict on one image archive, built entry by entry: the entry policy, the stream and tar problems, the
 * manifest (the one the policy names) and the end-of-archive checks, with `strict` applied. validateAci builds
 * its report with it; extract, cat-manifest and patch-manifest stop at its first blocking issue. So every
 * command that reads an image gives the same verdict in the same mode.
 */
import type { Issue, Result, ValidateOptions } from '../issues/issue.js';
import type { ImageManifest, ParseManifestOptions } from '../schema/image-manifest.js';
import { parseImageManifest } from '../schema/image-manifest.js';
import type { EntryRole } from './layout-rules.js';
import { EntryPolicy, aciIssue, issueError } from './layout-rules.js';
import { ACI_LIMITS } from './limits.js';
import type { TarHeader } from './tar/header.js';

/** Options of {@link ImageCheck}. */
export interface ImageCheckOptions extends ValidateOptions {
  /** Largest manifest, in bytes (default 1 MiB). */
  readonly maxManifestBytes?: number;
  /** Passed to parseImageManifest. */
  readonly manifest?: Omit<ParseManifestOptions, 'strict' | 'maxBytes'>;
}

/** Collects the verdict on one archive. */
export class ImageCheck {
  readonly #issues: Issue[] = [];
  readonly #policy: EntryPolicy;
  readonly #strict: boolean;
  readonly #maxManifest: number;
  readonly #manifestOptions: ImageCheckOptions['manifest'];
  #blocking: Issue | undefined;
  #manifest: Result<ImageManifest> | undefined;

  constructor(options: ImageCheckOptions = {}) {
    this.#strict = options.strict === true;
    this.#maxManifest = options.maxManifestBytes ?? ACI_LIMITS.maxManifestBytes;
    this.#manifestOptions = options.manifest;
    this.#policy = new EntryPolicy((i) => this.note(i));
  }

  /** Records an issue (from the stream, the tar reader or anywhere else). */
  note(issue: Issue): void {
    this.#issues.push(issue);
    // The blocking issue is the first in archive order, as validateAci sorts its report (ties: the earlier noted).
    if ((issue.severity === 'error' || this.#strict) && (this.#blocking === undefined || (issue.offset ?? Infinity) < (this.#blocking.offset ?? Infinity))) this.#blocking = issue;
  }

  /** Records the stream's and tar reader's issues of a finished read, ahead of the entries' (archive order on ties). */
  noteStream(issues: readonly Issue[]): void {
    this.#issues.unshift(...issues);
    const first = issues.find((i) => i.severity === 'error' || this.#strict);
    if (first !== undefined && (this.#blocking === undefined || (first.offset ?? Infinity) <= (this.#blocking.offset ?? Infinity))) this.#blocking = first;
  }

  /**
   * Checks one entry by the policy. Role `manifest` means: read its body and pass it to
   * {@link ImageCheck.manifestRead} (a manifest over maxManifestBytes is refused here and gets role `rejected`).
   */
  entry(header: TarHeader): EntryRole {
    const role = this.#policy.add({ name: header.name, type: header.type, linkname: header.linkname, offset: header.offset });
    if (role === 'manifest' && header.size > this.#maxManifest) {
      this.note(
        aciIssue('ACI_LIMIT_EXCEEDED', `the manifest is ${header.size} bytes, more than maxManifestBytes (${this.#maxManifest})`, {
          entry: header.name,
          offset: header.offset,
          params: { limit: 'maxManifestBytes', max: this.#maxManifest, value: header.size },
        }),
      );
      this.#manifest = { ok: false, issues: [] };
      return 'rejected';
    }
    return role;
  }

  /** Parses the manifest's bytes (the entry the policy named) and records its issues. */
  manifestRead(bytes: Uint8Array, offset: number): Result<ImageManifest> {
    const result = tagManifest(parseImageManifest(bytes, { ...this.#manifestOptions, ...(this.#strict ? { strict: true } : {}) }), offset);
    this.#manifest = result;
    for (const i of result.ok ? result.warnings : result.issues) this.note(i);
    return result;
  }

  /** The end-of-archive checks (manifest and rootfs present); call only when the whole archive was read. */
  finish(): void {
    this.#policy.finish();
  }

  /** The first issue that makes the archive invalid in this mode (an error, or any issue when strict). */
  get blocking(): Issue | undefined {
    return this.#blocking;
  }

  /** Throws the blocking issue, if any, as an AppcError with its code (for operations that must refuse). */
  assertPassing(file?: string): void {
    if (this.#blocking !== undefined) throw issueError(this.#blocking, file);
  }

  /** The manifest's result, once read. */
  get manifest(): Result<ImageManifest> | undefined {
    return this.#manifest;
  }

  /** Every issue in archive order (by offset; those without one last), warnings promoted when strict. */
  issues(): Issue[] {
    const sorted = [...this.#issues].sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity));
    return this.#strict ? sorted.map((i) => (i.severity === 'warning' ? { ...i, severity: 'error' as const } : i)) : sorted;
  }
}

/** Marks every issue of a manifest result with `entry: 'manifest'` (and the entry's offset when known). */
export function tagManifest(result: Result<ImageManifest>, offset?: number): Result<ImageManifest> {
  const tag = (i: Issue): Issue => (offset === undefined ? { ...i, entry: 'manifest' } : { ...i, entry: 'manifest', offset });
  return result.ok ? { ...result, warnings: result.warnings.map(tag) } : { ...result, issues: result.issues.map(tag) };
}
