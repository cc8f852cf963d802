/** Codes for reading inputs from the file system. */
import type { CodeTable } from '../issues/codes.js';

/** Codes reported when a path cannot be read or classified. */
export const FILE_CODES = {
  FILE_UNREADABLE: { severity: 'error', summary: 'The file or directory cannot be read (missing, no permission, or an I/O error).' },
  FILE_UNKNOWN_TYPE: { severity: 'error', summary: 'The type of the file cannot be detected from its first bytes; pass --type.', spec: 'A-CD-1' },
  FILE_WRITE_FAILED: { severity: 'error', summary: 'An output file or directory cannot be created or written (no permission, no space left, ...).' },
  FILE_WRONG_TYPE: { severity: 'error', summary: 'The path does not fit the requested --type (for example a directory given as a manifest).' },
} as const satisfies CodeTable;
