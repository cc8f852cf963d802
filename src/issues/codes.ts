/** The shape of every area's code table (`src/<area>/codes.ts`); docs/errors.md is generated from them. */
import type { Severity } from './issue.js';

/** What one issue or error code means. */
export interface CodeInfo {
  /** Default severity in compatible mode (`strict` turns warnings into errors). */
  readonly severity: Severity;
  /** One sentence: what the code means. */
  readonly summary: string;
  /** Spec anchor or checklist rule IDs, such as `spec/types.md#ac-identifier-type T-ID-1`. */
  readonly spec?: string;
}

/** A table of codes for one area. */
export type CodeTable = Readonly<Record<string, CodeInfo>>;
