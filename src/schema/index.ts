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
