/** Codes of the signature area: verification issues, key and keystore errors, encryption errors (spec/aci.md#image-archives; checklist S-1..S-6). */
import type { CodeTable } from '../issues/codes.js';

/**
 * Codes for signatures, trusted keys, the keystore and encrypted images.
 * `SIGNATURE_*` are issues in a SignatureCheck, `FETCH_IMAGE_INVALID` an issue of a fetch result; the
 * others are thrown as `AppcError`.
 */
export const SIGNATURE_CODES = {
  // Issues of a signature check.
  SIGNATURE_MISSING: { severity: 'error', summary: 'No signature was given or found for the image (no .aci.asc file or URL).', spec: 'S-2 S-3' },
  SIGNATURE_MALFORMED: { severity: 'error', summary: 'The signature is not a readable OpenPGP detached signature (bad armor, bad packets, or another kind of OpenPGP data).', spec: 'S-2' },
  SIGNATURE_NOT_ARMORED: { severity: 'warning', summary: 'The signature is binary OpenPGP; the spec requires an ASCII-armored detached signature. It is still verified.', spec: 'S-2' },
  SIGNATURE_UNKNOWN_SIGNER: { severity: 'error', summary: 'The signature was made by a key that is not in the keystore at all.', spec: 'S-4' },
  SIGNATURE_KEY_NOT_TRUSTED_FOR_PREFIX: { severity: 'error', summary: 'The signing key is in the keystore, but only for prefixes that do not cover the image name.', spec: 'S-4' },
  SIGNATURE_KEY_EXPIRED: { severity: 'error', summary: 'The signing key (or its signing subkey) has expired.', spec: 'S-4' },
  SIGNATURE_KEY_REVOKED: { severity: 'error', summary: 'The signing key (or its signing subkey) has been revoked.', spec: 'S-4' },
  SIGNATURE_KEY_INVALID: { severity: 'error', summary: 'The trusted key cannot make valid signatures (no valid self-signature, not a signing key, or a rejected algorithm).', spec: 'S-4' },
  SIGNATURE_MISMATCH: { severity: 'error', summary: 'The signature does not match the bytes of the image: the image was changed, truncated, or the signature belongs to another file.', spec: 'S-1' },
  SIGNATURE_INVALID: {
    severity: 'error',
    summary: 'The signature is from a trusted key but is not acceptable (rejected hash algorithm, signature expired, made before the key existed).',
    spec: 'S-1',
  },
  // Thrown: keys.
  KEY_MALFORMED: { severity: 'error', summary: 'A key file or download is not an OpenPGP public key (or key bundle).', spec: 'S-4' },
  // Thrown: keystore.
  KEYSTORE_BAD_PREFIX: { severity: 'error', summary: 'A trust prefix is not a valid image name prefix (an ACIdentifier with no empty, "." or ".." segments).', spec: 'S-4' },
  KEYSTORE_BAD_FILE: { severity: 'error', summary: 'A file in the keystore is unreadable, not named by a fingerprint, or does not hold one OpenPGP public key.', spec: 'S-4' },
  KEYSTORE_FINGERPRINT_MISMATCH: { severity: 'error', summary: 'A keystore file holds a key whose fingerprint differs from the file name.', spec: 'S-4' },
  KEYSTORE_KEY_NOT_FOUND: { severity: 'error', summary: 'The fingerprint to remove is not in the keystore.', spec: 'S-4' },
  KEYSTORE_CONFLICT: {
    severity: 'error',
    summary:
      'A key cannot be stored because the rkt layout already uses its path for something else: prefix X/<fingerprint> is a directory where the key file of prefix X would go, or the other way round.',
    spec: 'S-4',
  },
  KEYSTORE_BAD_FINGERPRINT: { severity: 'error', summary: 'A fingerprint argument is not 40 (v4) or 64 (v6) hexadecimal digits.', spec: 'S-4' },
  // Thrown: trust (adding keys from discovery or URLs).
  TRUST_NO_PUBKEYS: { severity: 'error', summary: 'Discovery found no ac-discovery-pubkeys URL for the prefix.', spec: 'spec/discovery.md#discovery-url S-4' },
  // Thrown: encryption.
  ENCRYPTION_PASSPHRASE_REQUIRED: { severity: 'error', summary: 'The image is OpenPGP-encrypted and no passphrase was given.', spec: 'S-5' },
  ENCRYPTION_WRONG_PASSPHRASE: { severity: 'error', summary: 'The passphrase does not decrypt the image (or the encrypted data is corrupt from its first bytes).', spec: 'S-5' },
  ENCRYPTION_CORRUPT: { severity: 'error', summary: 'The encrypted image failed its integrity check or is truncated; nothing decrypted from it may be trusted.', spec: 'S-5' },
  ENCRYPTION_UNSUPPORTED: { severity: 'error', summary: 'The image is encrypted to public keys only; images are decrypted with a passphrase (PGP symmetric encryption).', spec: 'S-5' },
  // Fetch: issues of a fetch result (its downloads throw the HTTP_* codes of the shared HTTP layer).
  FETCH_IMAGE_INVALID: { severity: 'error', summary: 'The fetched image is not a valid ACI (its archive issues follow); nothing was written.', spec: 'spec/aci.md#image-archives' },
} as const satisfies CodeTable;

/** One code of {@link SIGNATURE_CODES}. */
export type SignatureCode = keyof typeof SIGNATURE_CODES;
