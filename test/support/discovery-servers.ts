/**
 * Local discovery servers for integration tests: two HTTPS servers and one plain HTTP server on 127.0.0.1,
 * with a self-signed certificate made at test time by openssl. Nothing starts until startDiscoveryServers().
 */
import { rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { discoveryPage } from './fake-fetch.js';
import { freePort, listen, makeLocalCertificate } from './local-tls.js';

/** A request a server saw. */
export interface ServerHit {
  readonly server: 'a' | 'b' | 'http';
  readonly path: string;
  readonly authorization: string | undefined;
}

/** The running servers and what they saw. */
export interface DiscoveryServers {
  /** HTTPS server A: the discovery site. */
  readonly httpsPort: number;
  /** HTTPS server B: "another host" for cross-host redirects (same IP, other port). */
  readonly otherHttpsPort: number;
  /** The plain HTTP server. */
  readonly httpPort: number;
  /** A port where nothing listens. */
  readonly closedPort: number;
  /** The PEM certificate file (for NODE_EXTRA_CA_CERTS). */
  readonly certFile: string;
  readonly dir: string;
  readonly hits: ServerHit[];
  close(): Promise<void>;
}

/** A fixture page with its `example.com` prefixes pointed at 127.0.0.1. */
export function localPage(file: string): string {
  return discoveryPage(file).replaceAll('content="example.com ', 'content="127.0.0.1 ');
}

/** The bearer token server A's /auth page wants. */
export const TOKEN = 'secret-token';

function route(server: ServerHit['server'], ports: () => { http: number; other: number }, hits: ServerHit[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    hits.push({ server, path, authorization: req.headers.authorization });
    res.on('error', () => undefined);
    const page = (file: string): void => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(localPage(file));
    };
    const go = (location: string): void => {
      res.writeHead(302, { location });
      res.end();
    };
    if (server === 'http') {
      if (path === '/ok') return page('meta01.html');
      if (path === '/redirect') return go('/ok');
      return void res.writeHead(404).end();
    }
    if (server === 'b') return path === '/landing' ? page('meta01.html') : void res.writeHead(404).end();
    switch (path) {
      case '/ok':
        return page('meta01.html');
      case '/keys':
        return page('meta03.html');
      case '/redirect':
        return go('/ok');
      case '/loop-a':
        return go('/loop-b');
      case '/loop-b':
        return go('/loop-a');
      case '/downgrade':
        return go(`http://127.0.0.1:${ports().http}/ok`);
      case '/cross':
        return go(`https://127.0.0.1:${ports().other}/landing`);
      case '/auth':
        if (req.headers.authorization === `Bearer ${TOKEN}`) return page('meta01.html');
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="test"' });
        return void res.end();
      case '/big': {
        // 10 MB without a Content-Length, written as fast as the client reads; stops when it hangs up.
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let left = 160;
        const pump = (): void => {
          while (left > 0 && !res.destroyed) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (left === 0) res.end();
        };
        return pump();
      }
      case '/endless': {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head>');
        const timer = setInterval(() => res.write(' '), 25);
        res.on('close', () => clearInterval(timer));
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  };
}

/** Makes a certificate for 127.0.0.1 and localhost and starts the three servers. Always call close(). */
export async function startDiscoveryServers(): Promise<DiscoveryServers> {
  const { dir, certFile, key, cert } = makeLocalCertificate('appc-discovery-');
  const tls = { key, cert };
  const hits: ServerHit[] = [];
  const ports = { http: 0, other: 0 };
  const a = createHttpsServer(
    tls,
    route('a', () => ports, hits),
  );
  const b = createHttpsServer(
    tls,
    route('b', () => ports, hits),
  );
  const h = createHttpServer(route('http', () => ports, hits));
  const httpsPort = await listen(a);
  ports.other = await listen(b);
  ports.http = await listen(h);
  const closedPort = await freePort();
  return {
    httpsPort,
    otherHttpsPort: ports.other,
    httpPort: ports.http,
    closedPort,
    certFile,
    dir,
    hits,
    async close() {
      for (const s of [a, b, h]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
