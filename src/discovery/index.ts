/** Image discovery (spec/discovery.md): app strings, meta tags, templates, the walk, credentials, manifest matching. */
export { DISCOVERY_CODES } from './codes.js';
export type { DiscoveryCode } from './codes.js';
export { parseAppString, validateDiscoveryApp, formatAppString, withDefaultLabels, DEFAULT_VERSION } from './app-string.js';
export type { DiscoveryApp } from './app-string.js';
export { extractMetaTags, matchesPrefix } from './meta-tags.js';
export type { AcMetaTag, IgnoredMetaTag, MetaTagScan, MetaTagName, PrefixMatch } from './meta-tags.js';
export { renderTemplate, renderEndpoint, templateVariables, unfilledExpressions } from './template.js';
export type { ACIEndpoint, EndpointRender } from './template.js';
export { parseAuthConfig, authorizationHeader, credentialsFor, normalizeHostKey } from './auth.js';
export type { AuthConfig, HostCredentials } from './auth.js';
export { discoveryUrl } from './fetch-page.js';
export {
  httpGet,
  httpStatusError,
  isHttpGetError,
  HttpGetError,
  describeNetworkError,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MIN_BYTES_PER_SECOND,
  DEFAULT_HTTP_MAX_REDIRECTS,
} from './http-get.js';
export type { HttpGetOptions, HttpResponse, HttpHop, HttpGetErrorDetails } from './http-get.js';
export { HTTP_CODES } from './http-codes.js';
export type { HttpCode } from './http-codes.js';
export type { AttemptOutcome } from './fetch-page.js';
export { discover, discoverEndpoints, discoverPublicKeys, namePrefixes, transportFailure, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_PAGE_BYTES, DEFAULT_MAX_REDIRECTS } from './discover.js';
export type { DiscoverOptions, DiscoveryAttempt, DiscoveryResult, DiscoveryWalk, EndpointsResult, PublicKeysResult } from './discover.js';
export { checkManifestMatchesApp } from './match.js';
export type { ManifestIdentity, ManifestMatchOptions } from './match.js';
