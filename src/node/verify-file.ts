/** File-based signature helpers: verify an `.aci` file with its `.aci.asc`, decrypt an encrypted file (checklist S-1, S-2, S-5). */
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KeyRing } from '../signature/keystore.js';
import type { SignatureCheck, VerifyAciOptions } from '../signature/verify.js';
import { verifyAci } from '../signature/verify.js';
import { readFileChunks, unreadable } from './file-chunks.js';

/** Options of {@link verifyAciFile}. */
export interface VerifyAciFileOptions extends Omit<VerifyAciOptions, 'imageLabel' | 'signatureLabel'> {
  /** Stops reading the image. */
  readonly signal?: AbortSignal;
}

async function readSignature(path: string, optional: boolean): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if (optional && (e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw unreadable(path, e);
  }
}

/** Fails now on an image that is missing, unreadable or not a file, not only once the signer turns out trusted. */
async function checkReadable(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    if (!(await fh.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  } catch (e) {
    throw unreadable(path, e);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Verifies an image file against its detached signature, streaming the image from disk (memory stays
 * flat for multi-GB files). Without `signaturePath`, `<image>.asc` is used when it exists
 * (otherwise the result is `SIGNATURE_MISSING`). The image is opened only when the signer is trusted,
 * and closed whatever happens: no descriptor outlives the call.
 * @throws AppcError `FILE_UNREADABLE` (the image, or an explicitly named signature, cannot be read); keystore errors.
 * @example
 * const check = await verifyAciFile('app.aci', undefined, keystoreFromRoot(dir), { name: 'example.com/app' });
 */
export async function verifyAciFile(imagePath: string, signaturePath: string | undefined, keyring: KeyRing, options: VerifyAciFileOptions = {}): Promise<SignatureCheck> {
  await checkReadable(imagePath);
  const sigPath = signaturePath ?? `${imagePath}.asc`;
  const signature = await readSignature(sigPath, signaturePath === undefined);
  const { signal, ...verifyOptions } = options;
  const chunks = readFileChunks(imagePath, signal ? { signal } : {});
  try {
    return await verifyAci(chunks, signature, keyring, {
      ...verifyOptions,
      imageLabel: basename(imagePath),
      signatureLabel: basename(sigPath),
    });
  } finally {
    await chunks.return(undefined);
  }
}
