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
export { discoveryUrl, describeNetworkError } from './fetch-page.js';
export type { AttemptOutcome } from './fetch-page.js';
export { discover, discoverEndpoints, discoverPublicKeys, namePrefixes, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_PAGE_BYTES, DEFAULT_MAX_REDIRECTS } from './discover.js';
export type { DiscoverOptions, DiscoveryAttempt, DiscoveryResult, DiscoveryWalk, EndpointsResult, PublicKeysResult } from './discover.js';
export { checkManifestMatchesApp } from './match.js';
export type { ManifestIdentity, ManifestMatchOptions } from './match.js';
