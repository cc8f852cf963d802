/** Finds a prefix's public key URLs by discovery, for `actool trust --prefix=P` with no key given. */
import { AppcError } from '../issues/appc-error.js';
import type { CliIO } from './io.js';

/** The ac-discovery-pubkeys URLs for a prefix. @throws AppcError `TRUST_NO_PUBKEYS`. */
export async function discoverPublicKeyUrls(prefix: string, _io: CliIO, _allowHttp: boolean): Promise<string[]> {
  throw new AppcError('TRUST_NO_PUBKEYS', `cannot discover keys for ${prefix}: discovery is not available in this build; give a KEYFILE or URL`);
}
