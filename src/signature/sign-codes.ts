/** Codes of signing: reading a private key and making a detached signature (spec/aci.md#image-archives; checklist S-2). */
import type { CodeTable } from '../issues/codes.js';

/** Errors thrown (as `AppcError`) by `readSigningKey` and `signAci`. */
export const SIGN_CODES = {
  SIGN_KEY_MALFORMED: { severity: 'error', summary: 'The signing key file is not an OpenPGP private key (bad armor or packets, or it holds several keys).', spec: 'S-2' },
  SIGN_KEY_NOT_PRIVATE: { severity: 'error', summary: 'The signing key file holds only a public key; signing needs the private (secret) key, e.g. gpg --export-secret-keys.', spec: 'S-2' },
  SIGN_PASSPHRASE_REQUIRED: { severity: 'error', summary: 'The private key is protected by a passphrase and none was given (--passphrase-file).', spec: 'S-2' },
  SIGN_WRONG_PASSPHRASE: { severity: 'error', summary: 'The passphrase does not unlock the private key.', spec: 'S-2' },
  SIGN_KEY_UNUSABLE: { severity: 'error', summary: 'The key cannot make signatures now: expired, revoked, or it has no usable signing (sub)key.', spec: 'S-2 S-4' },
} as const satisfies CodeTable;

/** One code of {@link SIGN_CODES}. */
export type SignCode = keyof typeof SIGN_CODES;
