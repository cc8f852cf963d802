/** AC types and manifests (spec/types.md, spec/aci.md#image-manifest-schema, spec/pods.md). */
export type { SchemaValidateOptions, CheckContext, Checker } from './internal/check.js';
export { JSON_CODES } from './codes.js';
export { DEFAULT_OS_ARCH, SPEC_OS_ARCH } from './types/os-arch.js';
export type { OsArchTable } from './types/os-arch.js';
export {
  AC_IDENTIFIER_CODES,
  AC_IDENTIFIER_PATTERN,
  checkACIdentifier,
  validateACIdentifier,
  isACIdentifier,
  sanitizeACIdentifier,
  equalACIdentifiers,
} from './types/ac-identifier.js';
export type { ACIdentifier } from './types/ac-identifier.js';
export { SPEC_VERSION } from './types/semver.js';
export {
  QUANTITY_CODES,
  ZERO_QUANTITY,
  parseQuantity,
  checkQuantity,
  validateQuantity,
  isQuantityText,
  makeQuantity,
  compareQuantities,
  equalQuantities,
  quantityValue,
  quantityMilliValue,
  formatQuantity,
} from './types/quantity.js';
export type { Quantity, QuantityFormat } from './types/quantity.js';
export {
  ISOLATOR_CODES,
  ISOLATOR_KINDS,
  isolatorKind,
  checkIsolator,
  validateIsolator,
  checkAppIsolators,
  checkPodIsolators,
  validateAppIsolators,
  validatePodIsolators,
  isolatorValue,
  getIsolatorByName,
  replaceIsolatorsByName,
  unrecognizedIsolators,
  makeResourceIsolator,
  makeCapabilitiesIsolator,
  makeSeccompIsolator,
  makeIsolatorFromFlag,
  makeIsolatorsFromFlag,
  makeSeccompIsolatorFromFlags,
} from './types/isolator.js';
export type { Isolator, IsolatorValue, ResourceIsolatorName, ResourceIsolatorParams } from './types/isolator.js';
export type { IsolatorKind, IsolatorScope } from './types/isolators/kind.js';
export {
  RESOURCE_ISOLATOR_CODES,
  RESOURCE_CPU,
  RESOURCE_MEMORY,
  RESOURCE_BLOCK_BANDWIDTH,
  RESOURCE_BLOCK_IOPS,
  RESOURCE_NETWORK_BANDWIDTH,
} from './types/isolators/resource.js';
export type { ResourceValue } from './types/isolators/resource.js';
export {
  LINUX_ISOLATOR_CODES,
  LINUX_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  LINUX_CAPABILITIES_RETAIN_SET,
  LINUX_CAPABILITIES_REMOVE_SET,
  LINUX_NO_NEW_PRIVILEGES,
  LINUX_SECCOMP_REMOVE_SET,
  LINUX_SECCOMP_RETAIN_SET,
  LINUX_SELINUX_CONTEXT,
  LINUX_APPARMOR_PROFILE,
  LINUX_CPU_SHARES,
  LINUX_OOM_SCORE_ADJ,
} from './types/isolators/linux.js';
export type { CapabilitiesValue, SeccompValue, SELinuxContextValue, AppArmorProfileValue } from './types/isolators/linux.js';
export { UNIX_SYSCTL } from './types/isolators/unix.js';
export type { SysctlValue } from './types/isolators/unix.js';
export {
  MOUNT_POINT_CODES,
  checkMountPoint,
  validateMountPoint,
  checkMountPoints,
  validateMountPoints,
  reportDuplicateMountPoints,
  parseMountPointFlag,
} from './types/mount-point.js';
export type { MountPoint } from './types/mount-point.js';
export {
  PORT_CODES,
  checkPort,
  validatePort,
  checkPorts,
  validatePorts,
  reportDuplicatePorts,
  checkExposedPort,
  validateExposedPort,
  parsePortFlag,
} from './types/port.js';
export type { Port, ExposedPort } from './types/port.js';
export {
  VOLUME_CODES,
  EMPTY_VOLUME_DEFAULTS,
  checkVolume,
  validateVolume,
  parseVolumeFlag,
  formatVolumeFlag,
} from './types/volume.js';
export type { Volume, VolumeKind } from './types/volume.js';
