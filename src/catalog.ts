/** Every issue and error code of the library, by area; docs/errors.md is generated from this list. */
import type { CodeTable } from './issues/codes.js';
import { JSON_CODES } from './schema/codes.js';
import { AC_IDENTIFIER_CODES } from './schema/types/ac-identifier.js';
import { QUANTITY_CODES } from './schema/types/quantity.js';
import { ISOLATOR_CODES } from './schema/types/isolator.js';
import { RESOURCE_ISOLATOR_CODES } from './schema/types/isolators/resource.js';
import { LINUX_ISOLATOR_CODES } from './schema/types/isolators/linux.js';
import { MOUNT_POINT_CODES } from './schema/types/mount-point.js';
import { PORT_CODES } from './schema/types/port.js';
import { VOLUME_CODES } from './schema/types/volume.js';

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
  { title: 'Resource quantity', codes: QUANTITY_CODES },
  { title: 'Isolators', codes: ISOLATOR_CODES },
  { title: 'Resource isolator values', codes: RESOURCE_ISOLATOR_CODES },
  { title: 'Linux isolator values', codes: LINUX_ISOLATOR_CODES },
  { title: 'MountPoint', codes: MOUNT_POINT_CODES },
  { title: 'Port and ExposedPort', codes: PORT_CODES },
  { title: 'Volume', codes: VOLUME_CODES },
  // manifests
  // aci
  // discovery
  // signature
  // render
  // convert
];

/** Looks up a code in every table. */
export function codeInfo(code: string): { readonly section: string; readonly severity: string; readonly summary: string; readonly spec?: string } | undefined {
  for (const s of CODE_SECTIONS) {
    const info = s.codes[code];
    if (info) return { section: s.title, ...info };
  }
  return undefined;
}
