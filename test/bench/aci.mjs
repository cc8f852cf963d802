// Big-archive benchmarks (npm run bench): generates a layout of mixed files (ACI_BENCH_MB, default 256 MB) in
// .bench/, then times build (none, gzip), validate and image-id (gzip) and extract against peers: GNU tar,
// gzip and sha512sum pipelines, node:zlib gunzip, and the Go actool when ACTOOL_GO names it.
import { randomFillSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, compare, goPeer, ours, sh, toolPeer } from './lib.mjs';

const MB = 1e6;
const MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}';

/** A deterministic text block: words from a small vocabulary, so it compresses like source code or docs. */
function textBlock(size, seed) {
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
function binaryBlock(size, seed) {
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
function makeLayout(dir, totalMB) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'rootfs', 'big'), { recursive: true });
  writeFileSync(join(dir, 'manifest'), MANIFEST);
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

const GUNZIP_BASELINE = `
import { createReadStream } from 'node:fs'; import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises'; import { Writable } from 'node:stream';
await pipeline(createReadStream(process.argv[1], { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 128 * 1024 }),
  new Writable({ highWaterMark: 4 << 20, write(c, e, cb) { cb(); } }));`;

/** The generated layout and its ACIs, shared with compressed.mjs. */
export function benchLayout() {
  const dir = join(benchDir, 'aci');
  const layout = join(dir, 'layout');
  if (!benchLayout.made) {
    const sizeMB = Number(process.env.ACI_BENCH_MB ?? 256);
    mkdirSync(dir, { recursive: true });
    const gen = makeLayout(layout, sizeMB);
    console.log(`aci: ${(gen.bytes / MB).toFixed(0)} MB layout in ${gen.smallFiles} small files and ${gen.largeFiles} large ones (40% text, 25% binary, 15% random, 5% zeros, 15% small files)`);
    benchLayout.made = true;
  }
  return { dir, layout, tarList: 'manifest rootfs' };
}

export async function run(table) {
  const { dir, layout, tarList } = benchLayout();
  const plain = join(dir, 'plain.aci');
  const gz = join(dir, 'bench.aci');
  const peerOut = join(dir, 'peer.aci');
  const clean = () => rmSync(peerOut, { force: true });

  table.add(
    'build --compression=none',
    compare({
      project: ours('build', '--overwrite', '--compression=none', layout, plain),
      peers: [toolPeer('tar -c | sha512sum', ['tar', 'sha512sum'], sh(`tar -C '${layout}' -cf - ${tarList} | sha512sum`)), goPeer('build', '--overwrite', '--no-compression', layout, peerOut)],
      before: clean,
    }),
    { targets: { 'tar -c | sha512sum': 1.3, 'Go actool': 1.0 }, rssTarget: 64 },
  );
  table.add(
    'build (gzip)',
    compare({
      project: ours('build', '--overwrite', layout, gz),
      peers: [toolPeer('tar -c | gzip', ['tar', 'gzip'], sh(`tar -C '${layout}' -cf - ${tarList} | gzip -6 > '${peerOut}'`)), goPeer('build', '--overwrite', layout, peerOut)],
      before: clean,
    }),
    { targets: { 'Go actool': 1.0 }, rssTarget: 64 },
  );
  table.add(
    'validate (gzip)',
    compare({
      project: ours('validate', gz),
      peers: [
        { name: 'node gunzip', argv: [process.execPath, '--input-type=module', '-e', GUNZIP_BASELINE, gz] },
        toolPeer('gzip -dc | sha512sum', ['gzip', 'sha512sum'], sh(`gzip -dc '${gz}' | sha512sum`)),
        goPeer('validate', gz),
      ],
    }),
    { targets: { 'node gunzip': 1.15, 'Go actool': 0.6 }, rssTarget: 64 },
  );
  table.add('image-id (gzip)', compare({ project: ours('image-id', gz), peers: [toolPeer('gzip -dc | sha512sum', ['gzip', 'sha512sum'], sh(`gzip -dc '${gz}' | sha512sum`))] }), {
    targets: { 'gzip -dc | sha512sum': 1.0 },
    rssTarget: 64,
  });
  const target = join(dir, 'extracted');
  const peerTarget = join(dir, 'peer-extracted');
  table.add(
    'extract (gzip)',
    compare({
      project: ours('extract', gz, target),
      peers: [toolPeer('tar -xzf', ['tar', 'gzip'], sh(`mkdir -p '${peerTarget}' && tar -C '${peerTarget}' -xzf '${gz}'`))],
      before: () => {
        rmSync(target, { recursive: true, force: true });
        rmSync(peerTarget, { recursive: true, force: true });
      },
    }),
    { targets: { 'tar -xzf': 1.0 }, rssTarget: 64 },
  );
  rmSync(target, { recursive: true, force: true });
  rmSync(peerTarget, { recursive: true, force: true });
}
