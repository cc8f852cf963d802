/** The `--keystore=DIR` option shared by trust, verify and fetch, and the exit code for signature-area errors. */
import { resolve } from 'node:path';
import { isAppcError } from '../issues/appc-error.js';
import { Keystore, keystoreFromRoot } from '../node/keystore.js';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/** Help text for `--keystore`. */
export const KEYSTORE_HELP = [
  '  --keystore=DIR   Keystore root: DIR/system (read-only keys) and DIR/local (where keys are added).',
  '                   A DIR that already holds root.d or prefix.d is used as the local directory itself.',
  '                   Default: $ACTOOL_KEYSTORE, else rkt\'s /usr/lib/rkt/trustedkeys and /etc/rkt/trustedkeys.',
].join('\n');

/** Opens the keystore named by `--keystore`, `$ACTOOL_KEYSTORE`, or rkt's default directories. */
export function openKeystore(flag: string | undefined, io: CliIO): Keystore {
  const dir = flag ?? io.env['ACTOOL_KEYSTORE'];
  return dir === undefined || dir === '' ? new Keystore() : keystoreFromRoot(resolve(io.cwd, dir));
}

/** Codes that mean bad input from the user rather than an I/O failure (exit 1, not 3). */
const INVALID_INPUT = new Set([
  'KEY_MALFORMED',
  'KEYSTORE_BAD_PREFIX',
  'KEYSTORE_BAD_FINGERPRINT',
  'KEYSTORE_KEY_NOT_FOUND',
  'KEYSTORE_CONFLICT',
  'TRUST_NO_PUBKEYS',
  'ENCRYPTION_PASSPHRASE_REQUIRED',
  'ENCRYPTION_WRONG_PASSPHRASE',
  'ENCRYPTION_CORRUPT',
  'ENCRYPTION_UNSUPPORTED',
]);

/**
 * The exit code for a thrown error: 1 for invalid input (a bad key, prefix or passphrase), 3 for I/O,
 * every network failure (`HTTP_*`, including refused URLs, redirects and certificates) and keystore failures.
 */
export function exitCodeFor(e: unknown): number {
  return isAppcError(e) && INVALID_INPUT.has(e.code) ? EXIT.INVALID : EXIT.IO;
}
