/** AC Version: the lenient SemVer of the Go reference (spec/types.md#ac-version-type; checklist T-SV-1..7). */

/** The spec version this library implements (T-SV-6). */
export const SPEC_VERSION = '0.8.11';
