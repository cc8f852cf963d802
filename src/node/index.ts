/** Node-only helpers of appc (`appc/node`): file system and network capabilities the portable core takes as options. */
export { createInsecureFetch } from './insecure-fetch.js';
export type { InsecureFetchOptions } from './insecure-fetch.js';
export { hostLabels } from './host-labels.js';
export type { HostLabels } from './host-labels.js';
export { Keystore, keystoreFromRoot, DEFAULT_SYSTEM_KEYSTORE, DEFAULT_LOCAL_KEYSTORE } from './keystore.js';
export type { KeystoreOptions, AddKeyOptions } from './keystore.js';
export { verifyAciFile } from './verify-file.js';
export type { VerifyAciFileOptions } from './verify-file.js';
export { fetchImage } from './fetch-image.js';
export type { FetchApp, FetchEndpoint, FetchImageOptions, FetchImageResult, DownloadProgress, ImageInspection, ImageInspector } from './fetch-image.js';
