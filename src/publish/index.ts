/** Publishing images the appc way: a static discovery site (pages, images, signatures, keys) and a small server for it. */
export { PUBLISH_CODES } from './codes.js';
export type { PublishCode } from './codes.js';
export { parseSiteBase } from './base-url.js';
export type { SiteBase } from './base-url.js';
export { publishSite, latestImages } from './publish-site.js';
export type { PublishSource, PublishSiteOptions, PublishReport } from './publish-site.js';
export type { PublishedImage, SiteState } from './site-state.js';
export { readSiteState } from './site-state.js';
export { siteTemplate, sitePubkeysUrl, imageStem, pagePrefixes, pageFile, TEMPLATE_PATH, PUBKEYS_FILE, STATE_FILE } from './site-layout.js';
export type { ImageKey } from './site-layout.js';
export { renderPage } from './pages.js';
