/**
 * Fetching an image: download the signature and image, verify the signer before looking inside the
 * image, validate it, check its manifest against the discovered app, then move it into place
 * (spec/discovery.md "Validation", spec/aci.md "Image Archives"; checklist S-1..S-5).
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppcError } from '../issues/appc-error.js';
import type { Issue, Result } from '../issues/issue.js';
import { validateAci } from '../aci/validate-aci.js';
import type { DiscoveryApp } from '../discovery/app-string.js';
import type { ManifestIdentity } from '../discovery/match.js';
import { checkManifestMatchesApp } from '../discovery/match.js';
import { SIGNATURE_CODES } from '../signature/codes.js';
import { maybeDecrypt } from '../signature/encryption.js';
import type { KeyRing } from '../signature/keystore.js';
import type { SignatureCheck } from '../signature/verify.js';
import { prepareVerifyAci } from '../signature/verify.js';

/**
 * The app that was discovered: its name and the labels the templates were rendered with
 * (`DiscoveryResult.app`); the manifest must match them (`version=latest` excepted).
 */
export interface FetchApp {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Where to get one image: its URL and its signature's URL (from discovery's `ac-discovery` templates). */
export interface FetchEndpoint {
  readonly aci: string;
  readonly asc?: string;
}

/** Progress of one download. */
export interface DownloadProgress {
  readonly url: string;
  readonly received: number;
  /** From Content-Length; undefined when the server did not say. */
  readonly total: number | undefined;
  readonly done: boolean;
}

/** What an image inspector reports (the archive module's `validateAci` report fits). */
export interface ImageInspection {
  readonly ok: boolean;
  readonly issues: readonly Issue[];
  readonly imageId?: string | undefined;
  readonly manifest?: Result<ManifestIdentity> | undefined;
}

/** Validates the (decrypted) archive bytes and reads its manifest. */
export type ImageInspector = (source: AsyncIterable<Uint8Array>) => Promise<ImageInspection>;

/** Options of {@link fetchImage}. */
export interface FetchImageOptions {
  /** Directory the image (and its `.asc`) is written to; created if missing. */
  readonly outputDir: string;
  /** Keys trusted per name prefix; required unless `noSignature`. */
  readonly keyring?: KeyRing;
  /** Skip signature retrieval and verification (operator policy, spec/discovery.md "Validation"). */
  readonly noSignature?: boolean;
  /** Allow plain http:// image and signature URLs. */
  readonly allowHttp?: boolean;
  /** The fetch to use (inject one that skips TLS checks for insecure TLS); default the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** Passphrase for an encrypted image. */
  readonly passphrase?: string;
  /** Validates the archive and reads its manifest; default `validateAci` (the whole archive, one pass). */
  readonly inspect?: ImageInspector;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  /** File name in `outputDir`; default the last segment of the image URL (or NAME-with-dashes.aci). */
  readonly fileName?: string;
  /** Largest accepted signature, in bytes; default 1 MiB. */
  readonly maxSignatureBytes?: number;
}

/** The outcome of {@link fetchImage}. */
export type FetchImageResult =
  | {
      readonly ok: true;
      /** The image file written. */
      readonly path: string;
      /** The signature written next to it (absent with `noSignature`). */
      readonly signaturePath?: string;
      readonly url: string;
      readonly signature?: Extract<SignatureCheck, { ok: true }>;
      readonly imageId?: string;
      readonly warnings: readonly Issue[];
    }
  | {
      readonly ok: false;
      /** What failed: the signature (nothing downloaded or kept), the archive, or the manifest match. */
      readonly stage: 'signature' | 'image' | 'manifest';
      readonly url: string;
      readonly issues: readonly Issue[];
    };

function checkScheme(url: string, allowHttp: boolean | undefined): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new AppcError('FETCH_DOWNLOAD_FAILED', `${JSON.stringify(url)} is not a URL`, { url, cause: e });
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && allowHttp)) return;
  throw new AppcError(
    'FETCH_INSECURE_URL',
    `refusing to download ${url}: only https URLs are allowed${parsed.protocol === 'http:' ? ' (--insecure-options=http allows plain HTTP)' : ''}`,
    { url },
  );
}

async function get(url: string, options: FetchImageOptions): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  try {
    const res = await doFetch(url, { redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
    if (res.url && res.url !== url) checkScheme(res.url, options.allowHttp);
    return res;
  } catch (e) {
    if (e instanceof AppcError) throw e;
    if (options.signal?.aborted) throw e;
    const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new AppcError('FETCH_DOWNLOAD_FAILED', `cannot download ${url}: ${reason}`, { url, cause: e });
  }
}

function statusError(url: string, res: Response): AppcError {
  return new AppcError('FETCH_DOWNLOAD_FAILED', `cannot download ${url}: HTTP ${res.status} ${res.statusText}`.trim(), { url });
}

/** Downloads a small body (the signature) into memory; undefined on 404. */
async function getSmall(url: string, options: FetchImageOptions): Promise<Uint8Array | undefined> {
  const res = await get(url, options);
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw statusError(url, res);
  }
  const max = options.maxSignatureBytes ?? 1 << 20;
  const parts: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > max) {
        await reader.cancel();
        throw new AppcError('FETCH_DOWNLOAD_FAILED', `${url} is larger than the ${max}-byte limit for a signature`, { url });
      }
      parts.push(r.value);
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Streams a body into a file, reporting progress; checks the length against Content-Length. */
async function download(url: string, path: string, options: FetchImageOptions): Promise<number> {
  const res = await get(url, options);
  if (!res.ok) {
    await res.body?.cancel();
    throw statusError(url, res);
  }
  const header = res.headers.get('content-length');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  const file = await open(path, 'wx', 0o644);
  let received = 0;
  try {
    options.onProgress?.({ url, received, total, done: false });
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          if (options.signal?.aborted) throw e;
          throw new AppcError('FETCH_DOWNLOAD_FAILED', `download of ${url} broke off after ${received} bytes: ${(e as Error).message}`, { url, cause: e });
        }
        if (r.done) break;
        await file.write(r.value);
        received += r.value.length;
        options.onProgress?.({ url, received, total, done: false });
      }
    }
    await file.sync();
  } finally {
    await file.close();
  }
  if (total !== undefined && received !== total) {
    throw new AppcError('FETCH_DOWNLOAD_FAILED', `download of ${url} is truncated: ${received} of ${total} bytes`, { url });
  }
  options.onProgress?.({ url, received, total, done: true });
  return received;
}

