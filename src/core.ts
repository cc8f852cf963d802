/**
 * The portable core of appc (`appc/core`, and `appc` under the `browser` condition): issues, AC types,
 * manifests, schemas and discovery. No `node:` import, so it runs in browsers, workers, Deno and Bun.
 */
export type { Issue, Result, Severity, ValidateOptions } from './issues/issue.js';
export { success, failure, issuesOf, hasErrors, promoteWarnings, toResult } from './issues/issue.js';
export { pointer, splitPointer, escapeToken } from './issues/json-pointer.js';
export { AppcError, AppcValidationError, isAppcError } from './issues/appc-error.js';
export type { AppcErrorOptions } from './issues/appc-error.js';
export type { CodeInfo, CodeTable } from './issues/codes.js';
export { CODE_SECTIONS, codeInfo } from './catalog.js';
export * from './schema/index.js';
export * from './discovery/index.js';
