/** File-based signature helpers: verify an `.aci` file with its `.aci.asc`, decrypt an encrypted file (checklist S-1, S-2, S-5). */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KeyRing } from '../signature/keystore.js';
import type { SignatureCheck, VerifyAciOptions } from '../signature/verify.js';
import { verifyAci } from '../signature/verify.js';

/** Read size for streaming images: large enough to keep openpgp's per-chunk overhead small. */
const CHUNK = 1 << 20;

/** Options of {@link verifyAciFile}. */
export type VerifyAciFileOptions = Omit<VerifyAciOptions, 'imageLabel' | 'signatureLabel'>;

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Verifies an image file against its detached signature, streaming the image from disk (memory stays
 * flat for multi-GB files). Without `signaturePath`, `<image>.asc` is used when it exists
 * (otherwise the result is `SIGNATURE_MISSING`).
 * @throws file system errors reading the image or an explicitly named signature; keystore errors.
 * @example
 * const check = await verifyAciFile('app.aci', undefined, keystoreFromRoot(dir), { name: 'example.com/app' });
 */
export async function verifyAciFile(
  imagePath: string,
  signaturePath: string | undefined,
  keyring: KeyRing,
  options: VerifyAciFileOptions = {},
): Promise<SignatureCheck> {
  // Fail on a missing image now, not only when the signer turns out trusted and the image is read.
  await stat(imagePath);
  const sigPath = signaturePath ?? `${imagePath}.asc`;
  const signature = signaturePath === undefined ? await readOptional(sigPath) : await readFile(sigPath);
  return verifyAci(createReadStream(imagePath, { highWaterMark: CHUNK }), signature, keyring, {
    ...options,
    imageLabel: basename(imagePath),
    signatureLabel: basename(sigPath),
  });
}
