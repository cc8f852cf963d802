/**
 * Converting a Docker or OCI image to ACIs: one squashed image (default), or one image per layer chained by
 * dependencies with their image IDs. Output is written to a temporary file and renamed into place.
 */
import { dirname, basename, join } from 'node:path';
import { arch as hostArch } from 'node:process';
import type { Issue } from '../issues/issue.js';
import { openArchiveOutput } from '../aci/archive-output.js';
import type { Compression } from '../aci/detect.js';
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../aci/tar/write-tar.js';
import type { ImageManifest } from '../schema/image-manifest.js';
import { stringifyManifest } from '../schema/manifest.js';
import { ImageInput } from './input.js';
import { selectImage } from './select-image.js';
import type { PlatformWanted } from './select-image.js';
import { configToManifest, nameAndVersion } from './config-to-manifest.js';
import type { NameOptions } from './config-to-manifest.js';
import { LayerState, writeLayers } from './squash.js';

/** Options of convertOciImage. */
export interface ConvertOptions extends PlatformWanted, NameOptions {
  /** One ACI per layer, chained by dependencies (default: one squashed ACI). */
  readonly layered?: boolean;
  /** Output compression (default gzip). */
  readonly compression?: Extract<Compression, 'gzip' | 'none'>;
  /** Replace an existing output file. */
  readonly overwrite?: boolean;
}

/** One ACI written by the conversion. */
export interface ConvertedImage {
  readonly path: string;
  readonly imageId: string;
  readonly manifest: ImageManifest;
}

/** What convertOciImage wrote: the images, the top one last. */
export interface ConvertReport {
  readonly images: readonly ConvertedImage[];
  readonly warnings: readonly Issue[];
}

const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** The host's platform in OCI terms, the default when an index holds several. */
export function hostPlatform(): { os: string; arch: string } {
  return { os: 'linux', arch: GOARCH[hostArch] ?? hostArch };
}

async function writeAci(out: string, options: ConvertOptions, body: (tar: import('../aci/archive-output.js').TarOutput, written: Set<string>) => Promise<void>, manifest: ImageManifest): Promise<string> {
  const output = await openArchiveOutput(out, { compression: options.compression ?? 'gzip', overwrite: options.overwrite === true });
  try {
    const tar = output.tar;
    await tar.put(encodeTarHeader({ name: 'rootfs', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 }));
    await body(tar, new Set<string>());
    const bytes = new TextEncoder().encode(stringifyManifest(manifest));
    await tar.put(encodeTarHeader({ name: 'manifest', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', size: bytes.length, mtime: 0 }));
    await tar.put(bytes);
    await tar.zeros(padding(bytes.length));
    await tar.put(END_OF_ARCHIVE);
    return await output.commit();
  } finally {
    await output.discard();
  }
}

/**
 * Converts the image in `source` (an OCI image layout directory or tar, or a `docker save` archive) into `out`.
 * Every blob is checked against its digest; layers are applied with whiteouts; the manifest is made from the
 * image config and validated. In layered mode the layers are written next to `out` as `<out>-layerN.aci`.
 * @example await convertOciImage('busybox.tar', 'busybox.aci', { arch: 'arm64' });
 */
export async function convertOciImage(source: string, out: string, options: ConvertOptions = {}): Promise<ConvertReport> {
  const input = await ImageInput.open(source);
  try {
    const host = hostPlatform();
    const explicit = options.os !== undefined || options.arch !== undefined || options.variant !== undefined;
    const want = { os: options.os ?? host.os, arch: options.arch ?? host.arch, ...(options.variant === undefined ? {} : { variant: options.variant }) };
    const image = await selectImage(input, want, explicit);
    const naming = nameAndVersion(image.refs, options);
    const state = new LayerState();
    if (!options.layered) {
      for (const [i, layer] of image.layers.entries()) await state.apply(input, layer, i);
      state.checkLinks();
      const manifest = configToManifest(image.config, image.platform, naming);
      const keep = (path: string, layer: number, occurrence: number): boolean => {
        const s = state.survivor(path);
        return s !== undefined && s.layer === layer && s.occurrence === occurrence;
      };
      const imageId = await writeAci(out, options, async (tar, written) => {
        await writeLayers(input, image.layers, image.layers.map((_, i) => i), keep, tar, written, state);
      }, manifest);
      return { images: [{ path: out, imageId, manifest }], warnings: state.warnings };
    }
    // Layered: image i holds what layer i adds; its whitelist (when a lower path was deleted) lists what is left.
    const images: ConvertedImage[] = [];
    let deleted = false;
    for (const [i, layer] of image.layers.entries()) {
      const before = new Set(state.paths());
      await state.apply(input, layer, i);
      const after = state.paths();
      const afterSet = new Set(after);
      if ([...before].some((p) => !afterSet.has(p))) deleted = true;
      const top = i === image.layers.length - 1;
      if (top) state.checkLinks();
      const layerName = { name: top ? naming.name : `${naming.name}-layer${i}`, version: naming.version };
      const previous = images[images.length - 1];
      const manifest = configToManifest(image.config, image.platform, layerName, {
        withApp: top,
        ...(previous ? { dependencies: [{ imageName: previous.manifest.name, imageID: previous.imageId as never }] } : {}),
        ...(deleted ? { pathWhitelist: ['/', ...after.map((p) => '/' + p)] } : {}),
      });
      const path = top ? out : join(dirname(out), `${basename(out, '.aci')}-layer${i}.aci`);
      const keep = (p: string, l: number, occurrence: number): boolean => {
        const s = state.survivor(p);
        return l === i && s !== undefined && s.layer === i && s.occurrence === occurrence;
      };
      const imageId = await writeAci(path, options, async (tar, written) => {
        await writeLayers(input, image.layers, [i], keep, tar, written, state);
      }, manifest);
      images.push({ path, imageId, manifest });
    }
    return { images, warnings: state.warnings };
  } finally {
    await input.close();
  }
}
