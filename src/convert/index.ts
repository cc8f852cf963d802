/** Converting Docker and OCI images to ACIs and ACIs back to OCI images (`appc/convert`; docs/convert.md). Uses node:. */
export { CONVERT_CODES } from './codes.js';
export type { ConvertCode } from './codes.js';
export { convertOciImage, layerOutputPath } from './convert.js';
export type { ConvertOptions, ConvertReport, ConvertedAci } from './convert.js';
export { configToManifest, mapUser, parseExposedPort, primaryGroup, DOCKER_ANNOTATIONS } from './config-to-manifest.js';
export type { ConfigToManifestOptions, ImageAccounts } from './config-to-manifest.js';
export { parseImageReference, normalizeReference, referenceMatches, imageNameFromRepository } from './image-ref.js';
export type { ImageReference } from './image-ref.js';
export { normalizePlatform, formatPlatform, hostPlatform, platformMatches, appcLabelsForPlatform } from './platform.js';
export type { Platform, PlatformRequest } from './platform.js';
export { classifyWhiteout, WHITEOUT_PREFIX, OPAQUE_WHITEOUT, WHITEOUT_META_PREFIX } from './whiteouts.js';
export type { WhiteoutKind } from './whiteouts.js';
export { parseDigest } from './digest.js';
export type { Digest } from './digest.js';
export {
  OCI_INDEX,
  OCI_MANIFEST,
  OCI_CONFIG,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
  DOCKER_CONFIG,
  LAYER_TYPES,
  ZSTD_LAYER_TYPES,
} from './media-types.js';
export { exportOciImage, OCI_LAYER_GZIP } from './export.js';
export type { ExportOptions, ExportReport, ExportedLayer, ExportFormat, ExportSource } from './export.js';
export { manifestToConfig, platformForAppcLabels, OCI_ANNOTATIONS } from './export-mapping.js';
export type { ManifestToConfigOptions, OciConfigMapping } from './export-mapping.js';
