/**
 * Writing a static discovery site (spec/discovery.md): discovery pages with `ac-discovery` and
 * `ac-discovery-pubkeys` meta tags at every path a client requests, images named by the template
 * `{name}-{version}-{os}-{arch}.{ext}`, their detached signatures, and the public keys. The new site is
 * built in a temporary directory next to the old one (unchanged files hard-linked, not copied) and
 * swapped in only when everything succeeded, so bad input leaves the site as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { validateAci } from '../aci/validate-aci.js';
import { withLock } from '../render/lock.js';
import { AppcError } from '../issues/appc-error.js';
import { getLabel } from '../schema/types/labels.js';
import { compareSemVer, parseSemVer } from '../schema/types/semver.js';
import { MemoryKeyRing } from '../signature/keystore.js';
import { readPublicKeys } from '../signature/keys.js';
import type { SigningKey } from '../signature/sign.js';
import { signAci } from '../signature/sign.js';
import { verifyAci } from '../signature/verify.js';
import type { SiteBase } from './base-url.js';
import { parseSiteBase } from './base-url.js';
import type { ListedImage } from './pages.js';
import { renderPage } from './pages.js';
import type { ImageKey } from './site-layout.js';
import { checkPublishable, imageStem, keyString, pageFile, pagePrefixes, PUBKEYS_FILE, SITE_DIR, STATE_FILE, siteTemplate, sitePubkeysUrl, TEMPLATE_LABELS } from './site-layout.js';
import type { PublishedImage, SiteState } from './site-state.js';
import { formatSiteState, readSiteState } from './site-state.js';

/** One image to publish: the ACI file and, optionally, its detached signature. */
export interface PublishSource {
  readonly aci: string;
  /** A detached signature to copy (default: `ACI.asc` when it exists and no signing key is given). */
  readonly signature?: string;
  /** How to name the source in messages (default: the path). */
  readonly label?: string;
}

/** Options of {@link publishSite}. */
export interface PublishSiteOptions {
  /** The URL the site will be served at (`https://example.com/` or `https://example.com/appc/`). Needed for a new site. */
  readonly baseUrl?: string;
  /** Signs every new image with this key (its public part is published). Without it, signatures are copied. */
  readonly signingKey?: SigningKey;
  /** More public keys to publish (the signers of copied signatures), as key file contents. */
  readonly publicKeys?: readonly { readonly data: Uint8Array | string; readonly source: string }[];
  /** Also publish the newest version of each name/os/arch as version `latest` (default true). */
  readonly latest?: boolean;
  /** The time recorded for new images (default now). */
  readonly now?: Date;
}

/** What {@link publishSite} did. */
export interface PublishReport {
  readonly site: string;
  readonly baseUrl: string;
  /** The image-name prefix the site serves. */
  readonly prefix: string;
  /** The `ac-discovery` template in the pages. */
  readonly template: string;
  /** The `ac-discovery-pubkeys` URL in the pages. */
  readonly pubkeysUrl: string;
  /** Images added by this run. */
  readonly added: readonly PublishedImage[];
  /** Images given again that were already on the site with the same bytes. */
  readonly unchanged: readonly PublishedImage[];
  /** Every image on the site after the run. */
  readonly images: readonly PublishedImage[];
  /** Page files, relative to the site root. */
  readonly pages: readonly string[];
  /** Fingerprints of the published keys. */
  readonly keys: readonly string[];
}

