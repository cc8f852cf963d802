/** Linux isolators: capabilities, no-new-privileges, seccomp, SELinux, AppArmor, cpu-shares, oom-score-adj (spec/ace.md#linux-isolators; checklist T-IS rows, T-IS-8). */
import type { CodeTable } from '../../../issues/codes.js';
import { childPointer } from '../../../issues/json-pointer.js';
import type { CheckContext } from '../../internal/check.js';
import { quote, reporter } from '../../internal/check.js';
import { fieldPointer, readFields } from '../../internal/fields.js';
import { checkArray, checkInteger, checkObject, checkString, reportWrongType } from '../../internal/json-types.js';
import type { IsolatorKind } from './kind.js';

/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_SET = ['set'] as const;
/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_SET_ERRNO = ['set', 'errno'] as const;
/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_PROFILE = ['profile'] as const;
/** Field names of the object (one module constant, so the field table is built once). */
const KEYS_USER_ROLE_TYPE_LEVEL = ['user', 'role', 'type', 'level'] as const;

/** Codes reported for Linux isolator values. */
export const LINUX_ISOLATOR_CODES = {
  LINUX_SET_EMPTY: { severity: 'error', summary: 'A capabilities or seccomp isolator has a missing or empty "set".', spec: 'T-IS capabilities, seccomp' },
  LINUX_CAPABILITY_UNKNOWN: { severity: 'warning', summary: 'A capability set names something that is not a Linux capability (Go does not check names).', spec: 'T-IS capabilities' },
  LINUX_SECCOMP_ERRNO_INVALID: { severity: 'error', summary: 'A seccomp errno is not empty and not E followed by upper-case letters or digits.', spec: 'T-IS seccomp' },
  LINUX_SECCOMP_NOT_SYSCALL: {
    severity: 'warning',
    summary: 'A seccomp set entry is neither a syscall name (lower-case letters, digits, _) nor a scoped @wildcard (@scope/name); Go does not check.',
    spec: 'spec/ace.md#oslinuxseccomp-remove-set',
  },
  LINUX_SECCOMP_WILDCARD: {
    severity: 'warning',
    summary: 'A seccomp set uses an @appc.io/ wildcard the spec does not define for that set (remove-set knows only @appc.io/empty, retain-set only @appc.io/all).',
    spec: 'T-IS-8 §8.8',
  },
  LINUX_SELINUX_INVALID: { severity: 'error', summary: 'An SELinux context field is empty, or user, role or type contains ":".', spec: 'T-IS selinux-context' },
  LINUX_APPARMOR_PROFILE_EMPTY: { severity: 'error', summary: 'An apparmor-profile isolator has an empty profile.', spec: 'T-IS apparmor-profile' },
  LINUX_VALUE_OUT_OF_RANGE: { severity: 'error', summary: 'cpu-shares is outside 2..262144 or oom-score-adj outside -1000..1000.', spec: 'T-IS cpu-shares, oom-score-adj' },
} as const satisfies CodeTable;

const report = reporter(LINUX_ISOLATOR_CODES);

/** `os/linux/capabilities-retain-set` */
export const LINUX_CAPABILITIES_RETAIN_SET = 'os/linux/capabilities-retain-set';
/** `os/linux/capabilities-remove-set` */
export const LINUX_CAPABILITIES_REMOVE_SET = 'os/linux/capabilities-remove-set';
/** `os/linux/no-new-privileges` */
export const LINUX_NO_NEW_PRIVILEGES = 'os/linux/no-new-privileges';
/** `os/linux/seccomp-remove-set` */
export const LINUX_SECCOMP_REMOVE_SET = 'os/linux/seccomp-remove-set';
/** `os/linux/seccomp-retain-set` */
export const LINUX_SECCOMP_RETAIN_SET = 'os/linux/seccomp-retain-set';
/** `os/linux/selinux-context` */
export const LINUX_SELINUX_CONTEXT = 'os/linux/selinux-context';
/** `os/linux/apparmor-profile` */
export const LINUX_APPARMOR_PROFILE = 'os/linux/apparmor-profile';
/** `os/linux/cpu-shares` (Go only, not in the spec text) */
export const LINUX_CPU_SHARES = 'os/linux/cpu-shares';
/** `os/linux/oom-score-adj` (Go only, not in the spec text) */
export const LINUX_OOM_SCORE_ADJ = 'os/linux/oom-score-adj';

/** Every Linux capability name (linux/capability.h, up to CAP_CHECKPOINT_RESTORE), sorted. */
export const LINUX_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_AUDIT_CONTROL',
  'CAP_AUDIT_READ',
  'CAP_AUDIT_WRITE',
  'CAP_BLOCK_SUSPEND',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_KILL',
  'CAP_LEASE',
  'CAP_LINUX_IMMUTABLE',
  'CAP_MAC_ADMIN',
  'CAP_MAC_OVERRIDE',
  'CAP_MKNOD',
  'CAP_NET_ADMIN',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_RAW',
  'CAP_PERFMON',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYSLOG',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_CHROOT',
  'CAP_SYS_MODULE',
  'CAP_SYS_NICE',
  'CAP_SYS_PACCT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_WAKE_ALARM',
]);
const KNOWN_CAPABILITIES = new Set(LINUX_CAPABILITIES);

