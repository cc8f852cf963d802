/**
 * Fetching an image: download the signature and image, verify the signer before looking inside the
 * image, validate it, check its manifest against the discovered app, then move it into place
 * (spec/discovery.md "Validation", spec/aci.md "Image Archives"; checklist S-1..S-5).
 */
import { mkdir, mkdtemp, open, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkOutput, commitFile } from '../aci/archive-output.js';
import { AppcError, isAppcError } from '../issues/appc-error.js';
import type { Issue, Result } from '../issues/issue.js';
import { validateAci } from '../aci/validate-aci.js';
import type { DiscoveryApp } from '../discovery/app-string.js';
import type { AuthConfig } from '../discovery/auth.js';
import type { HttpGetOptions } from '../discovery/http-get.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES, httpGet, httpStatusError } from '../discovery/http-get.js';
import type { ManifestIdentity } from '../discovery/match.js';
import { checkManifestMatchesApp } from '../discovery/match.js';
import { SIGNATURE_CODES } from '../signature/codes.js';
import { maybeDecrypt } from '../signature/encryption.js';
import type { KeyRing } from '../signature/keystore.js';
import type { SignatureCheck } from '../signature/verify.js';
import { prepareVerifyAci } from '../signature/verify.js';
import { readFileChunks } from './file-chunks.js';
import { describeIoError } from './io-error.js';

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
  /** Allow plain http:// image and signature URLs, and https-to-http redirects. */
  readonly allowHttp?: boolean;
  /** The fetch to use (inject one that skips TLS checks for insecure TLS); default the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** Credentials by host, sent over https to that host only (as discovery's `auth`). */
  readonly auth?: AuthConfig;
  /** Passphrase for an encrypted image. */
  readonly passphrase?: string;
  /** Validates the archive and reads its manifest; default `validateAci` (the whole archive, one pass). */
  readonly inspect?: ImageInspector;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Stops the fetch (`HTTP_ABORTED`); the temporary files are removed. */
  readonly signal?: AbortSignal;
  /** File name in `outputDir`; default the last segment of the image URL (or NAME-with-dashes.aci). */
  readonly fileName?: string;
  /** Replace an existing image or signature file (default: fail with `ACI_OUTPUT_EXISTS` before downloading). */
  readonly overwrite?: boolean;
  /** Largest accepted image, in bytes; default 8 GiB. A larger Content-Length fails before reading. */
  readonly maxBytes?: number;
  /** Largest accepted signature, in bytes; default 1 MiB. */
  readonly maxSignatureBytes?: number;
  /** Overall time-out of each download (signature, image) with its redirects, in ms; default one hour. */
  readonly timeoutMs?: number;
  /** Longest wait for the server's headers or next body bytes, in ms; default 30000. */
  readonly idleTimeoutMs?: number;
  /** Lowest average speed over each idle time-out window, in bytes/s; default 1024 (0: off). */
  readonly minBytesPerSecond?: number;
  /** Most redirects followed per download; default 10. */
  readonly maxRedirects?: number;
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

/** Default size limit of a signature download. */
export const DEFAULT_MAX_SIGNATURE_BYTES = 1 << 20;

function httpOptions(options: FetchImageOptions, maxBytes: number): HttpGetOptions {
  return {
    maxBytes,
    accept: '*/*',
    ...(options.allowHttp ? { allowHttp: true } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.minBytesPerSecond === undefined ? {} : { minBytesPerSecond: options.minBytesPerSecond }),
    ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
  };
}

/** Downloads the signature into memory; undefined when the server has none (404, 410). */
async function getSignature(url: string, options: FetchImageOptions): Promise<Uint8Array | undefined> {
  const res = await httpGet(url, httpOptions(options, options.maxSignatureBytes ?? DEFAULT_MAX_SIGNATURE_BYTES));
  if (res.status === 404 || res.status === 410) {
    await res.cancel();
    return undefined;
  }
  if (res.status !== 200) {
    await res.cancel();
    throw httpStatusError(res);
  }
  return res.bytes();
}

/** A file system failure while writing the output, as AppcError `FILE_WRITE_FAILED`. */
function writeFailed(path: string, e: unknown): AppcError {
  if (isAppcError(e)) return e;
  return new AppcError('FILE_WRITE_FAILED', `cannot write it: ${describeIoError(e)}`, { file: path, cause: e });
}

/** Streams the image into `path` through the HTTP layer (size limit, time-outs, Content-Length), reporting progress. */
async function download(url: string, path: string, options: FetchImageOptions): Promise<number> {
  const res = await httpGet(url, httpOptions(options, options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES));
  if (res.status !== 200) {
    await res.cancel();
    throw httpStatusError(res);
  }
  let file;
  try {
    file = await open(path, 'wx', 0o644);
  } catch (e) {
    await res.cancel();
    throw writeFailed(path, e);
  }
  let received = 0;
  try {
    options.onProgress?.({ url, received, total: res.length, done: false });
    for await (const chunk of res.body()) {
      try {
        await file.write(chunk);
      } catch (e) {
        throw writeFailed(path, e);
      }
      received += chunk.length;
      options.onProgress?.({ url, received, total: res.length, done: false });
    }
    await file.sync().catch((e: unknown) => {
      throw writeFailed(path, e);
    });
  } finally {
    await file.close().catch(() => undefined);
  }
  options.onProgress?.({ url, received, total: res.length, done: true });
  return received;
}

