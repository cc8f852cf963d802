/** `actool sign`: a detached OpenPGP signature of an image archive (spec/aci.md#image-archives; checklist S-2). */
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import { EXIT } from '../io.js';
import { signAci } from '../../signature/sign.js';
import { formatFingerprint } from '../../signature/keys.js';
import { escapeTerminalText } from '../terminal-text.js';
import { loadSigningKey, signingExitCode } from '../signing-key-option.js';

const HELP = `Usage: actool sign --key=FILE [--passphrase-file=FILE] [--binary] [--output=FILE|-] [--overwrite] IMAGE.aci

Makes a detached OpenPGP signature over the exact bytes of IMAGE.aci, ASCII-armored as the spec
asks, and writes it to IMAGE.aci.asc (IMAGE.aci.sig with --binary). The image is streamed, so any
size signs in flat memory. The signature verifies with "actool verify" and "gpg --verify".

Flags:
  --key=FILE              the private key (armored or binary, e.g. gpg --export-secret-keys KEYID)
  --passphrase-file=FILE  passphrase of a protected key (first line of FILE)
  --binary                write a binary signature instead of an ASCII-armored one
  --output=FILE           where to write the signature; - for standard output
  --overwrite             replace an existing signature file

Exit codes: 0 signed, 1 the key is not a usable private key or the passphrase is wrong, 2 usage,
3 I/O failure (nothing is written then).
`;

const OPTIONS = {
  key: { type: 'string' },
  'passphrase-file': { type: 'string' },
  binary: { type: 'boolean' },
  output: { type: 'string' },
  overwrite: { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

/** Writes a file atomically: a temporary file next to it, then a link (no replace) or a rename. */
async function writeAtomic(path: string, data: string | Uint8Array, overwrite: boolean): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, data, { flag: 'wx' });
  try {
    if (overwrite) {
      await rename(tmp, path);
    } else {
      await link(tmp, path);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The sign command. */
export const command: Command = {
  name: 'sign',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('expected exactly one IMAGE.aci');
    if (values.key === undefined) throw new UsageError('--key=FILE is required (the private key to sign with)');
    const label = positionals[0]!;
    const image = resolve(io.cwd, label);
    const armor = values.binary !== true;
    const output = values.output ?? `${label}.${armor ? 'asc' : 'sig'}`;
    try {
      const key = await loadSigningKey(values.key, values['passphrase-file'], io);
      const signed = await signAci(createReadStream(image, { highWaterMark: 1 << 20 }), key, { armor });
      if (output === '-') {
        if (typeof signed.signature === 'string') io.stdout(signed.signature);
        else process.stdout.write(signed.signature);
      } else {
        await writeAtomic(resolve(io.cwd, output), signed.signature, values.overwrite === true);
        io.stderr(`${label}: signed by ${formatFingerprint(signed.fingerprint)} (${escapeTerminalText(signed.userIds.join(', ')) || 'no user ID'}): ${output}\n`);
      }
      return EXIT.OK;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EEXIST') {
        io.stderr(`sign: ${output}: the signature file exists (pass --overwrite to replace it)\n`);
        return EXIT.IO;
      }
      io.stderr(`sign: ${formatError(e, label)}\n`);
      return signingExitCode(e);
    }
  },
};