function fileNameFor(url: string, app: FetchApp): string {
  let last = '';
  try {
    last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  if (/^[A-Za-z0-9._+-]+\.aci$/.test(last) && !last.startsWith('.')) return last;
  return `${app.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.aci`;
}

function fetchIssue(code: 'FETCH_IMAGE_INVALID', message: string): Issue {
  return { code, severity: SIGNATURE_CODES[code].severity, path: '', message };
}

/**
 * Fetches one image from an endpoint: signature first (an unknown or untrusted signer stops before
 * the image is downloaded), then the image into a temporary file in `outputDir`, then the signature
 * check over the downloaded bytes, then (decrypting when needed) archive validation and the manifest
 * name/labels check against `app`; only when all pass is the image renamed into place with its `.asc`.
 * Nothing is left behind on failure.
 * @returns a result naming the file and signer, or the stage that failed with its issues.
 * @throws AppcError `FETCH_INSECURE_URL`, `FETCH_DOWNLOAD_FAILED`, keystore and decryption errors; file system errors.
 * @example
 * const r = await fetchImage({ name: 'example.com/app', labels: { version: '1.0' } },
 *   { aci: 'https://example.com/app-1.0.aci', asc: 'https://example.com/app-1.0.aci.asc' },
 *   { outputDir: '.', keyring: keystoreFromRoot(dir) });
 */
export async function fetchImage(app: FetchApp, endpoint: FetchEndpoint, options: FetchImageOptions): Promise<FetchImageResult> {
  const url = endpoint.aci;
  checkScheme(url, options.allowHttp);
  if (!options.noSignature && endpoint.asc !== undefined) checkScheme(endpoint.asc, options.allowHttp);
  if (!options.noSignature && options.keyring === undefined) throw new TypeError('fetchImage needs a keyring unless noSignature is set');

  let verifySignature: ((path: string) => Promise<SignatureCheck>) | undefined;
  let signatureBytes: Uint8Array | undefined;
  if (!options.noSignature) {
    signatureBytes = endpoint.asc === undefined ? undefined : await getSmall(endpoint.asc, options);
    const prepared = await prepareVerifyAci(signatureBytes, options.keyring!, {
      name: app.name,
      imageLabel: url,
      signatureLabel: endpoint.asc ?? `${url}.asc`,
    });
    if (!prepared.ready) return { ok: false, stage: 'signature', url, issues: prepared.check.ok ? [] : prepared.check.issues };
    verifySignature = (path) => prepared.verify(createReadStream(path, { highWaterMark: 1 << 20 }));
  }

  await mkdir(options.outputDir, { recursive: true });
  const tmpDir = await mkdtemp(join(options.outputDir, '.actool-fetch-'));
  try {
    const tmpImage = join(tmpDir, 'image.aci');
    await download(url, tmpImage, options);

    let signature: Extract<SignatureCheck, { ok: true }> | undefined;
    const warnings: Issue[] = [];
    if (verifySignature) {
      const check = await verifySignature(tmpImage);
      if (!check.ok) return { ok: false, stage: 'signature', url, issues: check.issues };
      signature = check;
      warnings.push(...check.warnings);
    }

    let imageId: string | undefined;
    const inspect = options.inspect ?? ((source: AsyncIterable<Uint8Array>) => validateAci(source, options.signal ? { signal: options.signal } : {}));
    {
      const { source } = await maybeDecrypt(createReadStream(tmpImage, { highWaterMark: 1 << 20 }), {
        label: url,
        ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      });
      const report = await inspect(source);
      if (!report.ok) {
        return { ok: false, stage: 'image', url, issues: [fetchIssue('FETCH_IMAGE_INVALID', `${url} is not a valid image archive`), ...report.issues] };
      }
      imageId = report.imageId;
      const manifest = report.manifest;
      if (manifest === undefined || !manifest.ok) {
        return { ok: false, stage: 'image', url, issues: [fetchIssue('FETCH_IMAGE_INVALID', `${url} has no valid manifest`), ...(manifest?.ok === false ? manifest.issues : [])] };
      }
      const mismatch = checkManifestMatchesApp(manifest.value, app as DiscoveryApp);
      if (mismatch.length > 0) return { ok: false, stage: 'manifest', url, issues: mismatch };
      warnings.push(...report.issues);
    }

    const name = options.fileName ?? fileNameFor(url, app);
    const path = join(options.outputDir, basename(name));
    let signaturePath: string | undefined;
    if (signatureBytes !== undefined) {
      signaturePath = `${path}.asc`;
      const tmpSig = join(tmpDir, 'image.aci.asc');
      await writeFile(tmpSig, signatureBytes, { mode: 0o644 });
      await rename(tmpSig, signaturePath);
    }
    await rename(tmpImage, path);
    return {
      ok: true,
      path,
      ...(signaturePath === undefined ? {} : { signaturePath }),
      url,
      ...(signature === undefined ? {} : { signature }),
      ...(imageId === undefined ? {} : { imageId }),
      warnings,
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
