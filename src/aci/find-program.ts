/** Finding the system's compression programs (`xz`, `bzip2`) on PATH, once per name and PATH. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | null>();

/** The absolute path of the executable `program` on PATH, or undefined. */
export function findProgram(program: string): string | undefined {
  const searchPath = process.env['PATH'] ?? '';
  const key = `${program}\0${searchPath}`;
  let path = found.get(key);
  if (path === undefined) {
    path = null;
    for (const dir of searchPath.split(delimiter)) {
      if (!dir) continue;
      try {
        accessSync(join(dir, program), constants.X_OK);
        path = join(dir, program);
        break;
      } catch {
        // not here
      }
    }
    found.set(key, path);
  }
  return path ?? undefined;
}