/** The 14 capabilities an app gets when it has no capability isolator (spec, T-IS-8). */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_AUDIT_WRITE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_KILL',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETUID',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETFCAP',
  'CAP_SYS_CHROOT',
]);

/** The typed value of a capabilities isolator. */
export interface CapabilitiesValue {
  readonly set: readonly string[];
}

/** The typed value of a seccomp isolator; `errno` `""` means blocked calls end the app with SIGSYS. */
export interface SeccompValue {
  readonly set: readonly string[];
  readonly errno: string;
}

/** The typed value of `os/linux/selinux-context`. */
export interface SELinuxContextValue {
  readonly user: string;
  readonly role: string;
  readonly type: string;
  readonly level: string;
}

/** The typed value of `os/linux/apparmor-profile`. */
export interface AppArmorProfileValue {
  readonly profile: string;
}

/** Reads a list of strings where JSON null elements count as "" (Go's decoding of null into a string). */
function checkStringList(value: unknown, path: string, ctx: CheckContext): string[] | undefined {
  const arr = checkArray(value, path, ctx);
  if (arr === undefined) return value === null || value === undefined ? [] : undefined;
  const out: string[] = [];
  let ok = true;
  arr.forEach((item, i) => {
    // A string needs no pointer: checkString reports nothing for it.
    const s = typeof item === 'string' ? item : checkString(item, childPointer(path, i), ctx, '');
    if (s === undefined) ok = false;
    else out.push(s);
  });
  return ok ? out : undefined;
}

/** Reads the `set` field shared by the capability and seccomp isolators; reports an empty set. */
function readSet(obj: Readonly<Record<string, unknown>>, raw: unknown, path: string, ctx: CheckContext): string[] | undefined {
  const setPath = fieldPointer(obj, 'set', path);
  const set = checkStringList(raw, setPath, ctx);
  if (set !== undefined && set.length === 0) {
    report(ctx, 'LINUX_SET_EMPTY', raw === undefined ? path : setPath, 'set must be non-empty');
    return undefined;
  }
  return set;
}

function checkCapabilities(value: unknown, path: string, ctx: CheckContext): CapabilitiesValue | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_SET, path, ctx);
  const set = readSet(obj, f.set, path, ctx);
  if (set === undefined) return undefined;
  set.forEach((cap, i) => {
    if (!KNOWN_CAPABILITIES.has(cap)) {
      report(ctx, 'LINUX_CAPABILITY_UNKNOWN', childPointer(fieldPointer(obj, 'set', path), i), `${quote(cap)} is not a Linux capability; known names: ${LINUX_CAPABILITIES.join(', ')}`, {
        value: cap,
      });
    }
  });
  return { set };
}

// Go: the first character must be 'E', every character an upper-case letter or a digit (Unicode classes).
const ERRNO = /^E[\p{Lu}\p{N}]*$/u;

// A syscall name as the kernel spells it, or a wildcard "@scope/name" (spec: values starting with @ are scoped by /).
const SYSCALL_OR_WILDCARD = /^(?:[a-z_][a-z0-9_]*|@[^/\s]+\/[^\s]+)$/;

function checkSeccomp(wildcard: string) {
  return (value: unknown, path: string, ctx: CheckContext): SeccompValue | undefined => {
    const obj = checkObject(value, path, ctx);
    if (obj === undefined) return undefined;
    const f = readFields(obj, KEYS_SET_ERRNO, path, ctx);
    const set = readSet(obj, f.set, path, ctx);
    const errnoPath = fieldPointer(obj, 'errno', path);
    const errno = checkString(f.errno, errnoPath, ctx, '');
    let ok = set !== undefined && errno !== undefined;
    if (errno !== undefined && errno !== '' && !ERRNO.test(errno)) {
      report(ctx, 'LINUX_SECCOMP_ERRNO_INVALID', errnoPath, `errno ${quote(errno)} must be empty or an upper-case errno name such as EPERM (E followed by upper-case letters or digits)`, {
        value: errno,
      });
      ok = false;
    }
    set?.forEach((entry, i) => {
      if (!SYSCALL_OR_WILDCARD.test(entry)) {
        report(ctx, 'LINUX_SECCOMP_NOT_SYSCALL', childPointer(fieldPointer(obj, 'set', path), i), `${quote(entry)} is not a syscall name (such as "reboot") nor a wildcard such as ${wildcard}`, {
          value: entry,
        });
      }
      if (entry.startsWith('@appc.io/') && entry !== wildcard) {
        report(
          ctx,
          'LINUX_SECCOMP_WILDCARD',
          childPointer(fieldPointer(obj, 'set', path), i),
          `${quote(entry)} is not a wildcard of this set; the @appc.io/ scope is reserved and this set only knows ${wildcard}`,
          { value: entry },
        );
      }
    });
    return ok && set !== undefined && errno !== undefined ? { set, errno } : undefined;
  };
}

