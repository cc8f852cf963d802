/** The record a site keeps of itself (`_appc/site.json`): base URL, images, pages. It makes republishing idempotent. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { ImageKey } from './site-layout.js';
import { STATE_FILE } from './site-layout.js';

/** One image on the site. */
export interface PublishedImage extends ImageKey {
  /** `sha512-<hex>` of the uncompressed tar (the image ID). */
  readonly imageId: string;
  /** `sha512-<hex>` of the archive bytes as served: what "same content" means. */
  readonly archiveDigest: string;
  /** Archive size in bytes. */
  readonly size: number;
  /** Fingerprint of the key whose signature is published. */
  readonly signedBy: string;
  /** When it was first published (ISO 8601). */
  readonly published: string;
}

/** The whole record. */
export interface SiteState {
  readonly format: 'appc-site/1';
  readonly baseUrl: string;
  readonly images: readonly PublishedImage[];
  /** Page files written, relative to the site root. */
  readonly pages: readonly string[];
}

function damaged(site: string, why: string, cause?: unknown): AppcError {
  return new AppcError('PUBLISH_SITE_DAMAGED', `${STATE_FILE} ${why}`, { file: join(site, STATE_FILE), ...(cause === undefined ? {} : { cause }) });
}

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Reads a site's record; undefined when the file does not exist.
 * @throws AppcError `PUBLISH_SITE_DAMAGED` when it exists but is not a record this version writes.
 */
export async function readSiteState(site: string): Promise<SiteState | undefined> {
  let text: string;
  try {
    text = await readFile(join(site, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw damaged(site, 'is not JSON', e);
  }
  const v = value as Partial<SiteState> | null;
  if (v === null || typeof v !== 'object' || v.format !== 'appc-site/1' || !isString(v.baseUrl) || !Array.isArray(v.images) || !Array.isArray(v.pages)) {
    throw damaged(site, 'is not an appc-site/1 record');
  }
  for (const i of v.images as unknown[]) {
    const im = i as Partial<PublishedImage> | null;
    const ok = im !== null && typeof im === 'object' && [im.name, im.version, im.os, im.arch, im.imageId, im.archiveDigest, im.signedBy, im.published].every(isString) && typeof im.size === 'number';
    if (!ok) throw damaged(site, `has a malformed image entry: ${JSON.stringify(i)}`);
  }
  if (!(v.pages as unknown[]).every(isString)) throw damaged(site, 'has a malformed page list');
  return v as SiteState;
}

/** The record as written: stable key order and indentation, so an unchanged site rewrites the same bytes. */
export function formatSiteState(state: SiteState): string {
  const images = state.images.map((i) => ({
    name: i.name,
    version: i.version,
    os: i.os,
    arch: i.arch,
    imageId: i.imageId,
    archiveDigest: i.archiveDigest,
    size: i.size,
    signedBy: i.signedBy,
    published: i.published,
  }));
  return `${JSON.stringify({ format: state.format, baseUrl: state.baseUrl, images, pages: state.pages }, null, 2)}\n`;
}
