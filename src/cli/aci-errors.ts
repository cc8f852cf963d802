/** Exit codes and messages for failed commands: invalid input exits 1, I/O and network failures 3. */
import { isAppcError } from '../issues/appc-error.js';
import { formatError } from './format-error.js';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/**
 * Prints a failure of an archive command and returns its exit code. `path` is the file being worked on,
 * named in the message when the error itself carries no path.
 */
export function reportFailure(io: CliIO, command: string, e: unknown, path?: string): number {
  io.stderr(`${command}: ${formatError(e, path)}\n`);
  // AppcErrors describe the input (damaged archive, unsafe entry, bad name), except a failed write; anything else is I/O.
  return isAppcError(e) && e.code !== 'ACI_WRITE_FAILED' ? EXIT.INVALID : EXIT.IO;
}

/** Codes of the signature area that mean bad input from the user rather than an I/O failure (exit 1, not 3). */
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
 * The exit code for a failure of trust, verify or fetch: 1 for invalid input (a bad key, prefix or
 * passphrase, a keystore conflict), 3 for I/O, keystore failures and every network failure (`HTTP_*`,
 * including refused URLs, redirects and certificates).
 */
export function exitCodeFor(e: unknown): number {
  return isAppcError(e) && INVALID_INPUT.has(e.code) ? EXIT.INVALID : EXIT.IO;
}
