/** Node-only helpers of appc (`appc/node`): file system and network capabilities the portable core takes as options. */
export { createInsecureFetch } from './insecure-fetch.js';
export type { InsecureFetchOptions } from './insecure-fetch.js';
export { hostLabels } from './host-labels.js';
export type { HostLabels } from './host-labels.js';
