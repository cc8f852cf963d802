/** Codes shared by all manifest and type checks: JSON decoding and generic structure. */
import type { CodeTable } from '../issues/codes.js';

/** Codes for JSON text and document structure. */
export const JSON_CODES = {
  JSON_SYNTAX: { severity: 'error', summary: 'The text is not valid JSON.', spec: 'G-6' },
  JSON_TRAILING_DATA: { severity: 'error', summary: 'Non-whitespace text follows the top-level JSON value.', spec: 'G-6' },
  JSON_INVALID_UTF8: { severity: 'warning', summary: 'The bytes are not valid UTF-8; like Go, each bad sequence is read as U+FFFD.', spec: 'G-6' },
  JSON_LONE_SURROGATE: { severity: 'warning', summary: 'A string holds an unpaired UTF-16 surrogate escape; like Go, it is read as U+FFFD.', spec: 'G-6' },
  JSON_NOT_OBJECT: { severity: 'error', summary: 'The document is valid JSON but not an object.', spec: 'M-KD-1' },
  JSON_TOO_DEEP: { severity: 'error', summary: 'Arrays and objects are nested deeper than the limit (option maxDepth).' },
  JSON_TOO_LARGE: { severity: 'error', summary: 'The document is larger than the limit (option maxBytes).' },
  JSON_DUPLICATE_KEY: {
    severity: 'warning',
    summary: 'An object repeats a key; the last value wins. As in Go, an earlier value is still decoded, so a wrong type or a value its own AC type refuses is an error.',
    spec: 'G-3',
  },
  JSON_KEY_CASE: { severity: 'warning', summary: 'A key matches a field only when case is ignored (Go accepts it; the canonical spelling is expected).', spec: 'G-1' },
  JSON_WRONG_TYPE: { severity: 'error', summary: 'A value has the wrong JSON type (for example a string where a list is expected).', spec: 'G-5' },
  JSON_NOT_INTEGER: { severity: 'error', summary: 'A number that must be an integer has a fraction or exponent.', spec: 'G-5' },
  JSON_NUMBER_OUT_OF_RANGE: { severity: 'error', summary: 'A number is outside the range of its field (negative for an unsigned field, or too large).', spec: 'G-5' },
  JSON_UNKNOWN_KEY: { severity: 'warning', summary: 'An unknown key (ignored, as Go does) is close to a field name of its object: probably a typo.', spec: 'G-2' },
  JSON_NULL_IN_MAP: { severity: 'warning', summary: 'A string map (userAnnotations, userLabels) holds null; Go reads it as an empty string.', spec: 'T-AP-5' },
  JSON_MISSING_FIELD: { severity: 'error', summary: 'A required field is missing.', spec: 'M-IM-1' },
} as const satisfies CodeTable;
