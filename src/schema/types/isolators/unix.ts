/** Unix isolators: os/unix/sysctl (spec/ace.md#unix-isolators; checklist T-IS rows). */
import { childPointer } from '../../../issues/json-pointer.js';
import type { CheckContext } from '../../internal/check.js';
import { checkObject, reportWrongType } from '../../internal/json-types.js';
import type { IsolatorKind } from './kind.js';

/** `os/unix/sysctl` */
export const UNIX_SYSCTL = 'os/unix/sysctl';

/** The typed value of `os/unix/sysctl`: sysctl keys mapped to their values. */
export type SysctlValue = Readonly<Record<string, string>>;

/** An object of string values; a JSON null value reads as "" (Go's decoding into map[string]string). */
function checkSysctl(value: unknown, path: string, ctx: CheckContext): SysctlValue | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' || v === null) {
      Object.defineProperty(out, k, { value: v ?? '', enumerable: true, writable: true, configurable: true });
    } else {
      reportWrongType(ctx, childPointer(path, k), 'a string', v);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

/** Registry entries of the Unix isolators. */
export const UNIX_ISOLATOR_KINDS: readonly IsolatorKind[] = [{ name: UNIX_SYSCTL, check: checkSysctl, multipleAllowed: false, conflicts: [], scope: ['pod'], onePerPod: true }];
