/** Makes image layout directories for the ACI tests (no side effects on import). */
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A valid manifest. */
export const TEST_MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/test","labels":[{"name":"os","value":"linux"}]}';

/** Creates a temporary directory. */
export function tempDir(prefix = 'appc-aci-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A layout with files, directories, a hard link, symlinks and odd modes; returns its path. */
export function makeLayout(parent: string, name = 'layout'): string {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'rootfs', 'a', 'deep'), { recursive: true });
  mkdirSync(join(dir, 'rootfs', 'b'), { recursive: true });
  writeFileSync(join(dir, 'manifest'), TEST_MANIFEST);
  writeFileSync(join(dir, 'rootfs', 'a', 'f'), 'file f\n');
  writeFileSync(join(dir, 'rootfs', 'a', 'deep', 'big'), Buffer.alloc(300_000, 7));
  writeFileSync(join(dir, 'rootfs', 'a-b'), 'sorted after a/ in pre-order\n');
  writeFileSync(join(dir, 'rootfs', 'b', 'exe'), '#!/bin/sh\n');
  chmodSync(join(dir, 'rootfs', 'b', 'exe'), 0o4755);
  writeFileSync(join(dir, 'rootfs', '\u00e9t\u00e9-' + 'n'.repeat(110)), 'long unicode name');
  linkSync(join(dir, 'rootfs', 'a', 'f'), join(dir, 'rootfs', 'z_hard'));
  symlinkSync('a/f', join(dir, 'rootfs', 'link'));
  symlinkSync('/usr/bin/env', join(dir, 'rootfs', 'abs-link'));
  utimesSync(join(dir, 'rootfs', 'a', 'f'), 1_500_000_000, 1_500_000_000);
  return dir;
}

/** Deterministic bytes that do not compress (a sha512 chain from `seed`), for archives larger than the in-memory path's 4 MiB. */
export function incompressibleBytes(length: number, seed: string): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha512').update(seed).digest();
  for (let o = 0; o < length; o += block.length) {
    block.copy(out, o);
    block = createHash('sha512').update(block).digest();
  }
  return out;
}
