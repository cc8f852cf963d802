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
