/** Every issue and error code of the library, by area; docs/errors.md is generated from this list. */
import type { CodeTable } from './issues/codes.js';
import { RENDER_CODES } from './render/codes.js';
import { CONVERT_CODES } from './convert/codes.js';
import { JSON_CODES } from './schema/codes.js';
import { AC_IDENTIFIER_CODES } from './schema/types/ac-identifier.js';
import { ACI_CODES } from './aci/codes.js';
import { AC_NAME_CODES } from './schema/types/ac-name.js';
import { MANIFEST_CODES } from './schema/manifest-codes.js';
import { FILE_CODES } from './node/codes.js';
import { AC_KIND_CODES } from './schema/types/ac-kind.js';
import { SEMVER_CODES } from './schema/types/semver.js';
import { IMAGE_ID_CODES } from './schema/types/image-id.js';
import { DATE_CODES } from './schema/types/date.js';
import { URL_CODES } from './schema/types/url.js';
import { UUID_CODES } from './schema/types/uuid.js';
import { LABELS_CODES } from './schema/types/labels.js';
import { ANNOTATIONS_CODES } from './schema/types/annotations.js';
import { ENVIRONMENT_CODES } from './schema/types/environment.js';
import { EVENT_HANDLER_CODES } from './schema/types/event-handlers.js';
import { SIGNATURE_CODES } from './signature/codes.js';
import { QUANTITY_CODES } from './schema/types/quantity.js';
import { ISOLATOR_CODES } from './schema/types/isolator.js';
import { RESOURCE_ISOLATOR_CODES } from './schema/types/isolators/resource.js';
import { LINUX_ISOLATOR_CODES } from './schema/types/isolators/linux.js';
import { MOUNT_POINT_CODES } from './schema/types/mount-point.js';
import { PORT_CODES } from './schema/types/port.js';
import { VOLUME_CODES } from './schema/types/volume.js';
import { DEPENDENCY_CODES } from './schema/types/dependencies.js';
import { DISCOVERY_CODES } from './discovery/codes.js';
import { HTTP_CODES } from './discovery/http-codes.js';
import { SIGN_CODES } from './signature/sign-codes.js';
import { PUBLISH_CODES } from './publish/codes.js';

/** An area's table with a title for the docs. */
export interface CodeSection {
  readonly title: string;
  readonly codes: CodeTable;
}

/** All code tables, in the order the docs list them. */
export const CODE_SECTIONS: readonly CodeSection[] = [
  { title: 'JSON and document structure', codes: JSON_CODES },
  // schema/types (one line per type module)
  { title: 'ACIdentifier', codes: AC_IDENTIFIER_CODES },
  { title: 'ACName', codes: AC_NAME_CODES },
  { title: 'ACKind', codes: AC_KIND_CODES },
  { title: 'AC Version (SemVer)', codes: SEMVER_CODES },
  { title: 'Image ID', codes: IMAGE_ID_CODES },
  { title: 'Timestamps (Date)', codes: DATE_CODES },
  { title: 'URL', codes: URL_CODES },
  { title: 'UUID', codes: UUID_CODES },
  { title: 'Labels', codes: LABELS_CODES },
  { title: 'Annotations', codes: ANNOTATIONS_CODES },
  { title: 'Environment', codes: ENVIRONMENT_CODES },
  { title: 'Event handlers', codes: EVENT_HANDLER_CODES },
  { title: 'Resource quantity', codes: QUANTITY_CODES },
  { title: 'Isolators', codes: ISOLATOR_CODES },
  { title: 'Resource isolator values', codes: RESOURCE_ISOLATOR_CODES },
  { title: 'Linux isolator values', codes: LINUX_ISOLATOR_CODES },
  { title: 'MountPoint', codes: MOUNT_POINT_CODES },
  { title: 'Port and ExposedPort', codes: PORT_CODES },
  { title: 'Volume', codes: VOLUME_CODES },
  { title: 'Dependencies', codes: DEPENDENCY_CODES },
  // manifests
  { title: 'Manifests', codes: MANIFEST_CODES },
  { title: 'Files', codes: FILE_CODES },
  // aci
  { title: 'ACI archives and image layouts', codes: ACI_CODES },
  // discovery
  { title: 'Discovery', codes: DISCOVERY_CODES },
  { title: 'HTTP downloads', codes: HTTP_CODES },
  // signature
  { title: 'Signatures, keys, keystore and encryption', codes: SIGNATURE_CODES },
  // render
  { title: 'Image store and rendering', codes: RENDER_CODES },
  // convert
  { title: 'Docker and OCI conversion', codes: CONVERT_CODES },
  // signing and publishing
  { title: 'Signing', codes: SIGN_CODES },
  { title: 'Publishing and serving discovery sites', codes: PUBLISH_CODES },
];

/** Looks up a code in every table. */
export function codeInfo(code: string): { readonly section: string; readonly severity: string; readonly summary: string; readonly spec?: string } | undefined {
  for (const s of CODE_SECTIONS) {
    const info = s.codes[code];
    if (info) return { section: s.title, ...info };
  }
  return undefined;
}
