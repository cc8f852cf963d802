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
