/** The `--key` and `--passphrase-file` options shared by `sign`, `publish` and `serve --convert`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAppcError } from '../issues/appc-error.js';
import type { SigningKey } from '../signature/sign.js';
import { readSigningKey } from '../signature/sign.js';
import { readPassphraseFile } from './flags.js';
import { withPath } from './format-error.js';
import type { CliIO } from './io.js';
import { EXIT } from './io.js';

/** Reads and unlocks the private key named by a flag. Throws AppcError `SIGN_*` or a Node I/O error. */
export async function loadSigningKey(keyFile: string, passphraseFile: string | undefined, io: CliIO): Promise<SigningKey> {
  const path = resolve(io.cwd, keyFile);
  const passphrase = await readPassphraseFile(passphraseFile, io);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw withPath(e, keyFile);
  }
  return readSigningKey(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
    source: keyFile,
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}

/** 1 for a coded error (bad key, bad image, bad input), 3 for I/O and anything else. */
export function signingExitCode(e: unknown): number {
  if (!isAppcError(e)) return EXIT.IO;
  return /^(?:SIGN_|PUBLISH_|CONVERT_)/.test(e.code) || e.code === 'SERVE_BAD_OPTION' || e.code === 'KEY_MALFORMED' ? EXIT.INVALID : EXIT.IO;
}
