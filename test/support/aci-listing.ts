/** Lists an ACI's entries as short lines (`f 0644 0:0 rootfs/etc/hosts sha256:…`) for golden comparisons. */
import { createHash } from 'node:crypto';
import { readAciEntries } from '../../src/aci/entries.js';

/** One line per entry: kind, mode, owner, path, and the content digest, link target or device. */
export async function listAci(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readAciEntries(path)) {
    const h = e.header;
    const kind = { file: 'f', directory: 'd', symlink: 'l', link: 'h', 'character-device': 'c', 'block-device': 'b', fifo: 'p' }[h.type as string] ?? h.type;
    let extra = '';
    if (h.type === 'file') {
      const hash = createHash('sha256');
      for await (const chunk of e.body) hash.update(chunk);
      extra = e.path === 'manifest' ? '' : ` ${h.size} ${hash.digest('hex').slice(0, 16)}`;
    } else if (h.type === 'symlink' || h.type === 'link') extra = ` -> ${h.linkname}`;
    out.push(`${kind} ${(h.mode & 0o7777).toString(8).padStart(4, '0')} ${h.uid}:${h.gid} ${e.path}${extra}`);
  }
  return out;
}
