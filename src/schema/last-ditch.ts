/**
 * Best-effort reading of broken manifests (Go's schema/lastditch; checklist M-LD-1..4): recovers the name,
 * version, labels and app identities so that an error report or a forced operation can still name things.
 */
import { goFieldValue } from './internal/fields.js';

/** What can be recovered from a broken image manifest: plain strings, nothing validated. */
export interface LastDitchImageManifest {
  readonly acVersion: string;
  readonly acKind: string;
  readonly name: string;
  readonly labels: readonly { readonly name: string; readonly value: string }[];
}

/** What can be recovered from a broken pod manifest. */
export interface LastDitchPodManifest {
  readonly acVersion: string;
  readonly acKind: string;
  readonly apps: readonly {
    readonly name: string;
    readonly image: { readonly name: string; readonly id: string; readonly labels: readonly { readonly name: string; readonly value: string }[] };
  }[];
}

const field = goFieldValue;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function labels(v: unknown): { name: string; value: string }[] {
  return Array.isArray(v) ? v.map((l) => ({ name: str(field(l, 'name')), value: str(field(l, 'value')) })) : [];
}

/** Recovers what it can from a decoded (possibly invalid) image manifest. */
export function lastDitchImage(value: unknown): LastDitchImageManifest {
  return { acVersion: str(field(value, 'acVersion')), acKind: str(field(value, 'acKind')), name: str(field(value, 'name')), labels: labels(field(value, 'labels')) };
}

/** Recovers what it can from a decoded (possibly invalid) pod manifest. */
export function lastDitchPod(value: unknown): LastDitchPodManifest {
  const apps = field(value, 'apps');
  return {
    acVersion: str(field(value, 'acVersion')),
    acKind: str(field(value, 'acKind')),
    apps: Array.isArray(apps)
      ? apps.map((a) => {
          const image = field(a, 'image');
          return { name: str(field(a, 'name')), image: { name: str(field(image, 'name')), id: str(field(image, 'id')), labels: labels(field(image, 'labels')) } };
        })
      : [],
  };
}
