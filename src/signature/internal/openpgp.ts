/** Loads openpgp on first use, so importing the signature API (or anything else) never loads it. */

/** The openpgp module's type. */
export type OpenPGP = typeof import('openpgp');

let loading: Promise<OpenPGP> | undefined;

/** Returns the openpgp module, importing it once. */
export function loadOpenpgp(): Promise<OpenPGP> {
  loading ??= import('openpgp');
  return loading;
}

/** The message of an error thrown by openpgp, without its "Error ...: " wrapping prefixes. */
export function openpgpReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^(?:Error (?:reading|decrypting|verifying|during parsing)[^:]*: )+/, '').trim() || text;
}
