/** Turns any thrown value into one line for a person: no stack traces reach a CLI user. */
import { isAppcError } from '../issues/appc-error.js';
import { describeIoError } from '../node/io-error.js';
import { escapeTerminalText } from './terminal-text.js';

/**
 * One line describing `e`, with the file, entry, URL or offset when known. `path` names the file the
 * command was working on, for Node errors that carry none (reading a directory fails with EISDIR and no
 * path). Names from archives are escaped, so the line stays one line.
 */
export function formatError(e: unknown, path?: string): string {
  return escapeTerminalText(describe(path === undefined ? e : withPath(e, path)));
}

function describe(e: unknown): string {
  if (isAppcError(e)) {
    const where = [e.file, e.entry && `entry ${e.entry}`, e.url, e.offset !== undefined && `offset ${e.offset}`].filter(Boolean).join(', ');
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

/**
 * Gives a Node I/O error the path it was about when Node left it out, so every I/O message names its
 * file. Other values are returned unchanged.
 */
export function withPath(e: unknown, path: string): unknown {
  if (e instanceof Error && !isAppcError(e) && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { path?: unknown }).path !== 'string') {
    Object.defineProperty(e, 'path', { value: path, enumerable: true, configurable: true, writable: true });
  }
  return e;
}
