/** Shared helpers of the export tests: ACI files from member lists, trees on disk, the reference tools. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TarSpec } from '../support/make-tar.js';
import { makeAci } from '../support/make-tar.js';

/** True when `tool --version` runs. */
export function hasTool(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Writes an uncompressed ACI with `manifest` and rootfs members (names given without `rootfs/`). */
export function writeAci(file: string, manifest: object, members: readonly TarSpec[]): string {
  const prefixed = members.map((m): TarSpec => {
    if ('dir' in m) return { ...m, dir: `rootfs/${m.dir}` };
    if ('file' in m) return { ...m, file: `rootfs/${m.file}` };
    if ('symlink' in m) return { ...m, symlink: `rootfs/${m.symlink}` };
    return { hardlink: `rootfs/${m.hardlink}`, target: `rootfs/${m.target}` };
  });
  writeFileSync(file, makeAci({ acKind: 'ImageManifest', acVersion: '0.8.11', ...manifest }, prefixed));
  return file;
}

/**
 * `path -> "kind mode content-or-target"` of a directory tree; hard links show as `=FIRST-PATH` of their
 * inode group, so two trees compare equal only with the same links.
 */
export function dirTree(root: string, options: { modes?: boolean; owners?: boolean; setId?: boolean } = {}): [string, string][] {
  // render without owners drops set-id bits (as GNU tar does) and rootless umoci keeps them: `setId: false` compares the rest.
  const mask = options.setId === false ? 0o1777 : 0o7777;
  const out = new Map<string, string>();
  const inodes = new Map<number, string>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(full);
      const mode = (options.modes === false ? '' : (st.mode & mask).toString(8).padStart(4, '0')) + (options.owners ? ` ${st.uid}:${st.gid}` : '');
      if (st.isSymbolicLink()) out.set(rel, `l ${mode} ${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.set(rel, `d ${mode}`);
        walk(full, rel);
      } else {
        const first = st.nlink > 1 ? inodes.get(st.ino) : undefined;
        if (st.nlink > 1 && first === undefined) inodes.set(st.ino, rel);
        out.set(rel, `f ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)}${first !== undefined ? ` =${first}` : ''}`);
      }
    }
  };
  walk(root, '');
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
