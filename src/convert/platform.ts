/**
 * OCI platforms (os, architecture, variant; OCI image-spec image-index.md#platform): normalizing, matching an
 * index entry to what was asked, and mapping to appc os/arch labels (spec/types.md#labels-type; T-LB-8).
 */
import { appcOsArchFromGo, type AppcOsArch } from '../schema/types/os-arch.js';

/** A platform in OCI (Go) spelling: `linux`, `arm64`, `v8`. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  /** CPU variant: `v6`, `v7`, `v8`; absent when not given. */
  readonly variant?: string;
}

/** A platform request; absent fields match anything. */
export interface PlatformRequest {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
}

// Other spellings people and tools use, in OCI (GOARCH) names, with the variant they imply.
const ARCH_ALIASES: Readonly<Record<string, { readonly architecture: string; readonly variant?: string }>> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  x64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armv8: { architecture: 'arm64' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  ia32: { architecture: '386' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  armv7: { architecture: 'arm', variant: 'v7' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  armv6: { architecture: 'arm', variant: 'v6' },
  armv5l: { architecture: 'arm', variant: 'v5' },
};

/**
 * Normalizes a platform the way containerd does: lower-case, appc and uname spellings turned into OCI
 * ones (`aarch64` is `arm64`, `armv7l` is `arm` `v7`), `arm` without a variant is `v7`, and `arm64`'s
 * default variant `v8` is dropped.
 */
export function normalizePlatform(p: PlatformRequest): PlatformRequest {
  const os = p.os?.toLowerCase();
  let architecture = p.architecture?.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture !== undefined && Object.hasOwn(ARCH_ALIASES, architecture)) {
    const alias = ARCH_ALIASES[architecture]!;
    architecture = alias.architecture;
    variant ??= alias.variant;
  }
  if (variant !== undefined && /^\d+$/.test(variant)) variant = 'v' + variant;
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  return { ...(os === undefined ? {} : { os }), ...(architecture === undefined ? {} : { architecture }), ...(variant === undefined ? {} : { variant }) };
}

/** `linux/arm/v7`, `linux/amd64`. */
export function formatPlatform(p: PlatformRequest): string {
  return [p.os ?? '?', p.architecture ?? '?', ...(p.variant ? [p.variant] : [])].join('/');
}

/**
 * The platform of the machine running Node, in OCI spelling (x64 is amd64, ia32 is 386, arm is `arm` with
 * the variant Node was built for). Used as the default choice in a multi-platform index.
 */
export function hostPlatform(platform: string = process.platform, arch: string = process.arch): Platform {
  const os = platform === 'win32' ? 'windows' : platform;
  switch (arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'ia32':
      return { os, architecture: '386' };
    case 'arm': {
      const v = (process.config.variables as { arm_version?: string }).arm_version;
      return { os, architecture: 'arm', variant: `v${v ?? '7'}` };
    }
    case 'ppc64':
      // Node supports ppc64 on Linux only in its little-endian form.
      return { os, architecture: os === 'linux' ? 'ppc64le' : 'ppc64' };
    default:
      return { os, architecture: arch };
  }
}

/** True when `candidate` satisfies every field `wanted` has (both normalized). */
export function platformMatches(candidate: PlatformRequest, wanted: PlatformRequest): boolean {
  const c = normalizePlatform(candidate);
  const w = normalizePlatform(wanted);
  if (w.os !== undefined && c.os !== w.os) return false;
  if (w.architecture !== undefined && c.architecture !== w.architecture) return false;
  // A request without a variant takes any variant; with one (or an alias such as armv7l), it must be the same.
  const arch = wanted.architecture?.toLowerCase();
  const aliasVariant = arch !== undefined && Object.hasOwn(ARCH_ALIASES, arch) ? ARCH_ALIASES[arch]!.variant : undefined;
  if ((wanted.variant || aliasVariant) && w.variant !== c.variant) return false;
  return true;
}

/**
 * Maps an OCI platform to appc `os`/`arch` labels with the reference's table (T-LB-8): amd64 stays
 * amd64, 386 is i386, arm64 is aarch64, arm v6 is armv6l, arm v7 (and arm without a variant) is armv7l;
 * ppc64, ppc64le and s390x keep their names; darwin amd64 is x86_64.
 * @returns undefined for a platform appc has no label for (windows, riscv64, arm v5, ...).
 */
export function appcLabelsForPlatform(p: PlatformRequest): AppcOsArch | undefined {
  const n = normalizePlatform(p);
  if (n.os === undefined || n.architecture === undefined) return undefined;
  let goarm = '';
  if (n.architecture === 'arm') {
    if (n.os === 'linux') {
      if (n.variant !== 'v6' && n.variant !== 'v7') return undefined;
      goarm = n.variant.slice(1);
    } else if (n.os === 'freebsd') {
      goarm = n.variant === 'v5' || n.variant === 'v6' || n.variant === 'v7' ? n.variant.slice(1) : '';
    }
  }
  return appcOsArchFromGo(n.os, n.architecture, goarm);
}
