/** The shape of one entry of the isolator registry (spec/ace.md#isolators; checklist T-IS-2). */
import type { CheckContext } from '../../internal/check.js';

/** Where the spec lets an isolator appear: in an app (`app.isolators`) or in a pod (`isolators`). */
export type IsolatorScope = 'app' | 'pod';

/** What the library knows about one isolator name. */
export interface IsolatorKind<T = unknown> {
  /** The isolator name, an ACIdentifier such as `resource/memory`. */
  readonly name: string;
  /** Reads and validates a present, non-null value into its typed form; reports into `ctx`. */
  readonly check: (value: unknown, path: string, ctx: CheckContext) => T | undefined;
  /** Whether one app may list it more than once (Go's `multipleAllowed`). */
  readonly multipleAllowed: boolean;
  /** Names that may not appear in the same app (Go's `Conflicts`). */
  readonly conflicts: readonly string[];
  /** Scopes the spec gives; empty for isolators only the Go reference defines. */
  readonly scope: readonly IsolatorScope[];
  /** The spec allows at most one per pod (selinux-context, apparmor-profile, sysctl). */
  readonly onePerPod: boolean;
}
