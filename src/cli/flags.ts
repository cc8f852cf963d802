/**
 * The flags several commands share, parsed one way: ports, insecure options, passphrase files, os/arch
 * defaults and the keystore. A command declares the option with the `*_OPTION` constant, shows the
 * `*_HELP` line, and turns the parsed value into what the library takes with the matching function.
 */
import { resolve } from 'node:path';
import { Keystore, keystoreFromRoot } from '../node/keystore.js';
import { hostLabels } from '../node/host-labels.js';
import { UsageError } from './command.js';
import type { CliIO } from './io.js';
import { withPath } from './format-error.js';

/** `--port=N`: a TCP port for discovery URLs. */
export const PORT_HELP = "  --port=N                 port for every discovery URL (1-65535; default: the scheme's)";

/** The port given with `--port`, or undefined when absent; anything but 1-65535 is a usage error. */
export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port must be a number from 1 to 65535 (got ${JSON.stringify(text)})`);
  return n;
}

/** What `--insecure-options` may switch off. Each command accepts a subset. */
export type InsecureOption = 'http' | 'tls' | 'image';

/** The switched-off checks: every known option is present, false unless given. */
export type InsecureOptions<K extends InsecureOption> = { -readonly [P in K]: boolean };

/**
 * Parses `--insecure-options=LIST` (comma-separated; `all` and `none` also accepted) for a command that
 * knows `known`. `all` turns every known option on. An unknown option is a usage error naming the known ones.
 */
export function parseInsecureOptions<K extends InsecureOption>(list: string | undefined, known: readonly K[], all = false): InsecureOptions<K> {
  const out = Object.fromEntries(known.map((k) => [k, all])) as InsecureOptions<K>;
  const accepted = ['none', ...known, 'all'];
  for (const raw of (list ?? '').split(',')) {
    const o = raw.trim();
    if (o === '' || o === 'none') continue;
    if (!accepted.includes(o)) throw new UsageError(`--insecure-options: unknown option ${JSON.stringify(o)} (known: ${accepted.join(', ')})`);
    for (const k of known) if (o === k || o === 'all') out[k] = true;
  }
  return out;
}

/** `--passphrase-file=FILE`: help line. */
export const PASSPHRASE_HELP = '  --passphrase-file=FILE   passphrase of OpenPGP-encrypted images: the first line of FILE';

/**
 * The passphrase in `--passphrase-file`: the first line of the file without its line ending, as
 * `gpg --passphrase-file` reads it. The path is relative to the command's working directory; a read
 * failure names the path.
 */
export async function readPassphraseFile(path: string | undefined, io: Pick<CliIO, 'cwd'>): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const full = resolve(io.cwd, path);
  let text: string;
  try {
    // Imported here: node:fs/promises loads Node's stream and readline modules, which `actool validate` without
    // a passphrase never needs (cold start, issue #16).
    const { readFile } = await import('node:fs/promises');
    text = await readFile(full, 'utf8');
  } catch (e) {
    throw withPath(e, path);
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** `--os=OS --arch=ARCH`: help line. */
export const OS_ARCH_HELP = '  --os=OS, --arch=ARCH     labels used when APP has none (default: this machine, in appc names)';

/** The os and arch labels: the flags when given, else this machine's (in appc's names). */
export function osArchLabels(values: { readonly os?: string | undefined; readonly arch?: string | undefined }): { os: string; arch: string } {
  const host = hostLabels();
  return { os: values.os ?? host.os, arch: values.arch ?? host.arch };
}

/** Help text for `--keystore`. */
export const KEYSTORE_HELP = [
  '  --keystore=DIR   Keystore root: DIR/system (read-only keys) and DIR/local (where keys are added).',
  '                   A DIR that already holds root.d or prefix.d is used as the local directory itself.',
  "                   Default: $ACTOOL_KEYSTORE, else rkt's /usr/lib/rkt/trustedkeys and /etc/rkt/trustedkeys.",
].join('\n');

/** Opens the keystore named by `--keystore`, `$ACTOOL_KEYSTORE`, or rkt's default directories. */
export function openKeystore(flag: string | undefined, io: Pick<CliIO, 'cwd' | 'env'>): Keystore {
  const dir = flag ?? io.env['ACTOOL_KEYSTORE'];
  return dir === undefined || dir === '' ? new Keystore() : keystoreFromRoot(resolve(io.cwd, dir));
}
