/** OpenPGP test keys and signatures, made at test time with openpgp and (when installed) gpg. No side effects on import. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';

/** A generated key pair. */
export interface TestKey {
  readonly privateKey: openpgp.PrivateKey;
  readonly publicArmored: string;
  readonly fingerprint: string;
  readonly userId: string;
}

/** Options of {@link makeKey}. */
export interface MakeKeyOptions {
  /** `rsa` (2048), `ecc` (legacy EdDSA on curve25519, what gpg 2.2 makes) or `curve25519` (RFC 9580 Ed25519). */
  readonly type?: 'rsa' | 'ecc' | 'curve25519';
  readonly name?: string;
  /** Creation date (for keys that must be expired now). */
  readonly date?: Date;
  /** Seconds until expiry, from `date`. */
  readonly keyExpirationTime?: number;
}

/** Generates a key pair (RSA 2048 or curve25519). */
export async function makeKey(options: MakeKeyOptions = {}): Promise<TestKey> {
  const name = options.name ?? 'Test Signer';
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`;
  const { privateKey } = await openpgp.generateKey({
    ...(options.type === 'rsa'
      ? { type: 'rsa' as const, rsaBits: 2048 }
      : options.type === 'curve25519'
        ? { type: 'curve25519' as const }
        : { type: 'ecc' as const, curve: 'curve25519Legacy' as const }),
    userIDs: [{ name, email }],
    format: 'object',
    ...(options.date ? { date: options.date } : {}),
    ...(options.keyExpirationTime ? { keyExpirationTime: options.keyExpirationTime } : {}),
  });
  return { privateKey, publicArmored: privateKey.toPublic().armor(), fingerprint: privateKey.getFingerprint(), userId: `${name} <${email}>` };
}

/** Makes a detached signature over `data`. */
export async function signDetached(key: TestKey, data: Uint8Array, options: { armor?: boolean; date?: Date } = {}): Promise<string | Uint8Array> {
  const message = await openpgp.createMessage({ binary: data });
  const common = { message, signingKeys: key.privateKey, detached: true, ...(options.date ? { date: options.date } : {}) };
  if (options.armor === false) return openpgp.sign({ ...common, format: 'binary' }) as Promise<Uint8Array>;
  return openpgp.sign({ ...common, format: 'armored' }) as Promise<string>;
}

/** Returns the key revoked (its public part), as a key owner would publish it. */
export async function revoke(key: TestKey): Promise<string> {
  const { publicKey } = await openpgp.revokeKey({ key: key.privateKey, format: 'armored' });
  return publicKey;
}

/** Encrypts bytes with a passphrase (OpenPGP symmetric, AES-256 by default). */
export async function encryptSymmetric(data: Uint8Array, passphrase: string, armor = false): Promise<Uint8Array | string> {
  const message = await openpgp.createMessage({ binary: data });
  if (armor) return openpgp.encrypt({ message, passwords: [passphrase], format: 'armored' }) as Promise<string>;
  return openpgp.encrypt({ message, passwords: [passphrase], format: 'binary' }) as Promise<Uint8Array>;
}

/** Encrypts bytes to a public key only (no passphrase). */
export async function encryptToKey(data: Uint8Array, key: TestKey): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.encrypt({ message, encryptionKeys: key.privateKey.toPublic(), format: 'binary' }) as Promise<Uint8Array>;
}

/** True when a gpg binary runs. */
export function hasGpg(): boolean {
  return spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A throwaway gpg home with one unprotected key; call close() to stop its agent and delete it. */
export interface GpgHome {
  readonly dir: string;
  readonly userId: string;
  readonly fingerprint: string;
  /** The public key, armored (gpg --export --armor). */
  readonly publicArmored: string;
  /** Runs gpg with this home; returns stdout. */
  run(args: readonly string[], input?: string | Uint8Array): Buffer;
  /** `gpg --detach-sign --armor` of a file; returns the .asc path. */
  detachSign(file: string, armor?: boolean): string;
  /** `gpg --symmetric` with AES256; returns the encrypted file's path. */
  encrypt(file: string, passphrase: string, armor?: boolean): string;
  close(): void;
}

/** Creates a gpg home and a key with `gpg --batch --quick-gen-key` (algo `ed25519` or `rsa2048`). */
export function gpgHome(algo: 'ed25519' | 'rsa2048', name = 'Gpg Signer'): GpgHome {
  const dir = mkdtempSync(join(tmpdir(), 'appc-gpg-'));
  // gpg-agent, not gpg, picks the passphrase-hashing count: a small one keeps symmetric tests fast.
  writeFileSync(join(dir, 'gpg-agent.conf'), 's2k-count 65536\n');
  const userId = `${name} <${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com>`;
  const run = (args: readonly string[], input?: string | Uint8Array): Buffer =>
    execFileSync('gpg', ['--batch', '--yes', '--quiet', '--homedir', dir, '--pinentry-mode', 'loopback', ...args], {
      input: input ?? '',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  run(['--passphrase', '', '--quick-gen-key', userId, algo, 'sign', 'never']);
  const publicArmored = run(['--armor', '--export', userId]).toString('utf8');
  const colons = run(['--with-colons', '--fingerprint', userId]).toString('utf8');
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!.toLowerCase();
  return {
    dir,
    userId,
    fingerprint,
    publicArmored,
    run,
    detachSign(file, armor = true) {
      const out = `${file}.${armor ? 'asc' : 'sig'}`;
      run([...(armor ? ['--armor'] : []), '--digest-algo', 'sha256', '--output', out, '--detach-sign', file]);
      return out;
    },
    encrypt(file, passphrase, armor = false) {
      const out = `${file}.gpg${armor ? '.asc' : ''}`;
      run(['--passphrase', passphrase, '--cipher-algo', 'AES256', ...(armor ? ['--armor'] : []), '--output', out, '--symmetric', file]);
      return out;
    },
    close() {
      spawnSync('gpgconf', ['--homedir', dir, '--kill', 'gpg-agent'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a file and returns its path. */
export function put(dir: string, name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Reads a file. */
export function get(path: string): Buffer {
  return readFileSync(path);
}
