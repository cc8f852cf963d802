/** Node-only helpers of appc (`appc/node`): file and parallel validation, keystores on disk, signature checks of files, fetching images, and the network capabilities the portable core takes as options. Archives are `appc/aci`, rendering `appc/render`, conversion `appc/convert`. */
export { validateMany } from './validate-many.js';
export type { ValidateManyOptions, ValidateManyInputOptions } from './validate-many.js';
export { validatePath, describeIoError } from './validate-path.js';
export type { PathReport, ValidatePathOptions, InputType } from './validate-path.js';
export { FILE_CODES } from './codes.js';
export { createInsecureFetch } from './insecure-fetch.js';
export type { InsecureFetchOptions } from './insecure-fetch.js';
export { hostLabels } from './host-labels.js';
export type { HostLabels } from './host-labels.js';
export { Keystore, keystoreFromRoot, DEFAULT_SYSTEM_KEYSTORE, DEFAULT_LOCAL_KEYSTORE } from './keystore.js';
export type { KeystoreOptions, AddKeyOptions } from './keystore.js';
export { verifyAciFile } from './verify-file.js';
export type { VerifyAciFileOptions } from './verify-file.js';
export { fetchImage, DEFAULT_MAX_SIGNATURE_BYTES } from './fetch-image.js';
export { readFileChunks } from './file-chunks.js';
export type { ReadFileChunksOptions } from './file-chunks.js';
export type { FetchApp, FetchEndpoint, FetchImageOptions, FetchImageResult, DownloadProgress, ImageInspection, ImageInspector } from './fetch-image.js';
