/** Gzip in sized members (the gzip this library writes, aci/gzip-members.ts) cut at chosen places, for tests. */
import { gzipSync } from 'node:zlib';
import { MEMBER_HEADER_BYTES, sizedMemberHeader } from '../../src/aci/gzip-members.js';

/**
 * `tar` as sized gzip members holding `sizes[0]`, `sizes[1]`, ... bytes of it in turn (cycling through `sizes`):
 * members that need not end on tar blocks, as a writer other than ours could cut them.
 */
export function sizedMembers(tar: Uint8Array, sizes: readonly number[]): Buffer {
  const members: Buffer[] = [];
  for (let o = 0, i = 0; o < tar.length; i++) {
    const block = tar.subarray(o, o + sizes[i % sizes.length]!);
    o += block.length;
    const body = gzipSync(block).subarray(10);
    members.push(sizedMemberHeader(MEMBER_HEADER_BYTES + body.length), body);
  }
  return Buffer.concat(members);
}
