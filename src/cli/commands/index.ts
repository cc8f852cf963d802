/** The command table: names map to lazily loaded modules, so `actool validate` loads only what it needs. */
import type { Command } from '../command.js';

/** Every command with its loader; the summary and help live in the command module itself. */
export const COMMANDS: Readonly<Record<string, { readonly load: () => Promise<Command> }>> = {
  validate: { load: async () => (await import('./validate.js')).command },
  build: { load: async () => (await import('./build.js')).command },
  'cat-manifest': { load: async () => (await import('./cat-manifest.js')).command },
  'patch-manifest': { load: async () => (await import('./patch-manifest.js')).command },
  'image-id': { load: async () => (await import('./image-id.js')).command },
  extract: { load: async () => (await import('./extract.js')).command },
  discover: { load: async () => (await import('./discover.js')).command },
  trust: { load: async () => (await import('./trust.js')).command },
  verify: { load: async () => (await import('./verify.js')).command },
  fetch: { load: async () => (await import('./fetch.js')).command },
  store: { load: async () => (await import('./store.js')).command },
  render: { load: async () => (await import('./render.js')).command },
  sign: { load: async () => (await import('./sign.js')).command },
  publish: { load: async () => (await import('./publish.js')).command },
  serve: { load: async () => (await import('./serve.js')).command },
  convert: { load: async () => (await import('./convert.js')).command },
  export: { load: async () => (await import('./export.js')).command },
  version: { load: async () => (await import('./version.js')).command },
};
