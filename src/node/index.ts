/** appc for Node: archives (ACI read, validate, build, extract), file validation, parallel validation. */
export * from '../aci/index.js';
export { validateInput } from './validate-input.js';
export type { ValidateInputOptions } from './validate-input.js';
export { validateMany } from './validate-many.js';
export type { ValidateManyOptions } from './validate-many.js';
export { validatePath, describeIoError } from './validate-path.js';
export type { PathReport, ValidatePathOptions, InputType } from './validate-path.js';
export { FILE_CODES } from './codes.js';
