/** Choosing one image from what an input offers: by reference, then by platform (OCI image-spec image-index.md). */
import { convertError } from './codes.js';
import { referenceMatches } from './image-ref.js';
import type { ImageCandidate } from './oci-layout.js';
import type { Platform, PlatformRequest } from './platform.js';
import { formatPlatform, normalizePlatform, platformMatches } from './platform.js';

/** What to choose by. */
export interface SelectImageOptions {
  /** A reference (`busybox:1.36`, `docker.io/library/busybox:1.36`) or a bare tag (`latest`). */
  readonly image?: string;
  /** What the caller asked for; absent fields are taken from `host` when an index must be chosen from. */
  readonly platform?: PlatformRequest;
  /** The machine's platform: the default choice in a multi-platform index. */
  readonly host: Platform;
  /** The input, for messages. */
  readonly file: string;
}

/** The choice. */
export interface Selection {
  readonly candidate: ImageCandidate;
  /** Its platform, when the index or its config said. */
  readonly platform?: Platform;
}

function label(c: ImageCandidate): string {
  return c.names[0] ?? c.tags[0] ?? '';
}

function describe(c: ImageCandidate): string {
  return label(c) || `unnamed image ${c.manifest.digest.text}`;
}

/**
 * Chooses the candidate: those named `image` (when given); then one image only (several distinct names is
 * CONVERT_AMBIGUOUS_IMAGE); then, among several platforms, the one matching the request (filled in from the
 * host), preferring the requested or host variant. `platformOf` finds the platform of an entry whose index
 * descriptor has none (by reading its config).
 * @throws AppcError CONVERT_IMAGE_NOT_FOUND, CONVERT_AMBIGUOUS_IMAGE, CONVERT_NO_MATCHING_PLATFORM.
 */
export async function selectImage(
  candidates: readonly ImageCandidate[],
  skipped: readonly string[],
  options: SelectImageOptions,
  platformOf: (c: ImageCandidate) => Promise<Platform | undefined>,
): Promise<Selection> {
  if (candidates.length === 0) {
    if (skipped.length > 0) throw convertError('CONVERT_UNKNOWN_MEDIA_TYPE', `the input holds no container image: only ${skipped.join(', ')}`, { file: options.file });
    throw convertError('CONVERT_IMAGE_NOT_FOUND', 'the input lists no images', { file: options.file });
  }
  let list = candidates;
  if (options.image !== undefined) {
    const wanted = options.image;
    list = candidates.filter((c) => c.tags.includes(wanted) || c.names.some((n) => referenceMatches(n, wanted)));
    if (list.length === 0) {
      const known = [...new Set(candidates.map(describe))];
      throw convertError('CONVERT_IMAGE_NOT_FOUND', `no image named ${JSON.stringify(wanted)} in the input; it holds: ${known.join(', ')}`, { file: options.file });
    }
  }
  const keys = [...new Set(list.map(label))];
  if (keys.length > 1) {
    throw convertError(
      'CONVERT_AMBIGUOUS_IMAGE',
      `the input holds ${keys.length} images; choose one with --image: ${list
        .map(describe)
        .filter((v, i, a) => a.indexOf(v) === i)
        .join(', ')}`,
      { file: options.file },
    );
  }
  const withPlatforms: { candidate: ImageCandidate; platform: Platform | undefined }[] = [];
  for (const c of list) withPlatforms.push({ candidate: c, platform: c.platform ?? (list.length > 1 || options.platform ? await platformOf(c) : undefined) });

  const request = options.platform ?? {};
  const explicit = request.os !== undefined || request.architecture !== undefined || request.variant !== undefined;
  if (withPlatforms.length === 1) {
    const only = withPlatforms[0]!;
    // A single image is converted whatever the host; only an explicit request is checked.
    if (explicit && only.platform && !platformMatches(only.platform, request)) {
      const asked = normalizePlatform({
        os: request.os ?? only.platform.os,
        architecture: request.architecture ?? only.platform.architecture,
        ...(request.variant !== undefined ? { variant: request.variant } : {}),
      });
      throw convertError('CONVERT_NO_MATCHING_PLATFORM', `the image is for ${formatPlatform(only.platform)}, not ${formatPlatform(asked)}`, { file: options.file });
    }
    return only.platform ? { candidate: only.candidate, platform: only.platform } : { candidate: only.candidate };
  }
  const wanted: PlatformRequest = {
    os: request.os ?? options.host.os,
    architecture: request.architecture ?? options.host.architecture,
    ...(request.variant !== undefined ? { variant: request.variant } : {}),
  };
  const matching = withPlatforms.filter((p) => p.platform !== undefined && platformMatches(p.platform, wanted));
  if (matching.length === 0) {
    const available = withPlatforms.map((p) => (p.platform ? formatPlatform(p.platform) : `unknown (${p.candidate.manifest.digest.text})`));
    throw convertError(
      'CONVERT_NO_MATCHING_PLATFORM',
      `no image for ${formatPlatform(normalizePlatform(wanted))}${explicit ? '' : ' (this machine)'}; the index has: ${available.join(', ')}; choose one with --os, --arch and --variant`,
      { file: options.file },
    );
  }
  // Several variants of the architecture: the asked one, else the host's (normalized: arm means v7, arm64 v8).
  const preferred = normalizePlatform(
    request.variant !== undefined ? wanted : { ...wanted, ...(options.host.architecture === normalizePlatform(wanted).architecture && options.host.variant ? { variant: options.host.variant } : {}) },
  ).variant;
  const best = matching.find((p) => normalizePlatform(p.platform!).variant === preferred) ?? matching[0]!;
  return { candidate: best.candidate, platform: best.platform! };
}
