/** Codes for the manifest documents themselves (spec/aci.md#image-manifest-schema, spec/pods.md; checklist §2). */
import type { CodeTable } from '../issues/codes.js';

/** Codes reported for image and pod manifests as a whole. */
export const MANIFEST_CODES = {
  MANIFEST_UNKNOWN_KIND: {
    severity: 'error',
    summary: 'The document has no acKind, or one that is neither ImageManifest nor PodManifest, so its kind cannot be detected (Go panics here).',
    spec: 'M-KD-1 §8.20',
  },
  MANIFEST_SCHEMA: { severity: 'warning', summary: "The JSON Schema (the spec's structure) rejects a value that the Go-compatible checks accept.", spec: 'schemas/' },
  MANIFEST_PATH_WHITELIST_RELATIVE: { severity: 'warning', summary: 'A pathWhitelist entry is not an absolute path (Go accepts it and treats it as relative to rootfs).', spec: 'A-PW-1 M-IM-2 §8.14' },
  MANIFEST_PATH_WHITELIST_UNCLEAN: {
    severity: 'warning',
    summary:
      'A pathWhitelist entry is not in clean form (`//`, `.` or `..` segments). Go and render both clean it, except that an entry whose `..` climbs above the root matches nothing in Go while render reads it from the root.',
    spec: 'A-PW-1 M-IM-2',
  },
  MANIFEST_PATH_WHITELIST_DUPLICATE: { severity: 'warning', summary: 'A pathWhitelist entry is listed twice.', spec: 'M-IM-2' },
  POD_DUPLICATE_APP: { severity: 'error', summary: 'Two apps of a pod have the same name.', spec: 'M-PM-1' },
  POD_DUPLICATE_VOLUME: { severity: 'error', summary: 'Two volumes of a pod have the same name.', spec: 'M-PM-1' },
  POD_MISSING_ACVERSION: { severity: 'warning', summary: 'The pod manifest has no acVersion (required by the spec; Go only fails when encoding).', spec: 'M-PM-1 §8.13' },
  POD_MISSING_APPS: { severity: 'warning', summary: 'The pod manifest has no apps list (required by the spec; Go accepts it).', spec: 'M-PM-1 §8.13' },
  POD_APP_MISSING_NAME: { severity: 'warning', summary: 'A pod app has no name (required by the spec; Go only fails when encoding).', spec: '§8.13' },
  POD_APP_MISSING_IMAGE_ID: { severity: 'warning', summary: 'A pod app has no image id: the pod is a template, not a runnable (reified) pod.', spec: 'M-PM-2 §8.13' },
  POD_MOUNT_MISSING_FIELD: { severity: 'warning', summary: 'A pod app mount lacks its volume or path (required by the spec; Go accepts it).', spec: '§8.12' },
  POD_MOUNT_UNKNOWN_VOLUME: { severity: 'warning', summary: 'A pod app mount names a volume that the pod does not define.', spec: '§8.12' },
  POD_DUPLICATE_EXPOSED_PORT: { severity: 'warning', summary: 'Two exposed ports of a pod have the same name.', spec: 'spec/pods.md' },
  APP_USER_REQUIRED: { severity: 'error', summary: 'An app has no user (or an empty one).', spec: 'T-AP-1' },
  APP_GROUP_REQUIRED: { severity: 'error', summary: 'An app has no group (or an empty one).', spec: 'T-AP-1' },
  APP_WORKING_DIRECTORY_EMPTY: { severity: 'warning', summary: "An app's workingDirectory is the empty string (Go treats it as absent; the spec asks for an absolute path).", spec: 'T-AP-2' },
  APP_WORKING_DIRECTORY_RELATIVE: { severity: 'error', summary: "An app's workingDirectory is not an absolute path.", spec: 'T-AP-2' },
} as const satisfies CodeTable;
