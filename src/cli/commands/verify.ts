/** `actool verify`: checks an image's detached signature against the keystore (checklist S-1..S-4). */
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { formatError } from '../format-error.js';
import type { CliIO } from '../io.js';
import { EXIT } from '../io.js';
import { readAciManifest } from '../../aci/read-aci.js';
import { isACIdentifier } from '../../schema/types/ac-identifier.js';
import { maybeDecrypt } from '../../signature/encryption.js';
import { exitCodeFor } from '../aci-errors.js';
import { KEYSTORE_HELP, openKeystore, readPassphraseFile } from '../flags.js';
import { formatIssues } from '../format-issues.js';
import { escapeTerminalText } from '../terminal-text.js';
import { verifyAciFile } from '../../node/verify-file.js';
import { readFileChunks } from '../../node/file-chunks.js';
import { isAppcError } from '../../issues/appc-error.js';
import { formatFingerprint } from '../../signature/keys.js';
import { formatScope } from '../../signature/keystore.js';

const HELP = `Usage: actool verify [--keystore=DIR] [--name=NAME] [--passphrase-file=FILE] [--strict] [--json] IMAGE.aci [SIG.aci.asc]

Verifies the detached OpenPGP signature of an image archive (default IMAGE.aci.asc) over the exact
bytes of the file, with the keys the keystore trusts for the image name. The name is --name, or
else the name in the image's manifest. The image is streamed, so any size works.

Flags:
${KEYSTORE_HELP}
  --name=NAME  The image name keys must be trusted for (default: the manifest's name).
  --passphrase-file=FILE  Passphrase of an encrypted image, to read its manifest's name (the
               signature itself covers the encrypted bytes and needs no passphrase).
  --strict     Also fail on warnings (a binary, not ASCII-armored, signature).
  --json       Print the result object as JSON.

Exit codes: 0 good signature from a trusted key, 1 any verification failure, 2 usage, 3 I/O.
`;

const OPTIONS = {
  keystore: { type: 'string' },
  name: { type: 'string' },
  strict: { type: 'boolean' },
  json: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  debug: { type: 'boolean' },
} as const;

/** The verify command. */
export const command: Command = {
  name: 'verify',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected IMAGE.aci and optionally SIG.aci.asc');
    const image = resolve(io.cwd, positionals[0]!);
    const sig = positionals[1] === undefined ? undefined : resolve(io.cwd, positionals[1]);
    const label = positionals[0]!;
    try {
      const ks = openKeystore(values.keystore, io);
      const passphrase = await readPassphraseFile(values['passphrase-file'], io);
      const name = values.name ?? (await manifestName(image, passphrase, io, label));
      const check = await verifyAciFile(image, sig, ks, {
        ...(name === undefined ? {} : { name }),
        ...(values.strict ? { strict: true } : {}),
      });
      if (values.json) {
        io.stdout(JSON.stringify(check, null, 2) + '\n');
        return check.ok ? EXIT.OK : EXIT.INVALID;
      }
      if (check.ok) {
        io.stderr(formatIssues(label, check.warnings));
        io.stdout(
          escapeTerminalText(`${label}: good signature from ${formatFingerprint(check.fingerprint)} (${check.userIds.join(', ') || 'no user ID'}), trusted for ${formatScope(check.keyPrefix)}`) + '\n',
        );
        return EXIT.OK;
      }
      io.stderr(formatIssues(label, check.issues));
      return EXIT.INVALID;
    } catch (e) {
      io.stderr(`verify: ${formatError(e)}\n`);
      return exitCodeFor(e);
    }
  },
};

/**
 * The image name from the manifest (decrypting first when a passphrase is given). The name only picks
 * which keys count; the signature check then covers every byte, manifest included, so a forged name
 * cannot make a bad image pass. When it cannot be read, only root keys count and the user is told why.
 */
async function manifestName(image: string, passphrase: string | undefined, io: CliIO, label: string): Promise<string | undefined> {
  const chunks = readFileChunks(image);
  try {
    const { source } = await maybeDecrypt(chunks, {
      label,
      ...(passphrase === undefined ? {} : { passphrase }),
    });
    const { manifest } = await readAciManifest(source);
    if (manifest.ok) return manifest.value.name;
    // An otherwise invalid manifest may still name the image; `verify` checks signatures, `validate` manifests.
    const partial = (manifest.partial as { name?: unknown } | undefined)?.name;
    if (isACIdentifier(partial)) return partial;
    throw new Error(manifest.issues[0]?.message ?? 'invalid manifest');
  } catch (e) {
    // An image that cannot be read at all is an I/O failure, reported once by the caller.
    if (isAppcError(e) && e.code === 'FILE_UNREADABLE') throw e;
    io.stderr(
      `${escapeTerminalText(label)}: warning: cannot read the image name from its manifest (${formatError(e)}); only keys trusted for every image (root) count; give --name=NAME${passphrase === undefined ? ' or --passphrase-file' : ''}\n`,
    );
    return undefined;
  } finally {
    await chunks.return(undefined);
  }
}
