/** The tar entry type of a file on disk, from its stats. */
import { type BigIntStats, constants } from 'node:fs';
import type { TarEntryType } from './tar/header.js';

/** The tar entry type a file on disk would become. */
export function entryTypeOf(stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): TarEntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  return 'unknown';
}

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK } = constants;
// Node's own tests answer false for FIFOs and block devices on Windows whatever the mode: ask them there.
const BY_MODE = process.platform !== 'win32' && [S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK].every((c) => typeof c === 'number');

/**
 * {@link entryTypeOf} of BigInt stats, read from the mode as a number: each of BigIntStats' isFile-like tests
 * makes three BigInts, up to six tests an entry, for every path a layout walk meets.
 */
export function entryTypeOfBigIntStats(stats: BigIntStats): TarEntryType {
  if (!BY_MODE) return entryTypeOf(stats);
  switch (Number(stats.mode) & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'directory';
    case S_IFLNK:
      return 'symlink';
    case S_IFIFO:
      return 'fifo';
    case S_IFCHR:
      return 'character-device';
    case S_IFBLK:
      return 'block-device';
    default:
      return 'unknown';
  }
}
