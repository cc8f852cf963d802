/** A tiny HTTP(S) client for the serve tests: raw status, headers and body, with a CA for a test certificate. */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { writeCertificate } from './local-tls.js';

/** One answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends one request (no keep-alive) and collects the answer. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method: options.method ?? 'GET', headers: { connection: 'close', ...options.headers }, ...(options.ca ? { ca: options.ca } : {}), agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Makes a self-signed certificate for 127.0.0.1 and localhost in `dir`; returns the file paths and the PEM. */
export function makeCertificate(dir: string): { certFile: string; keyFile: string; cert: Buffer; key: Buffer } {
  return writeCertificate(dir, 'tls-key.pem', 'tls-cert.pem');
}