interface SiteKey {
  readonly fingerprint: string;
  readonly armored: string;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('hex')}`;
}

/** Writes a generated file; unlinks first so a hard link to the old site is never written through. */
async function writeFresh(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await unlink(path).catch(() => undefined);
  await writeFile(path, data);
}

/** Hard-links (or copies, across file systems) a file into the new tree. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to, fsConstants.COPYFILE_FICLONE);
  }
}

/** Mirrors the old site into the new tree by hard links, except the files that are generated again. */
async function mirror(from: string, to: string, skip: ReadonlySet<string>, rel = ''): Promise<void> {
  await mkdir(join(to, rel), { recursive: true });
  for (const entry of await readdir(join(from, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (skip.has(path)) continue;
    if (entry.isDirectory()) await mirror(from, to, skip, path);
    else if (entry.isSymbolicLink()) await symlink(await readlink(join(from, path)), join(to, path));
    else await linkOrCopy(join(from, path), join(to, path));
  }
}

async function readSiteKeys(site: string): Promise<SiteKey[]> {
  let data: Buffer;
  try {
    data = await readFile(join(site, PUBKEYS_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  try {
    return (await readPublicKeys(new Uint8Array(data), { source: PUBKEYS_FILE })).map((k) => ({ fingerprint: k.fingerprint, armored: k.armored }));
  } catch (e) {
    throw new AppcError('PUBLISH_SITE_DAMAGED', `${PUBKEYS_FILE} cannot be read: ${e instanceof Error ? e.message : String(e)}`, { file: join(site, PUBKEYS_FILE), cause: e });
  }
}

function newer(a: PublishedImage, b: PublishedImage): boolean {
  const va = parseSemVer(a.version);
  const vb = parseSemVer(b.version);
  if (va !== undefined && vb !== undefined) {
    const c = compareSemVer(va, vb);
    if (c !== 0) return c > 0;
  }
  return a.published > b.published;
}

/** The newest image of each name/os/arch: what version `latest` serves. */
export function latestImages(images: readonly PublishedImage[]): PublishedImage[] {
  const best = new Map<string, PublishedImage>();
  for (const i of images) {
    const k = `${i.name}\u0000${i.os}\u0000${i.arch}`;
    const have = best.get(k);
    if (have === undefined || newer(i, have)) best.set(k, i);
  }
  return [...best.values()];
}

const latestKey = (i: ImageKey): ImageKey => ({ ...i, version: 'latest' });

/** The label of an image the template needs, or an error naming what is missing. */
function templateKey(name: string, labels: readonly { name: string; value: string }[], label: string): ImageKey {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const l of TEMPLATE_LABELS) {
    const v = getLabel(labels, l);
    if (v === undefined || v === '') missing.push(l);
    else values[l] = v;
  }
  if (missing.length > 0) {
    throw new AppcError(
      'PUBLISH_MISSING_LABEL',
      `image ${name} has no ${missing.join(', ')} label${missing.length === 1 ? '' : 's'}; the site template {name}-{version}-{os}-{arch}.{ext} needs them (add with actool patch-manifest --add-label)`,
      { file: label },
    );
  }
  return { name, version: values['version']!, os: values['os']!, arch: values['arch']! };
}

/**
 * Publishes ACIs into a static discovery site directory (created when missing). For each image: the
 * archive is copied into the new tree, validated and hashed there (so the published bytes are the
 * checked bytes), checked against the base prefix and the site, and signed with `signingKey` or given
 * its copied signature, which must verify against the site's keys. Then every discovery page, the key
 * file and the site record are written, and the new tree replaces the old one.
 *
 * Publishing an image already on the site with the same bytes changes nothing; with other bytes it is
 * a `PUBLISH_CONFLICT`. Old images, signatures and unknown files stay (hard-linked into the new tree).
 * @throws AppcError `PUBLISH_*`, `SIGN_*`, `KEY_MALFORMED`; Node I/O errors. The site is unchanged then.
 */
export async function publishSite(sources: readonly (string | PublishSource)[], site: string, options: PublishSiteOptions = {}): Promise<PublishReport> {
  const root = resolve(site);
  // One publisher per site at a time (two would each build from the old site, and the last swap would
  // drop the other's images). The lock lives next to the site, so it survives the swap.
  const lockDir = join(dirname(root), `.${basename(root)}.lock`);
  await mkdir(lockDir, { recursive: true });
  return withLock(lockDir, async () => {
    await recoverInterrupted(root);
    return publishLocked(sources, root, options);
  });
}

/**
 * Cleans up after a run that was killed: a site moved aside but never replaced is put back, and
 * temporary trees are removed. Runs under the lock, so no other run is using them.
 */
async function recoverInterrupted(root: string): Promise<void> {
  const parent = dirname(root);
  const name = basename(root);
  const leftovers = (await readdir(parent)).filter((f) => f.startsWith(`.${name}.publish-`) || f.startsWith(`.${name}.old-`));
  const aside = leftovers.filter((f) => f.startsWith(`.${name}.old-`));
  if (!(await exists(root)) && aside.length === 1) await rename(join(parent, aside[0]!), root);
  // Without a site, several moved-aside trees cannot be told apart: keep them for a person to look at.
  const keepAside = !(await exists(root));
  for (const f of leftovers) if (!(keepAside && f.startsWith(`.${name}.old-`))) await rm(join(parent, f), { recursive: true, force: true });
}

async function publishLocked(sources: readonly (string | PublishSource)[], root: string, options: PublishSiteOptions): Promise<PublishReport> {
  const old = (await exists(root)) ? await readSiteState(root) : undefined;
  if (old === undefined && (await exists(root))) {
    if ((await readdir(root)).length > 0) {
      throw new AppcError('PUBLISH_NOT_A_SITE', `${root} holds other files and no ${STATE_FILE}; publish into an empty or new directory`, { file: root });
    }
  }
  const baseText = options.baseUrl ?? old?.baseUrl;
  if (baseText === undefined) throw new AppcError('PUBLISH_NO_BASE_URL', `${root} is a new site: give the URL it will be served at (--base-url=https://HOST/)`, { file: root });
  const base: SiteBase = parseSiteBase(baseText);
  const now = (options.now ?? new Date()).toISOString();

  // The keys the site publishes: the old ones, the signing key's public part, the extra ones.
  const keys = new Map<string, SiteKey>();
  if (old !== undefined) for (const k of await readSiteKeys(root)) keys.set(k.fingerprint, k);
  if (options.signingKey !== undefined) {
    const k = options.signingKey;
    if (!keys.has(k.fingerprint)) keys.set(k.fingerprint, { fingerprint: k.fingerprint, armored: k.publicArmored });
  }
  for (const extra of options.publicKeys ?? []) {
    for (const k of await readPublicKeys(extra.data, { source: extra.source })) if (!keys.has(k.fingerprint)) keys.set(k.fingerprint, { fingerprint: k.fingerprint, armored: k.armored });
  }

  const images = new Map<string, PublishedImage>();
  for (const i of old?.images ?? []) {
    checkPublishable(i, base, STATE_FILE);
    images.set(keyString(i), i);
  }

  const tmp = join(dirname(root), `.${basename(root)}.publish-${randomBytes(6).toString('hex')}`);
  const added: PublishedImage[] = [];
  const unchanged: PublishedImage[] = [];
  try {
    const skip = new Set<string>([STATE_FILE, PUBKEYS_FILE, '.nojekyll', ...(old?.pages ?? [])]);
    for (const i of latestImages(old?.images ?? [])) for (const ext of ['.aci', '.aci.asc']) skip.add(imageStem(latestKey(i)) + ext);
    if (old !== undefined) await mirror(root, tmp, skip);
    else await mkdir(tmp, { recursive: true });
    await mkdir(join(tmp, SITE_DIR), { recursive: true });

    let ring: MemoryKeyRing | undefined;
    const keyRing = async (): Promise<MemoryKeyRing> => {
      if (ring !== undefined) return ring;
      ring = new MemoryKeyRing();
      for (const k of keys.values()) await ring.add(k.armored, { root: true }, { source: PUBKEYS_FILE });
      return ring;
    };

    for (const source of sources) {
      const src = typeof source === 'string' ? { aci: source } : source;
      const label = src.label ?? src.aci;
      const staged = join(tmp, SITE_DIR, `.incoming-${randomBytes(6).toString('hex')}.aci`);
      await copyFile(resolve(src.aci), staged, fsConstants.COPYFILE_FICLONE);
      const report = await validateAci(staged);
      if (!report.ok || report.manifest === undefined || !report.manifest.ok || report.imageId === undefined) {
        const first = report.issues.find((i) => i.severity === 'error') ?? report.issues[0];
        throw new AppcError('PUBLISH_INVALID_IMAGE', `${label} is not a valid ACI${first ? `: ${first.entry ? `${first.entry}: ` : ''}${first.code} ${first.message}` : ''}`, { file: label });
      }
      const manifest = report.manifest.value;
      const key = templateKey(manifest.name, manifest.labels ?? [], label);
      checkPublishable(key, base, label);
      const archiveDigest = await digestFile(staged);
      const have = images.get(keyString(key));
      if (have !== undefined) {
        if (have.archiveDigest !== archiveDigest) {
          throw new AppcError(
            'PUBLISH_CONFLICT',
            `${label}: ${key.name}:${key.version} ${key.os}/${key.arch} is already ${added.includes(have) ? 'given by another source' : 'on the site'} with other bytes (image ${have.imageId.slice(0, 19)}); a published file never changes under its URL: give the new image a new version`,
            { file: label },
          );
        }
        if (!added.includes(have) && !unchanged.includes(have)) unchanged.push(have);
        await unlink(staged);
        continue;
      }
      const stem = join(tmp, imageStem(key));
      await mkdir(dirname(stem), { recursive: true });
      let signature: string | Uint8Array;
      let signedBy: string;
      if (options.signingKey !== undefined) {
        const signed = await signAci(createReadStream(staged, { highWaterMark: 1 << 20 }), options.signingKey);
        signature = signed.signature;
        signedBy = signed.fingerprint;
      } else {
        const sigPath = resolve(src.signature ?? `${src.aci}.asc`);
        try {
          signature = new Uint8Array(await readFile(sigPath));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          throw new AppcError('PUBLISH_NO_SIGNATURE', `${label} has no signature (${sigPath} does not exist); sign on the way with --key=PRIVATE-KEY, or sign first with actool sign`, { file: label });
        }
        const check = await verifyAci(createReadStream(staged, { highWaterMark: 1 << 20 }), signature, await keyRing(), {
          imageLabel: label,
          signatureLabel: sigPath,
          strict: true,
        });
        if (!check.ok) {
          const first = check.issues[0]!;
          const signer = check.signer?.fingerprint ?? check.signer?.keyId;
          const why =
            first.code === 'SIGNATURE_UNKNOWN_SIGNER'
              ? `it was made by key ${signer ?? '(unknown)'}, which the site does not publish: add the signer's public key with --pubkey=KEYFILE, or sign with --key`
              : `${first.code}: ${first.message}`;
          throw new AppcError('PUBLISH_SIGNATURE_INVALID', `${sigPath} does not verify with the site's keys: ${why}`, { file: sigPath });
        }
        signedBy = check.fingerprint;
      }
      await rename(staged, `${stem}.aci`);
      await writeFresh(`${stem}.aci.asc`, signature);
      const published: PublishedImage = { ...key, imageId: report.imageId, archiveDigest, size: report.compressedBytes, signedBy, published: now };
      images.set(keyString(key), published);
      added.push(published);
    }

    const all = [...images.values()].sort((a, b) => keyString(a).localeCompare(keyString(b)));
    if (options.latest !== false) {
      for (const i of latestImages(all)) {
        const to = join(tmp, imageStem(latestKey(i)));
        const from = join(tmp, imageStem(i));
        for (const ext of ['.aci', '.aci.asc']) {
          await unlink(to + ext).catch(() => undefined);
          await linkOrCopy(from + ext, to + ext);
        }
      }
    }

    const listed: ListedImage[] = all;
    const prefixes = new Set<string>([base.prefix]);
    for (const i of all) for (const p of pagePrefixes(i.name, base)) prefixes.add(p);
    const pages = [...prefixes].sort().map((p) => ({ prefix: p, file: pageFile(p, base) }));
    for (const page of pages) {
      if (
        page.file !== 'index.html' &&
        (await stat(join(tmp, dirname(page.file))).then(
          (s) => !s.isDirectory(),
          () => false,
        ))
      ) {
        throw new AppcError('PUBLISH_NAME_UNSAFE', `the page for ${page.prefix} would be ${page.file}, but ${dirname(page.file)} is a file on the site`, { file: page.file });
      }
      await writeFresh(join(tmp, page.file), renderPage(page.prefix, base, listed));
    }
    // GitHub Pages runs Jekyll, which drops directories starting with '_' unless this file exists.
    await writeFresh(join(tmp, '.nojekyll'), '');
    const keyList = [...keys.values()];
    await writeFresh(join(tmp, PUBKEYS_FILE), keyList.map((k) => k.armored.trimEnd() + '\n').join(''));
    const state: SiteState = { format: 'appc-site/1', baseUrl: base.url, images: all, pages: pages.map((p) => p.file) };
    await writeFresh(join(tmp, STATE_FILE), formatSiteState(state));

    await swapIn(tmp, root);
    return {
      site: root,
      baseUrl: base.url,
      prefix: base.prefix,
      template: siteTemplate(base),
      pubkeysUrl: sitePubkeysUrl(base),
      added,
      unchanged,
      images: all,
      pages: state.pages,
      keys: keyList.map((k) => k.fingerprint),
    };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Replaces `root` by `tmp`: two renames (the old tree moved aside, the new one in), the old one then removed. */
async function swapIn(tmp: string, root: string): Promise<void> {
  if (!(await exists(root))) {
    await rename(tmp, root);
    return;
  }
  const aside = join(dirname(root), `.${basename(root)}.old-${randomBytes(6).toString('hex')}`);
  await rename(root, aside);
  try {
    await rename(tmp, root);
  } catch (e) {
    await rename(aside, root);
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
}
