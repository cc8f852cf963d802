/** The os and arch labels (appc spelling) of the machine running Node, for callers that choose to default to it (spec/types.md#labels-type). */
import { endianness } from 'node:os';

/** `{ os, arch }` in appc's names: linux/amd64, darwin/x86_64, linux/aarch64, linux/armv7l, ... */
export interface HostLabels {
  readonly os: string;
  readonly arch: string;
}

/**
 * Maps Node's platform and arch names to appc label values (x64 becomes amd64, or x86_64 on darwin; arm64
 * becomes aarch64; ia32 becomes i386). The library never calls this by itself: discovery takes os and arch
 * from its options, so a result never depends silently on the machine it ran on.
 */
export function hostLabels(platform: string = process.platform, arch: string = process.arch): HostLabels {
  const os = platform === 'win32' ? 'windows' : platform;
  let a = arch;
  if (arch === 'x64') a = os === 'darwin' ? 'x86_64' : 'amd64';
  else if (arch === 'ia32') a = 'i386';
  else if (arch === 'arm64') a = 'aarch64';
  else if (arch === 'arm') {
    const v = (process.config.variables as { arm_version?: string }).arm_version;
    a = os === 'freebsd' ? 'arm' : `armv${v ?? '7'}l`;
  } else if (arch === 'ppc64') a = endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return { os, arch: a };
}
