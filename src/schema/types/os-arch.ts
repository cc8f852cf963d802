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
