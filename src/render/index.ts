/** Image store and dependency rendering (spec/aci.md "Dependency Matching", spec/ace.md "Filesystem Setup"). */
export { RENDER_CODES } from './codes.js';
export { MemoryStore, labelsMatch, matchPrefix, storedEntries } from './store.js';
export type { ImageStore, StoredImage } from './store.js';
export { resolveDependencies, newestByVersion, compareVersionLabels, findByNameAndLabels, RESOLVE_LIMITS } from './resolve.js';
export type { ResolvedImage, ResolveOptions } from './resolve.js';
export { Selector, whitelistOf, upperWhitelists } from './select.js';
export type { Whitelist, SelectConflict } from './select.js';
export { renderImage, writeRendered, findImage } from './render.js';
export { DirStore } from './dir-store.js';
export type { StoreListing, GcReport } from './dir-store.js';
export { withLock } from './lock.js';
export type { LockOptions } from './lock.js';
export type { ImageRef, RenderedEntry, RenderedImage, RenderOptions, WriteRenderedOptions, WriteRenderedReport } from './render.js';