/** Runs `use` over the chunks of a file and closes the file whatever happens. */
async function withFile<T>(path: string, signal: AbortSignal | undefined, use: (chunks: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
  const chunks = readFileChunks(path, signal ? { signal } : {});
  try {
    return await use(chunks);
  } finally {
    await chunks.return(undefined);
  }
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
 * Every download goes through the shared HTTP layer (`httpGet`): each hop is checked (scheme, no
 * downgrade, redirect limit, credentials to their own host), with a size limit, an idle and an overall
 * time-out. Nothing is left behind on failure or abort; an existing output is refused unless `overwrite`.
 * @returns a result naming the file and signer, or the stage that failed with its issues.
 * @throws AppcError `HTTP_*` (download failures, `HTTP_ABORTED`), `ACI_OUTPUT_EXISTS`, `FILE_WRITE_FAILED`,
 * keystore and decryption errors.
 * @example
 * const r = await fetchImage({ name: 'example.com/app', labels: { version: '1.0' } },
 *   { aci: 'https://example.com/app-1.0.aci', asc: 'https://example.com/app-1.0.aci.asc' },
 *   { outputDir: '.', keyring: keystoreFromRoot(dir) });
 */
export async function fetchImage(app: FetchApp, endpoint: FetchEndpoint, options: FetchImageOptions): Promise<FetchImageResult> {
  const url = endpoint.aci;
  if (!options.noSignature && options.keyring === undefined) throw new TypeError('fetchImage needs a keyring unless noSignature is set');
  try {
    return await fetchChecked(app, endpoint, options);
  } catch (e) {
    if (options.signal?.aborted && !(isAppcError(e) && e.code === 'HTTP_ABORTED')) {
      throw new AppcError('HTTP_ABORTED', "the fetch was stopped by the caller's AbortSignal; nothing was written", { url, cause: e });
    }
    throw e;
  }
}

async function fetchChecked(app: FetchApp, endpoint: FetchEndpoint, options: FetchImageOptions): Promise<FetchImageResult> {
  const url = endpoint.aci;
  const withSignature = !options.noSignature;
  const path = join(options.outputDir, basename(options.fileName ?? fileNameFor(url, app)));
  const signaturePath = withSignature ? `${path}.asc` : undefined;
  // Refuse an existing output before anything is downloaded.
  await checkOutput(path, options.overwrite === true);
  if (signaturePath !== undefined) await checkOutput(signaturePath, options.overwrite === true);

  let verifySignature: ((file: string) => Promise<SignatureCheck>) | undefined;
  let signatureBytes: Uint8Array | undefined;
  if (withSignature) {
    signatureBytes = endpoint.asc === undefined ? undefined : await getSignature(endpoint.asc, options);
    const prepared = await prepareVerifyAci(signatureBytes, options.keyring!, {
      name: app.name,
      imageLabel: url,
      signatureLabel: endpoint.asc ?? `${url}.asc`,
    });
    if (!prepared.ready) return { ok: false, stage: 'signature', url, issues: prepared.check.ok ? [] : prepared.check.issues };
    verifySignature = (file) => withFile(file, options.signal, (chunks) => prepared.verify(chunks));
  }

  let tmpDir: string;
  try {
    await mkdir(options.outputDir, { recursive: true });
    tmpDir = await mkdtemp(join(options.outputDir, '.actool-fetch-'));
  } catch (e) {
    throw writeFailed(options.outputDir, e);
  }
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

    const inspect = options.inspect ?? ((source: AsyncIterable<Uint8Array>) => validateAci(source, options.signal ? { signal: options.signal } : {}));
    const report = await withFile(tmpImage, options.signal, async (chunks) => {
      const { source } = await maybeDecrypt(chunks, {
        label: url,
        ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      });
      return inspect(source);
    });
    if (!report.ok) {
      return { ok: false, stage: 'image', url, issues: [fetchIssue('FETCH_IMAGE_INVALID', `${url} is not a valid image archive`), ...report.issues] };
    }
    const manifest = report.manifest;
    if (manifest === undefined || !manifest.ok) {
      return { ok: false, stage: 'image', url, issues: [fetchIssue('FETCH_IMAGE_INVALID', `${url} has no valid manifest`), ...(manifest?.ok === false ? manifest.issues : [])] };
    }
    const mismatch = checkManifestMatchesApp(manifest.value, app as DiscoveryApp);
    if (mismatch.length > 0) return { ok: false, stage: 'manifest', url, issues: mismatch };
    warnings.push(...report.issues);
    options.signal?.throwIfAborted();

    await commit(tmpImage, path, options.overwrite === true);
    if (signaturePath !== undefined && signatureBytes !== undefined) {
      const tmpSig = join(tmpDir, 'image.aci.asc');
      try {
        await writeFile(tmpSig, signatureBytes, { mode: 0o644 });
        await commit(tmpSig, signaturePath, options.overwrite === true);
      } catch (e) {
        // An image without the signature it was checked with is not what was asked for.
        await unlink(path).catch(() => undefined);
        throw writeFailed(signaturePath, e);
      }
    }
    return {
      ok: true,
      path,
      ...(signaturePath === undefined || signatureBytes === undefined ? {} : { signaturePath }),
      url,
      ...(signature === undefined ? {} : { signature }),
      ...(report.imageId === undefined ? {} : { imageId: report.imageId }),
      warnings,
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** Moves a finished temporary file into place (refusing to replace an existing file unless `overwrite`). */
async function commit(tmp: string, out: string, overwrite: boolean): Promise<void> {
  try {
    await commitFile(tmp, out, overwrite);
  } catch (e) {
    throw writeFailed(out, e);
  }
}
