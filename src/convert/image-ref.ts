/** Docker image references (`[registry/]repository[:tag][@digest]`) as docker save and OCI annotations write them. */
import type { ACIdentifier } from '../schema/types/ac-identifier.js';
import { sanitizeACIdentifier } from '../schema/types/ac-identifier.js';

/** The parts of an image reference. */
export interface ImageReference {
  /** Everything before the tag and digest: `docker.io/library/busybox`, `busybox`, `localhost:5000/app`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Splits a reference into repository, tag and digest. A `:` is a tag separator only after the last `/`
 * (so `localhost:5000/app` has no tag). No validation beyond that: names come from the image itself.
 */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * The fully qualified form Docker compares references in: `busybox` is `docker.io/library/busybox:latest`,
 * `me/app` is `docker.io/me/app:latest`; a registry host (with a dot or port, or `localhost`) is kept.
 */
export function normalizeReference(ref: string): string {
  const { repository, tag, digest } = parseImageReference(ref);
  let repo = repository.toLowerCase();
  const slash = repo.indexOf('/');
  const first = slash === -1 ? '' : repo.slice(0, slash);
  if (slash === -1) repo = `docker.io/library/${repo}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') repo = `docker.io/${repo}`;
  else if (first === 'index.docker.io' || first === 'registry-1.docker.io') repo = 'docker.io' + repo.slice(slash);
  return `${repo}${tag ? ':' + tag : digest ? '' : ':latest'}${digest ? '@' + digest : ''}`;
}

/** True when two references name the same image (after normalizeReference), or `wanted` is a bare tag of `ref`. */
export function referenceMatches(ref: string, wanted: string): boolean {
  if (ref === wanted) return true;
  return normalizeReference(ref) === normalizeReference(wanted);
}

/**
 * The ACIdentifier for a repository: lower-cased, invalid characters turned into `_` (sanitizeACIdentifier),
 * and runs of separators that Docker allows but ACIdentifiers do not (`my__app`, `a--b`) cut to their first
 * character, so the name is valid even in strict mode.
 */
export function imageNameFromRepository(repository: string): ACIdentifier | undefined {
  const name = sanitizeACIdentifier(repository);
  return name === undefined ? undefined : (name.replace(/[-._~/]{2,}/g, (run) => (run === '/~' ? run : run[0]!)) as ACIdentifier);
}
