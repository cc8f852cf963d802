/** The table of valid `os` and `arch` label values (spec/types.md#labels-type; checklist T-LB-4, T-LB-8). */

/** Maps each known os to its allowed arch values. Implementations may extend it. */
export type OsArchTable = Readonly<Record<string, readonly string[]>>;

/** The Go reference's table (`ValidOSArch`), a superset of the spec prose (divergence §8.5). */
export const DEFAULT_OS_ARCH: OsArchTable = Object.freeze({
  linux: Object.freeze(['amd64', 'i386', 'aarch64', 'aarch64_be', 'armv6l', 'armv7l', 'armv7b', 'ppc64', 'ppc64le', 's390x']),
  freebsd: Object.freeze(['amd64', 'i386', 'arm']),
  darwin: Object.freeze(['x86_64', 'i386']),
});

/** The pairs the spec prose lists (spec/types.md); everything else in DEFAULT_OS_ARCH is a Go extension. */
export const SPEC_OS_ARCH: OsArchTable = Object.freeze({
  linux: Object.freeze(['amd64', 'i386']),
  freebsd: Object.freeze(['amd64', 'i386', 'arm']),
  darwin: Object.freeze(['x86_64', 'i386']),
});

/** An `os`/`arch` label pair in appc spelling. */
export interface AppcOsArch {
  readonly os: string;
  readonly arch: string;
}

/** A Go platform: GOOS, GOARCH and the GOARM flavour (`''` unless arm). */
export interface GoOsArch {
  readonly goos: string;
  readonly goarch: string;
  readonly goarm: string;
}

// Go platform to appc labels (the Go reference's ToAppcOSArch table, T-LB-8). Key: goos/goarch/goarm.
const FROM_GO: Readonly<Record<string, AppcOsArch>> = Object.freeze({
  'linux/amd64/': { os: 'linux', arch: 'amd64' },
  'linux/386/': { os: 'linux', arch: 'i386' },
  'linux/arm64/': { os: 'linux', arch: 'aarch64' },
  'linux/arm/': { os: 'linux', arch: 'armv6l' },
  'linux/arm/6': { os: 'linux', arch: 'armv6l' },
  'linux/arm/7': { os: 'linux', arch: 'armv7l' },
  'linux/ppc64/': { os: 'linux', arch: 'ppc64' },
  'linux/ppc64le/': { os: 'linux', arch: 'ppc64le' },
  'linux/s390x/': { os: 'linux', arch: 's390x' },
  'freebsd/amd64/': { os: 'freebsd', arch: 'amd64' },
  'freebsd/386/': { os: 'freebsd', arch: 'i386' },
  'freebsd/arm/': { os: 'freebsd', arch: 'arm' },
  'freebsd/arm/5': { os: 'freebsd', arch: 'arm' },
  'freebsd/arm/6': { os: 'freebsd', arch: 'arm' },
  'freebsd/arm/7': { os: 'freebsd', arch: 'arm' },
  'darwin/amd64/': { os: 'darwin', arch: 'x86_64' },
  'darwin/386/': { os: 'darwin', arch: 'i386' },
});

// appc labels to a Go platform (ToGoOSArch, T-LB-8). aarch64_be and armv7b have no Go platform.
// Go keys the freebsd i386 entry as "386" by mistake, so Go cannot map freebsd/i386 (and maps a
// non-label "freebsd/386"); we key it "i386", which is what the labels say.
const TO_GO: Readonly<Record<string, GoOsArch>> = Object.freeze({
  'linux/aarch64': { goos: 'linux', goarch: 'arm64', goarm: '' },
  'linux/amd64': { goos: 'linux', goarch: 'amd64', goarm: '' },
  'linux/armv6l': { goos: 'linux', goarch: 'arm', goarm: '6' },
  'linux/armv7l': { goos: 'linux', goarch: 'arm', goarm: '7' },
  'linux/i386': { goos: 'linux', goarch: '386', goarm: '' },
  'linux/ppc64': { goos: 'linux', goarch: 'ppc64', goarm: '' },
  'linux/ppc64le': { goos: 'linux', goarch: 'ppc64le', goarm: '' },
  'linux/s390x': { goos: 'linux', goarch: 's390x', goarm: '' },
  'freebsd/amd64': { goos: 'freebsd', goarch: 'amd64', goarm: '' },
  'freebsd/arm': { goos: 'freebsd', goarch: 'arm', goarm: '6' },
  'freebsd/i386': { goos: 'freebsd', goarch: '386', goarm: '' },
  'darwin/x86_64': { goos: 'darwin', goarch: 'amd64', goarm: '' },
  'darwin/i386': { goos: 'darwin', goarch: '386', goarm: '' },
});

// Node's process.arch names to GOARCH names.
const NODE_TO_GOARCH: Readonly<Record<string, string>> = Object.freeze({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x' });

function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Maps a Go platform (GOOS, GOARCH, GOARM) to appc `os`/`arch` labels (T-LB-8).
 *
 * @returns undefined for a platform the table does not know.
 * @example
 * appcOsArchFromGo('linux', 'arm', '7'); // { os: 'linux', arch: 'armv7l' }
 */
export function appcOsArchFromGo(goos: string, goarch: string, goarm = ''): AppcOsArch | undefined {
  return lookup(FROM_GO, `${goos}/${goarch}/${goarm}`);
}

/**
 * Maps appc `os`/`arch` labels to a Go platform (T-LB-8), the reverse of appcOsArchFromGo.
 * Unlike Go, `freebsd`/`i386` maps to freebsd/386 (Go's table has a typo there).
 *
 * @returns undefined for labels with no Go platform (such as linux/aarch64_be).
 */
export function goOsArchFromAppc(os: string, arch: string): GoOsArch | undefined {
  return lookup(TO_GO, `${os}/${arch}`);
}

/**
 * Maps Node's `process.platform` and `process.arch` to appc `os`/`arch` labels (T-LB-8):
 * x64 is amd64 on linux and freebsd and x86_64 on darwin, ia32 is i386, arm64 is aarch64 (linux).
 * For 32-bit arm pass `armVersion` (Node's `process.config.variables.arm_version`); without it
 * linux arm maps to armv6l, as Go does for an unset GOARM. Node's `ppc64` runs little-endian on
 * Linux, so it maps to ppc64le.
 *
 * @returns undefined for a platform the appc table does not know (such as darwin/arm64 or win32).
 */
export function appcOsArchFromNode(platform: string, arch: string, armVersion?: string): AppcOsArch | undefined {
  if (platform === 'linux' && arch === 'ppc64') return { os: 'linux', arch: 'ppc64le' };
  const goarch = lookup(NODE_TO_GOARCH, arch);
  if (goarch === undefined) return undefined;
  const goarm = goarch === 'arm' && platform === 'linux' && armVersion === '7' ? '7' : '';
  return appcOsArchFromGo(platform, goarch, goarm);
}
