/** The benchmark layout every archive bench (validate, build, export) reads: text, binary, random, zeros, small files. */
import { randomFillSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MB = 1e6;
/** The default manifest of the layout. */
export const LAYOUT_MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}';

/** A deterministic text block: words from a small vocabulary, so it compresses like source code or docs. */
export function textBlock(size, seed) {
  const words = [
    'the',
    'image',
    'manifest',
    'rootfs',
    'container',
    'function',
    'return',
    'const',
    'value',
    'error',
    'archive',
    'layer',
    'build',
    'static',
    'binary',
    'config',
    'network',
    'volume',
    'mount',
    'port',
    '{',
    '}',
    '(',
    ')',
    ';',
    '\n',
    '\t',
    '=',
    'if',
    'else',
    'for',
    'while',
    'import',
    'export',
    'string',
    'number',
    '0x1f8b',
    '42',
    'usr/lib',
    'etc/hosts',
  ];
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  let o = 0;
  while (o < size) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const w = words[x % words.length];
    o += out.write(w + (x & 1 ? ' ' : ''), o);
  }
  return out;
}

/** Machine-code-like bytes: a skewed alphabet with repeats, which gzip shrinks about 2x (like ELF binaries). */
export function binaryBlock(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let o = 0; o < size; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if ((x & 7) === 0 && o > 64) {
      // Repeat an earlier run, as code and data tables do.
      const len = 4 + ((x >>> 8) % 24);
      const from = o - 1 - ((x >>> 16) % Math.min(o, 4096));
      for (let i = 0; i < len && o < size; i++) out[o++] = out[from + i];
    } else {
      out[o++] = (x >>> 8) & (x & 16 ? 0x0f : 0xff);
    }
  }
  return out;
}

/**
 * Writes the layout. The mix is meant to look like a real image: 40% text (sources, docs, configs),
 * 25% binaries, 15% already-compressed data (random bytes), 5% zeros, 15% small files (1-32 KiB).
 */
export function makeLayout(dir, totalMB, manifest = LAYOUT_MANIFEST) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'rootfs', 'big'), { recursive: true });
  writeFileSync(join(dir, 'manifest'), manifest);
  const text = textBlock(8 << 20, 7);
  const bin = binaryBlock(8 << 20, 11);
  const rnd = Buffer.alloc(8 << 20);
  let written = 0;
  let large = 0;
  const budget = totalMB * MB;
  const fill = (until, name, next) => {
    while (written < budget * until) {
      const data = next(large);
      writeFileSync(join(dir, 'rootfs', 'big', `${name}-${large++}`), data);
      written += data.length;
    }
  };
  fill(0.4, 'doc.txt', (i) => text.subarray(i % 4096));
  fill(0.65, 'lib.so', (i) => bin.subarray(i % 4096));
  fill(0.8, 'asset.gz', () => randomFillSync(rnd));
  fill(0.85, 'disk.img', () => Buffer.alloc(8 << 20));
  let n = 0;
  while (written < budget) {
    const d = join(dir, 'rootfs', 'usr', `lib${n % 50}`, `pkg${n % 997}`);
    if (n < 50 * 997) mkdirSync(d, { recursive: true });
    const size = 1024 + ((n * 7919) % (31 * 1024));
    const src = n % 3 === 0 ? bin : text;
    const off = (n * 104729) % (src.length - size);
    writeFileSync(join(d, `file-${n}.${n % 3 === 0 ? 'so' : 'py'}`), src.subarray(off, off + size));
    written += size;
    n++;
  }
  return { bytes: written, smallFiles: n, largeFiles: large };
}
