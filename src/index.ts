/**
 * Everything appc offers, for Node (`appc`): the portable core (issues, AC types, manifests, discovery),
 * signatures, ACI archives, file and parallel validation, keystores and fetching, rendering,
 * conversion, publishing a discoverable site and serving it. Each area is also its own subpath
 * (`appc/core`, `appc/signature`, `appc/aci`, `appc/node`, `appc/render`, `appc/convert`, `appc/publish`,
 * `appc/serve`); under the `browser` condition `appc` is the portable core.
 */
export * from './core.js';
export * from './signature/index.js';
export * from './aci/index.js';
export * from './node/index.js';
export * from './render/index.js';
export * from './convert/index.js';
export * from './publish/index.js';
export * from './serve/index.js';
