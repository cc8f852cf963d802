/**
 * What the local test servers share: a self-signed certificate for 127.0.0.1 and localhost made by openssl
 * at test time, listening on a free 127.0.0.1 port, and a port where nothing listens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A generated certificate: its directory (remove it when done), PEM files and their contents. */
export interface LocalCertificate {
  readonly dir: string;
  readonly certFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** Makes a two-day EC certificate for 127.0.0.1 and localhost in a new temporary directory named `prefix…`. */
export function makeLocalCertificate(prefix: string): LocalCertificate {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { certFile, key, cert } = writeCertificate(dir, 'key.pem', 'cert.pem');
  return { dir, certFile, key, cert };
}

/** Writes a two-day EC certificate for 127.0.0.1 and localhost (openssl) as `keyName` and `certName` in `dir`. */
export function writeCertificate(dir: string, keyName: string, certName: string): { certFile: string; keyFile: string; cert: Buffer; key: Buffer } {
  const keyFile = join(dir, keyName);
  const certFile = join(dir, certName);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** Starts `server` on a free port of 127.0.0.1 and returns the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A port of 127.0.0.1 where nothing listens (connections are refused). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return port;
}
