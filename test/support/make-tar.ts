/** Builds small uncompressed ACI tars in memory for tests, with the library's own tar header writer. */
import { encodeTarHeader, END_OF_ARCHIVE, padding } from '../../src/aci/tar/write-tar.js';

/** One member: a directory (`dir/`), a file with content, a symlink or a hard link. */
export type TarSpec =
  | { readonly dir: string; readonly mode?: number; readonly mtime?: number }
  | { readonly file: string; readonly content?: string; readonly mode?: number; readonly mtime?: number }
  | { readonly symlink: string; readonly target: string }
  | { readonly hardlink: string; readonly target: string };

/** Concatenates the members into a tar (manifest and rootfs entries are up to the caller). */
export function makeTar(members: readonly TarSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const base = { uid: 0, gid: 0, mtime: 1_000_000 };
  for (const m of members) {
    if ('dir' in m) parts.push(encodeTarHeader({ ...base, name: m.dir, type: 'directory', mode: m.mode ?? 0o755, mtime: m.mtime ?? base.mtime }));
    else if ('file' in m) {
      const body = new TextEncoder().encode(m.content ?? '');
      parts.push(encodeTarHeader({ ...base, name: m.file, type: 'file', mode: m.mode ?? 0o644, size: body.length, mtime: m.mtime ?? base.mtime }));
      parts.push(body, new Uint8Array(padding(body.length)));
    } else if ('symlink' in m) parts.push(encodeTarHeader({ ...base, name: m.symlink, type: 'symlink', mode: 0o777, linkname: m.target }));
    else parts.push(encodeTarHeader({ ...base, name: m.hardlink, type: 'link', mode: 0o644, linkname: m.target }));
  }
  parts.push(END_OF_ARCHIVE);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An ACI: `manifest` (the given object as JSON), a `rootfs` directory, then the members. */
export function makeAci(manifest: object, members: readonly TarSpec[]): Uint8Array {
  const json = JSON.stringify(manifest);
  return makeTar([{ file: 'manifest', content: json }, { dir: 'rootfs' }, ...members]);
}
