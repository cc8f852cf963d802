/**
 * A small HTTP/HTTPS server for a discovery site (what `actool serve` runs): GET and HEAD, content
 * types, single byte ranges, ETag and Last-Modified validators, an access log, and a graceful close.
 * A path that names a directory is answered with its `index.html` directly (no redirect), so
 * `https://HOST/NAME?ac-discovery=1` gets the page at once. For tests, demos and small teams; a
 * published site works as well on any static web server.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppcError } from '../issues/appc-error.js';
import { contentTypeFor } from './content-type.js';
import { chooseRange } from './range.js';

/** A handler tried for requests the site has no file for; returns false to let the server answer 404. */
export type FallbackHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

/** Options of {@link serveSite}. */
export interface ServeSiteOptions {
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** PEM certificate and key: serve HTTPS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Receives one access-log line per response (Common Log Format plus the duration). */
  readonly log?: (line: string) => void;
  /** Answers what the site has no file for (`actool serve --convert`). */
  readonly fallback?: FallbackHandler;
}

/** A running server. */
export interface SiteServer {
  /** `http(s)://HOST:PORT/`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting connections, lets requests in flight finish (up to `graceMs`, default 10 s), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** The ETag of a file: size, modification time and inode, so a replaced file never keeps its tag. */
export function etagOf(st: Stats): string {
  return `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-${st.ino.toString(16)}"`;
}

function clfDate(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Decodes a request path into site-relative segments; undefined when it could leave the site or names a hidden file. */
export function sitePath(rawUrl: string): string[] | undefined {
  let pathname: string;
  try {
    pathname = new URL(rawUrl, 'http://x').pathname;
  } catch {
    return undefined;
  }
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Dot files (the publisher's temporary files among them) are never served; '..' and '.' are refused.
    if (s.startsWith('.') || s.includes('/') || s.includes('\\') || s.includes('\0')) return undefined;
    segments.push(s);
  }
  return segments;
}

async function findFile(root: string, segments: readonly string[]): Promise<{ file: string; st: Stats } | undefined> {
  const target = join(root, ...segments);
  if (target !== root && !target.startsWith(root + '/')) return undefined;
  const st = await stat(target).catch(() => undefined);
  if (st === undefined) return undefined;
  if (st.isFile()) return { file: target, st };
  if (!st.isDirectory()) return undefined;
  const index = join(target, 'index.html');
  const ist = await stat(index).catch(() => undefined);
  return ist?.isFile() ? { file: index, st: ist } : undefined;
}

function notModified(req: IncomingMessage, etag: string, mtime: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`);
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
}

/** Sends one file with validators and ranges. @internal exported for the converter route. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, st: Stats): Promise<void> {
  const etag = etagOf(st);
  const type = contentTypeFor(file);
  res.setHeader('Content-Type', type);
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', st.mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  // Pages and keys may change when a site is republished; images and signatures never change under their URL.
  res.setHeader('Cache-Control', type.startsWith('text/html') || file.endsWith('.gpg') || file.includes('-latest-') ? 'no-cache' : 'public, max-age=3600');
  if (notModified(req, etag, st.mtime)) {
    res.writeHead(304);
    res.end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const rangeAllowed = ifRange === undefined || ifRange === etag || ifRange === st.mtime.toUTCString();
  const choice = chooseRange(rangeAllowed ? req.headers.range : undefined, st.size);
  if (choice.kind === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${st.size}` });
    res.end();
    return;
  }
  const start = choice.kind === 'partial' ? choice.start : 0;
  const end = choice.kind === 'partial' ? choice.end : st.size - 1;
  const length = st.size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', String(length));
  if (choice.kind === 'partial') res.setHeader('Content-Range', `bytes ${start}-${end}/${st.size}`);
  res.writeHead(choice.kind === 'partial' ? 206 : 200);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end, highWaterMark: 1 << 20 }), res);
}

/**
 * Serves the site directory `root` until `close()`.
 * @throws AppcError `SERVE_BAD_OPTION` (root is not a directory), `SERVE_TLS_UNREADABLE`; listen errors (EADDRINUSE).
 */
export async function serveSite(root: string, options: ServeSiteOptions = {}): Promise<SiteServer> {
  const dir = resolve(root);
  const st = await stat(dir).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) throw new AppcError('SERVE_BAD_OPTION', `${dir} is not a directory (give the SITE that actool publish wrote)`, { file: dir });
  const log = options.log;
  let inFlight = 0;
  let closing = false;
  let idle: (() => void) | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (log !== undefined) {
        const who = req.socket.remoteAddress ?? '-';
        const size = res.getHeader('content-length') ?? '-';
        log(
          `${who} - - [${clfDate(new Date(started))}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${String(req.method === 'HEAD' ? 0 : size)} ${Date.now() - started}ms${res.writableFinished ? '' : ' (aborted)'}`,
        );
      }
      if (closing && inFlight === 0) idle?.();
    });
    res.on('error', () => undefined);
    if (closing) res.setHeader('Connection', 'close');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    const segments = sitePath(req.url ?? '/');
    if (segments === undefined) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('bad path\n');
      return;
    }
    try {
      const found = await findFile(dir, segments);
      if (found !== undefined) return await sendFile(req, res, found.file, found.st);
      if (options.fallback !== undefined && (await options.fallback(req, res, segments.join('/')))) return;
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${e instanceof Error ? e.message : String(e)}\n`);
      } else {
        res.destroy();
      }
    }
  };

  let server: Server;
  if (options.tls !== undefined) {
    try {
      server = createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => void handle(req, res));
    } catch (e) {
      throw new AppcError('SERVE_TLS_UNREADABLE', `the TLS certificate and key do not form a usable pair: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  } else {
    server = createHttpServer((req, res) => void handle(req, res));
  }
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', fail);
      ok((server.address() as AddressInfo).port);
    });
  });
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}/`,
    port,
    server,
    async close(graceMs = 10_000) {
      closing = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((r) => (idle = r)), new Promise<void>((r) => setTimeout(r, graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
