/** The HTML of discovery pages (spec/discovery.md#meta-discovery): the two meta tags, and a list of images for people. */
import type { SiteBase } from './base-url.js';
import type { ImageKey } from './site-layout.js';
import { imageStem, siteTemplate, sitePubkeysUrl } from './site-layout.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One image as listed on a page. */
export interface ListedImage extends ImageKey {
  readonly imageId: string;
  readonly signedBy: string;
}

/**
 * The discovery page for a name prefix: `ac-discovery` with the site template and
 * `ac-discovery-pubkeys` with the site's key URL, both for the base prefix (which covers every name
 * on the site), then the images under the prefix as links. The output is deterministic, so an
 * unchanged site republishes byte for byte.
 */
export function renderPage(prefix: string, base: SiteBase, images: readonly ListedImage[]): string {
  const rows = images
    .filter((i) => i.name === prefix || i.name.startsWith(`${prefix}/`))
    .map((i) => {
      const href = `${base.url}${imageStem(i)}.aci`;
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(`${i.name}:${i.version}`)} ${escapeHtml(`${i.os}/${i.arch}`)}</a> (<a href="${escapeHtml(href)}.asc">signature</a>) <code>${escapeHtml(i.imageId.slice(0, 19))}</code></li>`;
    });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(prefix)}</title>`,
    `<meta name="ac-discovery" content="${escapeHtml(`${base.prefix} ${siteTemplate(base)}`)}">`,
    `<meta name="ac-discovery-pubkeys" content="${escapeHtml(`${base.prefix} ${sitePubkeysUrl(base)}`)}">`,
    '</head><body>',
    `<h1>${escapeHtml(prefix)}</h1>`,
    `<p>App Container images. Trust the signing keys with <code>actool trust --prefix=${escapeHtml(prefix)}</code>, then fetch with <code>actool fetch ${escapeHtml(prefix)}:VERSION</code>.</p>`,
    rows.length === 0 ? '<p>No images.</p>' : `<ul>\n${rows.join('\n')}\n</ul>`,
    `<p><a href="${escapeHtml(sitePubkeysUrl(base))}">Public keys</a></p>`,
    '</body></html>',
    '',
  ].join('\n');
}
