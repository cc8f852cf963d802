/** Serving a discovery site over HTTP/HTTPS, optionally converting OCI images on request. */
export { serveSite, etagOf, sitePath } from './serve-site.js';
export type { ServeSiteOptions, SiteServer, FallbackHandler } from './serve-site.js';
export { createConvertRoute, CONVERT_TEMPLATE_PATH } from './convert-route.js';
export type { ConvertRouteOptions } from './convert-route.js';
export { contentTypeFor } from './content-type.js';
export { chooseRange } from './range.js';
export type { RangeChoice } from './range.js';
