/**
 * Signatures and trust (spec/aci.md#image-archives; checklist S-1..S-6): verify detached OpenPGP
 * signatures of image archives against trusted keys, read keys, decrypt encrypted archives.
 * The only area that uses openpgp, and it loads it lazily on first use.
 */
export { SIGNATURE_CODES } from './codes.js';
export type { SignatureCode } from './codes.js';
export { readPublicKeys, normalizeFingerprint, formatFingerprint, isFingerprint, looksArmored } from './keys.js';
export type { PublicKeyInfo, ReadPublicKeysOptions } from './keys.js';
export { MemoryKeyRing, validatePrefix, prefixCovers, coveringPrefixes, formatScope, scopeOf } from './keystore.js';
export type { KeyRing, TrustedKey, TrustScope, AddedKey, RemovedKey } from './keystore.js';
export { verifyAci, prepareVerifyAci } from './verify.js';
export type { SignatureCheck, VerifyAciOptions, SignatureInput, PreparedVerification } from './verify.js';
export { detectEncryption, decryptAci, maybeDecrypt, ENCRYPTION_SNIFF_BYTES } from './encryption.js';
export type { EncryptionKind, DecryptOptions, MaybeDecrypted } from './encryption.js';
export type { ByteInput } from './internal/streams.js';
export { fetchPublicKeys, discoverPublicKeysToTrust, DEFAULT_MAX_KEY_BYTES, DEFAULT_KEY_TIMEOUT_MS } from './trust.js';
export type { FetchPublicKeysOptions, DiscoverKeysOptions, DiscoveredKeys } from './trust.js';
export { SIGN_CODES } from './sign-codes.js';
export type { SignCode } from './sign-codes.js';
export { signAci, readSigningKey } from './sign.js';
export type { OpenPGPPrivateKey, SigningKey, SignAciOptions, ReadSigningKeyOptions, DetachedSignature } from './sign.js';