function checkNoNewPrivileges(value: unknown, path: string, ctx: CheckContext): boolean | undefined {
  if (typeof value === 'boolean') return value;
  reportWrongType(ctx, path, 'a boolean', value);
  return undefined;
}

function checkIntIn(name: string, min: number, max: number) {
  return (value: unknown, path: string, ctx: CheckContext): number | undefined => {
    const n = checkInteger(value, path, ctx, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (n === undefined) return undefined;
    if (n < min || n > max) {
      report(ctx, 'LINUX_VALUE_OUT_OF_RANGE', path, `${name} must be between ${min} and ${max}, got ${n}`, { value: n, min, max });
      return undefined;
    }
    return n;
  };
}

function checkSELinux(value: unknown, path: string, ctx: CheckContext): SELinuxContextValue | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const keys = KEYS_USER_ROLE_TYPE_LEVEL;
  const f = readFields(obj, keys, path, ctx);
  const out: Record<string, string> = {};
  let ok = true;
  for (const key of keys) {
    const p = fieldPointer(obj, key, path);
    const s = checkString(f[key], p, ctx, '');
    if (s === undefined) {
      ok = false;
      continue;
    }
    if (s === '' || (key !== 'level' && s.includes(':'))) {
      const why = s === '' ? 'must not be empty' : 'must not contain ":"';
      report(ctx, 'LINUX_SELINUX_INVALID', f[key] === undefined ? path : p, `invalid ${key} value ${quote(s)}: it ${why}`, { field: key, value: s });
      ok = false;
    }
    out[key] = s;
  }
  return ok ? (out as unknown as SELinuxContextValue) : undefined;
}

function checkAppArmor(value: unknown, path: string, ctx: CheckContext): AppArmorProfileValue | undefined {
  const obj = checkObject(value, path, ctx);
  if (obj === undefined) return undefined;
  const f = readFields(obj, KEYS_PROFILE, path, ctx);
  const p = fieldPointer(obj, 'profile', path);
  const profile = checkString(f.profile, p, ctx, '');
  if (profile === undefined) return undefined;
  if (profile === '') {
    report(ctx, 'LINUX_APPARMOR_PROFILE_EMPTY', f.profile === undefined ? path : p, 'invalid profile value "": the AppArmor profile name must not be empty');
    return undefined;
  }
  return { profile };
}

const APP: readonly ('app' | 'pod')[] = ['app'];
const BOTH: readonly ('app' | 'pod')[] = ['app', 'pod'];

/** Registry entries of the Linux isolators. */
export const LINUX_ISOLATOR_KINDS: readonly IsolatorKind[] = [
  { name: LINUX_CAPABILITIES_RETAIN_SET, check: checkCapabilities, multipleAllowed: true, conflicts: [], scope: APP, onePerPod: false },
  { name: LINUX_CAPABILITIES_REMOVE_SET, check: checkCapabilities, multipleAllowed: true, conflicts: [], scope: APP, onePerPod: false },
  { name: LINUX_NO_NEW_PRIVILEGES, check: checkNoNewPrivileges, multipleAllowed: true, conflicts: [], scope: APP, onePerPod: false },
  { name: LINUX_SECCOMP_REMOVE_SET, check: checkSeccomp('@appc.io/empty'), multipleAllowed: false, conflicts: [LINUX_SECCOMP_RETAIN_SET], scope: APP, onePerPod: false },
  { name: LINUX_SECCOMP_RETAIN_SET, check: checkSeccomp('@appc.io/all'), multipleAllowed: false, conflicts: [LINUX_SECCOMP_REMOVE_SET], scope: APP, onePerPod: false },
  { name: LINUX_SELINUX_CONTEXT, check: checkSELinux, multipleAllowed: false, conflicts: [], scope: BOTH, onePerPod: true },
  { name: LINUX_APPARMOR_PROFILE, check: checkAppArmor, multipleAllowed: false, conflicts: [], scope: BOTH, onePerPod: true },
  { name: LINUX_CPU_SHARES, check: checkIntIn(LINUX_CPU_SHARES, 2, 262144), multipleAllowed: false, conflicts: [], scope: [], onePerPod: false },
  { name: LINUX_OOM_SCORE_ADJ, check: checkIntIn(LINUX_OOM_SCORE_ADJ, -1000, 1000), multipleAllowed: false, conflicts: [], scope: [], onePerPod: false },
];
