/** Reading a passphrase file for encrypted images (`--passphrase-file`). */
import { readFileSync } from 'node:fs';

/** The first line of the file, without its line ending (as `gpg --passphrase-file` reads it). */
export async function readPassphrase(path: string): Promise<string> {
  const text = readFileSync(path, 'utf8');
  return text.split(/\r?\n/)[0] ?? '';
}
