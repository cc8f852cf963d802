/** Converting Docker and OCI images to ACIs. */
export { CONVERT_CODES } from './codes.js';
export { convertOciImage, hostPlatform } from './convert.js';
export type { ConvertOptions, ConvertReport, ConvertedImage } from './convert.js';
export { configToManifest, nameAndVersion, splitReference, userAndGroup } from './config-to-manifest.js';
export type { NameOptions } from './config-to-manifest.js';
export { selectImage, MEDIA } from './select-image.js';
export type { SelectedImage, LayerRef, PlatformWanted } from './select-image.js';
export { ImageInput, parseDigest, checkDigest } from './input.js';
export type { Descriptor, Platform } from './input.js';
export { LayerState } from './squash.js';
