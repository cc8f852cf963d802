/** Reads an image reference on the command line: an image ID (or prefix), or an app string NAME[:VERSION][,LABEL=VALUE]. */
import { UsageError } from './command.js';
import { parseAppString } from '../discovery/app-string.js';
import type { ImageRef } from '../render/render.js';

/** Parses IMAGE as the render and store commands take it. */
export function parseImageRef(text: string): ImageRef {
  if (text.startsWith('sha512-')) return text;
  const app = parseAppString(text);
  if (!app.ok) throw new UsageError(`${JSON.stringify(text)} is neither an image ID nor an app string: ${app.issues.map((i) => i.message).join('; ')}`);
  return { name: app.value.name, labels: app.value.labels };
}
