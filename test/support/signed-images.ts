/** Small real ACIs and an HTTPS server that serves discovery pages, images, signatures and keys (no side effects on import). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAci } from '../../src/aci/build-aci.js';

/** Builds a gzip ACI named `name` with labels into `dir/file` and returns its bytes. */
export async function makeAci(dir: string, file: string, name: string, labels: Record<string, string>): Promise<Buffer> {
  const layout = mkdtempSync(join(dir, 'layout-'));
  mkdirSync(join(layout, 'rootfs', 'etc'), { recursive: true });
  writeFileSync(join(layout, 'rootfs', 'etc', 'hello'), `hello from ${name}\n`);
  const manifest = {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name,
    labels: Object.entries(labels).map(([n, value]) => ({ name: n, value })),
  };
  writeFileSync(join(layout, 'manifest'), JSON.stringify(manifest));
  const out = join(dir, file);
  await buildAci(layout, out, { reproducible: true, overwrite: true });
  rmSync(layout, { recursive: true, force: true });
  return readFileSync(out);
}

/** What the server answers for a path: a body, or a status. */
export type Route = string | Uint8Array | { readonly status: number };

/** A running HTTPS server on 127.0.0.1 with a self-signed certificate. */
export interface ImageServer {
  readonly port: number;
  /** PEM certificate (give it to the CLI as NODE_EXTRA_CA_CERTS). */
  readonly certFile: string;
  /** Paths requested, in order (with the query). */
  readonly hits: string[];
  /** Routes by path (without the query); change them between tests. */
  readonly routes: Map<string, Route>;
  close(): Promise<void>;
}

/** Starts the server; routes are looked up by pathname, so `/app?ac-discovery=1` is route `/app`. */
export async function startImageServer(): Promise<ImageServer> {
  const dir = mkdtempSync(join(tmpdir(), 'appc-imgsrv-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], {
    stdio: 'ignore',
  });
  const hits: string[] = [];
  const routes = new Map<string, Route>();
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    hits.push(req.url ?? '');
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const route = routes.get(path);
    res.on('error', () => undefined);
    if (route === undefined || (typeof route === 'object' && 'status' in route)) {
      res.writeHead(route === undefined ? 404 : route.status);
      res.end();
      return;
    }
    const body = typeof route === 'string' ? Buffer.from(route) : Buffer.from(route);
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': typeof route === 'string' && route.startsWith('<') ? 'text/html' : 'application/octet-stream' });
    res.end(body);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    port,
    certFile,
    hits,
    routes,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A discovery page for `prefix` with image templates and a key URL on the same server. */
export function discoveryPage(prefix: string, port: number): string {
  const base = `https://127.0.0.1:${port}`;
  return `<!DOCTYPE html><html><head>
<meta name="ac-discovery" content="${prefix} ${base}/images/{name}-{version}-{os}-{arch}.{ext}">
<meta name="ac-discovery-pubkeys" content="${prefix} ${base}/pubkeys.gpg">
</head><body></body></html>`;
}
