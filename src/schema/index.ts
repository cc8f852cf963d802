/** AC types and manifests (spec/types.md, spec/aci.md#image-manifest-schema, spec/pods.md). */
export type { SchemaValidateOptions, CheckContext, Checker } from './internal/check.js';
export { JSON_CODES } from './codes.js';
export { DEFAULT_OS_ARCH, SPEC_OS_ARCH, appcOsArchFromGo, appcOsArchFromNode, goOsArchFromAppc } from './types/os-arch.js';
export type { OsArchTable, AppcOsArch, GoOsArch } from './types/os-arch.js';
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
export { AC_NAME_CODES, AC_NAME_PATTERN, checkACName, validateACName, isACName, sanitizeACName } from './types/ac-name.js';
export type { ACName } from './types/ac-name.js';
export { parseKeyValueList, makeQueryString } from './types/query-string.js';
export type { KeyValue, KeyValueParse } from './types/query-string.js';
export { MANIFEST_CODES } from './manifest-codes.js';
export { checkApp, validateApp } from './app.js';
export type { App } from './app.js';
export { checkImageManifest, parseImageManifest, validateImageManifest, IMAGE_MANIFEST_KIND } from './image-manifest.js';
export type { ImageManifest } from './image-manifest.js';
export { checkPodManifest, parsePodManifest, validatePodManifest, getPodApp, POD_MANIFEST_KIND } from './pod-manifest.js';
export type { PodManifest, RuntimeApp, RuntimeImage, Mount } from './pod-manifest.js';
export { parseManifest, validateManifest, stringifyManifest } from './manifest.js';
export type { Manifest, ManifestKind, ManifestResult, StringifyOptions } from './manifest.js';
export type { ParseManifestOptions } from './internal/document.js';
export { DEFAULT_MAX_MANIFEST_BYTES } from './internal/document.js';
export { lastDitchImage, lastDitchPod } from './last-ditch.js';
export type { LastDitchImageManifest, LastDitchPodManifest } from './last-ditch.js';
export { parseJson, lineColumn } from './json/parse-json.js';
export type { ParsedJson, ParseJsonOptions, DuplicateKey, JsonProblem } from './json/parse-json.js';
export { AC_KIND_CODES, AC_KINDS, checkACKind, validateACKind, isACKind } from './types/ac-kind.js';
export type { ACKind, ValidateACKindOptions } from './types/ac-kind.js';
export {
  SPEC_VERSION,
  SEMVER_CODES,
  parseSemVer,
  formatSemVer,
  compareSemVer,
  isStrictSemVer,
  isZeroSemVer,
  checkACVersion,
  validateACVersion,
  isACVersion,
  checkACVersionCompatibility,
} from './types/semver.js';
export type { ACVersion, SemVer } from './types/semver.js';
export { IMAGE_ID_CODES, IMAGE_ID_PATTERN, checkImageID, validateImageID, isImageID, imageIdFromDigest, shortImageId } from './types/image-id.js';
export type { ImageID } from './types/image-id.js';
export { DATE_CODES, checkDate, validateDate, isTimestamp, parseDate, formatDate } from './types/date.js';
export type { Timestamp } from './types/date.js';
export { URL_CODES, parseURLScheme, checkHttpURL, validateHttpURL, isHttpURL } from './types/url.js';
export type { HttpURL, URLSchemeParse } from './types/url.js';
export { UUID_CODES, parseUUID, formatUUID, checkUUID, validateUUID, isUUID } from './types/uuid.js';
export type { UUID } from './types/uuid.js';
export { LABELS_CODES, checkLabels, validateLabels, getLabel, labelsToMap, labelsFromMap } from './types/labels.js';
export type { Label, Labels } from './types/labels.js';
export {
  ANNOTATIONS_CODES,
  SUPPORTS_SYSTEMD_NOTIFY,
  checkAnnotations,
  validateAnnotations,
  getAnnotation,
  setAnnotation,
  readKnownAnnotations,
} from './types/annotations.js';
export type { Annotation, Annotations, CheckAnnotationsOptions, ValidateAnnotationsOptions, KnownAnnotations } from './types/annotations.js';
export {
  ENVIRONMENT_CODES,
  ENV_NAME_PATTERN,
  checkEnvironment,
  validateEnvironment,
  getEnvironmentVariable,
  setEnvironmentVariable,
} from './types/environment.js';
export type { Environment, EnvironmentVariable } from './types/environment.js';
export { checkExec, validateExec, isExec } from './types/exec.js';
export type { Exec } from './types/exec.js';
export { EVENT_HANDLER_CODES, checkEventHandlers, validateEventHandlers, isEventHandlerName } from './types/event-handlers.js';
export type { EventHandler, EventHandlerName, EventHandlers } from './types/event-handlers.js';
export { checkUserAnnotations, checkUserLabels, validateUserAnnotations, validateUserLabels } from './types/user-maps.js';
export type { UserAnnotations, UserLabels } from './types/user-maps.js';
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
export {
  DEPENDENCY_CODES,
  checkDependency,
  validateDependency,
  checkDependencies,
  validateDependencies,
  verifyDependency,
} from './types/dependencies.js';
export type { Dependency, RetrievedDependency } from './types/dependencies.js';
