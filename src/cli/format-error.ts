/** Turns any thrown value into one line for a person: no stack traces reach a CLI user. */
import { isAppcError } from '../issues/appc-error.js';
import { describeIoError } from '../node/io-error.js';

/** One line describing `e`, with the file, entry, URL or offset when known. */
export function formatError(e: unknown): string {
  if (isAppcError(e)) {
    const where = [e.file, e.entry && `entry ${e.entry}`, e.url, e.offset !== undefined && `offset ${e.offset}`]
      .filter(Boolean)
      .join(', ');
    return `${where ? where + ': ' : ''}${e.message} [${e.code}]`;
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const path = (e as { path?: unknown }).path;
    if (typeof code === 'string' && typeof path === 'string') return `${path}: ${describeIoError(e)}`;
    return e.message;
  }
  return String(e);
}
