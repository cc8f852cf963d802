/**
 * Which Go types of the reference have their own decoder (UnmarshalJSON or UnmarshalText), by position in a
 * manifest. Go decodes every occurrence of a repeated key; an earlier occurrence that a later one overrides
 * fails the document only through a wrong JSON type or through a decoder at or below it (for example
 * ACIdentifier, Labels, App). Checks that belong to an enclosing type (App's "user is required", the label
 * value rules of Labels) only ever see the last value. Checked against appc/spec v0.8.11 schema/*.go.
 */
import { splitPointer } from '../../issues/json-pointer.js';
import type { Issue } from '../../issues/issue.js';
import { goFold } from './go-fold.js';

const APP = ['exec', 'environment', 'eventhandlers/*', 'eventhandlers/*/exec', 'mountpoints/*/name', 'ports/*', 'isolators/*', 'isolators/*/name'];
const LABELS = ['labels', 'labels/*/name'];
const ANNOTATIONS = ['annotations', 'annotations/*/name'];
const prefixed = (prefix: string, list: readonly string[]): string[] => list.map((p) => `${prefix}/${p}`);

/** Folded paths (`*` for an array index or map key) whose Go type has its own decoder. */
const DECODERS = new Set<string>([
  '',
  // ImageManifest
  'ackind',
  'acversion',
  'name',
  ...LABELS,
  'app',
  ...prefixed('app', APP),
  ...ANNOTATIONS,
  'dependencies/*',
  'dependencies/*/imagename',
  'dependencies/*/imageid',
  ...prefixed('dependencies/*', LABELS),
  // PodManifest
  'apps',
  'apps/*/name',
  'apps/*/image/name',
  'apps/*/image/id',
  ...prefixed('apps/*/image', LABELS),
  'apps/*/app',
  ...prefixed('apps/*/app', APP),
  'apps/*/mounts/*/volume',
  'apps/*/mounts/*/appvolume',
  'apps/*/mounts/*/appvolume/name',
  ...prefixed('apps/*', ANNOTATIONS),
  'volumes/*',
  'volumes/*/name',
  'isolators/*',
  'isolators/*/name',
  'ports/*/name',
  'ports/*/hostip',
]);

/** Folded paths held as raw JSON (json.RawMessage): no occurrence is decoded until the last one. */
const RAW = new Set<string>(['app/isolators/*/value', 'apps/*/app/isolators/*/value', 'isolators/*/value']);

/** Codes raised by the manifest's own check whatever the path (Go's ImageManifest/PodManifest assertValid). */
const ROOT_CODES = new Set(['MANIFEST_WRONG_KIND']);

/** Codes raised by a collection's own check (duplicates), owned by the type holding the collection. */
const COLLECTION_CODES = /DUPLICATE/;

const JSON_TYPE_CODES = new Set(['JSON_WRONG_TYPE', 'JSON_NOT_INTEGER', 'JSON_NUMBER_OUT_OF_RANGE']);

function foldedTokens(path: string): string[] {
  let tokens: string[];
  try {
    tokens = splitPointer(path);
  } catch {
    return [];
  }
  // Array indexes and map keys become '*'; field names are folded as Go matches them.
  return tokens.map((t, n) => (/^[0-9]+$/.test(t) || (n > 0 && /^user(annotations|labels)$/.test(goFold(tokens[n - 1]!))) ? '*' : goFold(t)));
}

/** Depth (number of tokens) of the nearest ancestor-or-self of `tokens` whose Go type has a decoder. */
function ownerDepth(tokens: readonly string[], code: string): number {
  if (ROOT_CODES.has(code)) return 0;
  let end = tokens.length;
  if (COLLECTION_CODES.test(code)) {
    // A duplicate is found by the type that holds the list: start above the last array index.
    const index = tokens.lastIndexOf('*');
    if (index >= 0) end = index - 1;
  }
  for (let d = end; d > 0; d--) if (DECODERS.has(tokens.slice(0, d).join('/'))) return d;
  return 0;
}

/**
 * Whether Go, decoding an earlier occurrence at `path`, fails with `issue` (found by checking that value in
 * place of the last one). Only errors count; raw values are never decoded.
 */
export function goRejectsEarlier(path: string, issue: Issue): boolean {
  if (issue.severity !== 'error') return false;
  if (issue.path !== path && !issue.path.startsWith(path + '/')) return false;
  const at = foldedTokens(path);
  if (RAW.has(at.join('/'))) return false;
  if (JSON_TYPE_CODES.has(issue.code)) return true;
  return ownerDepth(foldedTokens(issue.path), issue.code) >= at.length;
}
