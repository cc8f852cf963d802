/**
 * `actool serve --convert`: images of an OCI image layout served as signed ACIs, converted on first
 * request (as Quay served Docker images to rkt). Names under the site prefix that the site does not
 * hold get a discovery page pointing at the converter's template; the ACI is made by
 * `convertOciImage`, kept under its image digest, and signed with the converter key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { convertOciImage } from '../convert/convert.js';
import { AppcError, isAppcError } from '../issues/appc-error.js';
import { parseSiteBase } from '../publish/base-url.js';
import type { SiteBase } from '../publish/base-url.js';
import { readSiteState } from '../publish/site-state.js';
import type { SigningKey } from '../signature/sign.js';
import { signAci } from '../signature/sign.js';
import type { FallbackHandler } from './serve-site.js';
import { sendFile } from './serve-site.js';

/** Options of {@link createConvertRoute}. */
export interface ConvertRouteOptions {
  /** The site directory (its record gives the base URL, and the cache sits next to it). */
  readonly site: string;
  /** The OCI image layout directory. */
  readonly layout: string;
  /** Signs converted images. */
  readonly key: SigningKey;
  /** The URL clients use; default the site's recorded base URL. */
  readonly baseUrl?: string;
  /** Where converted ACIs are kept (default: `.SITE.convert-cache` next to the site). */
  readonly cacheDir?: string;
  /** Receives one line per conversion. */
  readonly log?: (line: string) => void;
}

/** The directory of converter URLs under the base URL. */
export const CONVERT_DIR = '_convert';
/**
 * The converter's template under the base URL. The labels come first as path segments, so a URL parses
 * back unambiguously (names and versions may hold '-'), and the file name is the site's own
 * `{name}-{version}-{os}-{arch}.{ext}`, which is what `actool fetch` names the download.
 */
export const CONVERT_TEMPLATE_PATH = `${CONVERT_DIR}/{os}/{arch}/{version}/{name}-{version}-{os}-{arch}.{ext}`;

const SEGMENT = /^[a-z0-9][a-z0-9._~-]*$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The converter's discovery page for a prefix. */
function converterPage(prefix: string, base: SiteBase): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(prefix)}</title>`,
    `<meta name="ac-discovery" content="${escapeHtml(`${base.prefix} ${base.url}${CONVERT_TEMPLATE_PATH}`)}">`,
    `<meta name="ac-discovery-pubkeys" content="${escapeHtml(`${base.prefix} ${base.url}${CONVERT_DIR}/pubkeys.gpg`)}">`,
    `</head><body><p>${escapeHtml(prefix)}: OCI images converted to ACIs on request and signed by the converter key.</p></body></html>`,
    '',
  ].join('\n');
}

interface Converted {
  readonly aci: string;
  readonly asc: string;
}

/** Builds the fallback handler for `serveSite`. @throws AppcError `SERVE_BAD_OPTION` without a base URL or layout. */
export async function createConvertRoute(options: ConvertRouteOptions): Promise<FallbackHandler> {
  const baseText = options.baseUrl ?? (await readSiteState(options.site))?.baseUrl;
  if (baseText === undefined) throw new AppcError('SERVE_BAD_OPTION', `--convert needs the site's base URL: ${options.site} has no _appc/site.json, so give --base-url`, { file: options.site });
  const base = parseSiteBase(baseText);
  const layoutStat = await stat(options.layout).catch(() => undefined);
  if (!layoutStat?.isDirectory()) throw new AppcError('SERVE_BAD_OPTION', `${options.layout} is not an OCI image layout directory`, { file: options.layout });
  const cache = options.cacheDir ?? join(dirname(options.site), `.${basename(options.site)}.convert-cache`);
  await mkdir(cache, { recursive: true });
  const pubkeys = options.key.publicArmored;
  const work = new Map<string, Promise<Converted>>();

  async function layoutVersion(): Promise<string> {
    const index = await readFile(join(options.layout, 'index.json')).catch(() => Buffer.alloc(0));
    return createHash('sha256').update(index).digest('hex');
  }

  async function convertOnce(repo: string, name: string, version: string, os: string, arch: string): Promise<Converted> {
    const tmp = join(cache, `.convert-${randomBytes(6).toString('hex')}.aci`);
    const common = { output: tmp, os, arch, name, version, overwrite: true } as const;
    try {
      let report;
      try {
        report = await convertOciImage(options.layout, { ...common, image: `${repo}:${version}` });
      } catch (e) {
        // A layout often names images by bare tag (org.opencontainers.image.ref.name = "1.0").
        if (!isAppcError(e) || e.code !== 'CONVERT_IMAGE_NOT_FOUND') throw e;
        report = await convertOciImage(options.layout, { ...common, image: version });
      }
      const digest = (report.manifestDigest ?? report.configDigest).replace(':', '-');
      const which = createHash('sha256').update(`${name}\0${version}\0${os}\0${arch}`).digest('hex').slice(0, 16);
      const dir = join(cache, digest);
      await mkdir(dir, { recursive: true });
      const aci = join(dir, `${which}.aci`);
      await rename(tmp, aci);
      const signed = await signAci(createReadStream(aci, { highWaterMark: 1 << 20 }), options.key);
      await writeFile(`${aci}.asc`, signed.signature);
      options.log?.(`converted ${repo}:${version} ${os}/${arch} (${digest}) to ${name} ${report.imageId.slice(0, 19)}`);
      return { aci, asc: `${aci}.asc` };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const segments = path === '' ? [] : path.split('/');
    if (segments[0] === CONVERT_DIR) {
      if (segments.length === 2 && segments[1] === 'pubkeys.gpg') {
        res.writeHead(200, { 'Content-Type': 'application/pgp-keys', 'Content-Length': String(Buffer.byteLength(pubkeys)), 'Cache-Control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : pubkeys);
        return true;
      }
      const last = segments.at(-1) ?? '';
      const ext = last.endsWith('.aci.asc') ? '.aci.asc' : last.endsWith('.aci') ? '.aci' : undefined;
      if (ext === undefined || segments.length < 6) return false;
      const [os, arch, version] = [segments[1]!, segments[2]!, segments[3]!];
      const file = segments.slice(4).join('/');
      const suffix = `-${version}-${os}-${arch}${ext}`;
      if (![arch, os, version].every((v) => LABEL.test(v)) || !file.endsWith(suffix)) return false;
      const name = file.slice(0, -suffix.length);
      if (!name.startsWith(`${base.prefix}/`)) return false;
      const repo = name.slice(base.prefix.length + 1);
      const key = `${await layoutVersion()} ${name} ${version} ${os} ${arch}`;
      let job = work.get(key);
      if (job === undefined) {
        job = convertOnce(repo, name, version, os, arch);
        work.set(key, job);
        job.catch(() => work.delete(key));
      }
      let converted: Converted;
      try {
        converted = await job;
      } catch (e) {
        const notFound = isAppcError(e) && (e.code === 'CONVERT_IMAGE_NOT_FOUND' || e.code === 'CONVERT_NO_MATCHING_PLATFORM');
        const message = e instanceof Error ? e.message : String(e);
        options.log?.(`cannot convert ${repo}:${version} ${os}/${arch}: ${message}`);
        res.writeHead(notFound ? 404 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${message}\n`);
        return true;
      }
      const served = ext === '.aci' ? converted.aci : converted.asc;
      await sendFile(req, res, served, await stat(served));
      return true;
    }
    // A discovery page for any name under the prefix that the site does not hold.
    if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s))) return false;
    const prefix = [base.prefix, ...segments].join('/');
    const page = converterPage(prefix, base);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(page)), 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : page);
    return true;
  };
}
