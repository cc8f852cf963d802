/** Images, site snapshots and a static-host fetch for the publish and serve tests (no side effects on import). */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAci } from '../../src/aci/build-aci.js';

/** What an image to build holds. */
export interface ImageSpec {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Dependencies: image names with labels. */
  readonly dependencies?: readonly { readonly imageName: string; readonly labels?: Readonly<Record<string, string>> }[];
  /** Files under rootfs: path -> text. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Builds a gzip ACI at `dir/file` and returns its path. */
export async function buildImage(dir: string, file: string, spec: ImageSpec): Promise<string> {
  const layout = mkdtempSync(join(dir, 'layout-'));
  mkdirSync(join(layout, 'rootfs'), { recursive: true });
  for (const [path, text] of Object.entries(spec.files ?? { 'etc/hello': `hello from ${spec.name}\n` })) {
    mkdirSync(join(layout, 'rootfs', path, '..'), { recursive: true });
    writeFileSync(join(layout, 'rootfs', path), text);
  }
  const labels = Object.entries(spec.labels ?? { version: '1.0.0', os: 'linux', arch: 'amd64' }).map(([name, value]) => ({ name, value }));
  const manifest: Record<string, unknown> = { acKind: 'ImageManifest', acVersion: '0.8.11', name: spec.name, labels };
  if (spec.dependencies !== undefined) {
    manifest['dependencies'] = spec.dependencies.map((d) => ({
      imageName: d.imageName,
      ...(d.labels ? { labels: Object.entries(d.labels).map(([name, value]) => ({ name, value })) } : {}),
    }));
  }
  writeFileSync(join(layout, 'manifest'), JSON.stringify(manifest));
  const out = join(dir, file);
  await buildAci(layout, out, { reproducible: true, overwrite: true });
  rmSync(layout, { recursive: true, force: true });
  return out;
}

/** Every file (and symlink) under a directory with the sha256 of its content: to show a site did not change. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isSymbolicLink()) out[path] = `-> ${readlinkSync(join(dir, path))}`;
      else
        out[path] = createHash('sha256')
          .update(readFileSync(join(dir, path)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

/**
 * A fetch that behaves like a plain static web server rooted at `site` for every URL under `baseUrl`:
 * the query is ignored, a directory is answered with its index.html, anything else is 404.
 */
export function staticHostFetch(site: string, baseUrl: string, seen: string[] = []): typeof globalThis.fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    seen.push(url.href);
    const base = new URL(baseUrl);
    if (url.origin !== base.origin || (!url.pathname.startsWith(base.pathname.replace(/\/?$/, '/')) && url.pathname !== base.pathname.replace(/\/$/, ''))) {
      return new Response('not this host', { status: 404 });
    }
    const rel = decodeURIComponent(url.pathname.slice(base.pathname.length)).replace(/^\/+/, '');
    let path = join(site, rel);
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const body = readFileSync(path);
      return new Response(body, { status: 200, headers: { 'content-type': path.endsWith('.html') ? 'text/html' : 'application/octet-stream' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  }) as typeof globalThis.fetch;
}
