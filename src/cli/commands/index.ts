/** The command table: names map to lazily loaded modules, so `actool validate` loads only what it needs. */
import type { Command } from '../command.js';

/** One entry of the command table. */
export interface CommandEntry {
  /** One line for the global help: kept here, not in the module, so `actool --help` loads no command. */
  readonly summary: string;
  /** Loads the command module (its full help text and its run function). */
  readonly load: () => Promise<Command>;
}

/** Every command with its one-line summary and its loader; the full help lives in the command module. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: { summary: 'Validate image manifests, pod manifests, ACI files and image layouts', load: async () => (await import('./validate.js')).command },
  build: { summary: 'Build an ACI from an image layout directory', load: async () => (await import('./build.js')).command },
  'cat-manifest': { summary: 'Print the manifest of an ACI', load: async () => (await import('./cat-manifest.js')).command },
  'patch-manifest': { summary: 'Change the manifest of an ACI', load: async () => (await import('./patch-manifest.js')).command },
  'image-id': { summary: 'Print the image ID (sha512 of the uncompressed tar) of ACI files', load: async () => (await import('./image-id.js')).command },
  extract: { summary: 'Extract an ACI into a directory, safely', load: async () => (await import('./extract.js')).command },
  discover: { summary: 'Discover the ACI, signature and public key URLs of an app', load: async () => (await import('./discover.js')).command },
  trust: { summary: 'Add, list or remove trusted signing keys', load: async () => (await import('./trust.js')).command },
  verify: { summary: 'Verify the signature of an ACI', load: async () => (await import('./verify.js')).command },
  fetch: { summary: 'Discover, download and verify an image', load: async () => (await import('./fetch.js')).command },
  store: { summary: 'Manage a local image store (add, list, rm, gc)', load: async () => (await import('./store.js')).command },
  render: { summary: 'Render an image and its dependencies into one rootfs', load: async () => (await import('./render.js')).command },
  sign: { summary: 'Sign an ACI with a detached OpenPGP signature', load: async () => (await import('./sign.js')).command },
  publish: { summary: 'Write a static discovery site for ACIs (pages, images, signatures, keys)', load: async () => (await import('./publish.js')).command },
  serve: { summary: 'Serve a discovery site over HTTP or HTTPS', load: async () => (await import('./serve.js')).command },
  convert: { summary: 'Convert a Docker or OCI image to an ACI', load: async () => (await import('./convert.js')).command },
  export: { summary: 'Export an ACI and its dependencies as an OCI image or a docker load archive', load: async () => (await import('./export.js')).command },
  version: { summary: 'Print the version', load: async () => (await import('./version.js')).command },
};
