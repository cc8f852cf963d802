/** Codes for the image store and dependency rendering (spec/aci.md "Dependency Matching", spec/ace.md "Filesystem Setup"; checklist §4). */
import type { CodeTable } from '../issues/codes.js';

/** Issues and errors of the store and the renderer. */
export const RENDER_CODES = {
  RENDER_IMAGE_NOT_FOUND: { severity: 'error', summary: 'The image to render is not in the store (by image ID, or by name and labels).' },
  RENDER_DEPENDENCY_NOT_FOUND: { severity: 'error', summary: 'A dependency is not in the store; the message names the chain that needs it.', spec: 'R-DL-1' },
  RENDER_DEPENDENCY_CYCLE: { severity: 'error', summary: 'Dependencies form a cycle (Go loops forever); the message names the chain.', spec: 'R-DL-3 §8.17' },
  RENDER_HASH_MISMATCH: { severity: 'error', summary: "An image's bytes do not hash to its image ID.", spec: 'R-SE-9 T-DP-3' },
  RENDER_SIZE_MISMATCH: { severity: 'warning', summary: "A dependency's size differs from the size given in the manifest (the spec says the executor SHOULD check it).", spec: 'T-DP-3' },
  RENDER_DEPENDENCY_LABEL_MISMATCH: {
    severity: 'warning',
    summary: 'A dependency found by image ID has a different name or labels than the manifest asks for (Go does not check).',
    spec: 'R-DL-3 §8.17',
  },
  RENDER_WHITELIST_RELATIVE: { severity: 'warning', summary: 'A pathWhitelist entry is not absolute; like Go it is read relative to rootfs.', spec: 'A-PW-2 §8.14' },
  RENDER_PATH_CONFLICT: {
    severity: 'warning',
    summary:
      'A lower image has a file, link or symlink where an upper image has entries below (so needs a directory); the lower entry is left out (Go keeps it, and extracting then fails or writes through the symlink).',
    spec: 'R-SE-6 R-SE-7',
  },
  RENDER_TARGET_NOT_EMPTY: { severity: 'error', summary: 'The render target exists and is not an empty directory; a rootfs is rendered into an empty directory.', spec: 'R-OUT-1' },
  RENDER_TOO_DEEP: { severity: 'error', summary: 'The dependency tree is larger than the limit (option maxImages).' },
  STORE_LOCKED: { severity: 'error', summary: 'Another process holds the store lock longer than the time-out.' },
  STORE_INVALID_IMAGE: { severity: 'error', summary: 'An image given to `store add` does not validate; nothing was added.' },
  STORE_CORRUPT_ENTRY: {
    severity: 'error',
    summary: 'A store index file cannot be read, has an invalid manifest, or its blob is missing or of the wrong size; the entry is left out of look-ups (gc removes it).',
  },
  STORE_FOREIGN_FILE: { severity: 'warning', summary: 'The store directory holds a file the store did not write; it is ignored (gc leaves it).' },
  STORE_AMBIGUOUS_ID: { severity: 'error', summary: 'An image ID prefix matches more than one image.' },
  STORE_NOT_A_STORE: { severity: 'error', summary: 'The path exists but is not a store directory.' },
} as const satisfies CodeTable;
