// Big-archive benchmarks (npm run bench): generates a layout of mixed files (ACI_BENCH_MB, default 256 MB) in
// .bench/, then times build (none, none with the image ID, gzip), validate and image-id (gzip) and extract against peers: GNU tar,
// gzip and sha512sum pipelines, node:zlib gunzip, and the Go actool when ACTOOL_GO names it. ACI_BENCH_RSS_MB adds
// validate and image-id of a second, large archive (peak RSS at that size).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeLayout } from './layout.mjs';
import { benchDir, compare, extraCaCerts, goPeer, ours, sh, timed, toolPeer, withoutExtraCa } from './lib.mjs';

const MB = 1e6;

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
  // Every build starts with no output file, ours as the peers' (replacing a 256 MB file costs the unlink of the
  // old one, and ext4 starts writing a file back when it is renamed over another).
  const fresh = (ourOut) => (name) => rmSync(name === 'project' ? ourOut : peerOut, { force: true });

  table.add(
    'build --compression=none',
    compare({
      project: ours('build', '--overwrite', '--compression=none', layout, plain),
      peers: [toolPeer('tar -c | sha512sum', ['tar', 'sha512sum'], sh(`tar -C '${layout}' -cf - ${tarList} | sha512sum`)), goPeer('build', '--overwrite', '--no-compression', layout, peerOut)],
      before: fresh(plain),
    }),
    { targets: { 'tar -c | sha512sum': 1.3, 'Go actool': 1.0 }, rssTarget: 64 },
  );
  if (extraCaCerts) {
    // Node's start reads the CA bundle this environment names (~40 ms; lib.mjs extraCaCerts); Go never does.
    // The same build against Go on a machine without that setting:
    const go = goPeer('build', '--overwrite', '--no-compression', layout, peerOut);
    table.add(
      'build none, no NODE_EXTRA_CA_CERTS',
      compare({
        project: withoutExtraCa(ours('build', '--overwrite', '--compression=none', layout, plain)),
        peers: [go.skip ? go : { ...go, argv: withoutExtraCa(go.argv) }],
        before: fresh(plain),
      }),
      { targets: { 'Go actool': 1.0 }, rssTarget: 64 },
    );
  }
  // --sync waits for the disk (fdatasync before the rename); the peer does the same with coreutils' sync -d.
  table.add(
    'build none --sync',
    compare({
      project: ours('build', '--overwrite', '--sync', '--compression=none', layout, plain),
      peers: [toolPeer('tar -cf && sync -d', ['tar', 'sync'], sh(`tar -C '${layout}' -cf '${peerOut}' ${tarList} && sync -d '${peerOut}'`))],
      before: fresh(plain),
    }),
    { rssTarget: 64 },
  );
  // actool build computes the image ID only for --debug (Go's build never does): this row pays for the hash,
  // as the tar | sha512sum pipeline does.
  table.add(
    'build none + image ID (--debug)',
    compare({
      project: ours('build', '--overwrite', '--debug', '--compression=none', layout, plain),
      peers: [toolPeer('tar -c | sha512sum', ['tar', 'sha512sum'], sh(`tar -C '${layout}' -cf - ${tarList} | sha512sum`))],
      before: fresh(plain),
    }),
    { targets: { 'tar -c | sha512sum': 1.3 }, rssTarget: 64 },
  );
  table.add(
    'build (gzip)',
    compare({
      project: ours('build', '--overwrite', layout, gz),
      peers: [toolPeer('tar -c | gzip', ['tar', 'gzip'], sh(`tar -C '${layout}' -cf - ${tarList} | gzip -6 > '${peerOut}'`)), goPeer('build', '--overwrite', layout, peerOut)],
      before: fresh(gz),
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
  bigArchiveRows(table, dir);
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

/**
 * Peak RSS on a large archive (ACI_BENCH_RSS_MB, e.g. 1024; off by default: the layout and its build take
 * a minute): memory must stay flat whatever the size, so validate and image-id are measured once each
 * against node's gunzip of the same file.
 */
function bigArchiveRows(table, dir) {
  const sizeMB = Number(process.env.ACI_BENCH_RSS_MB ?? 0);
  if (!(sizeMB > 0)) return;
  const layout = join(dir, 'big-layout');
  const big = join(dir, 'big.aci');
  makeLayout(layout, sizeMB);
  timed(ours('build', '--overwrite', layout, big));
  rmSync(layout, { recursive: true, force: true });
  const gunzip = { name: 'node gunzip', argv: [process.execPath, '--input-type=module', '-e', GUNZIP_BASELINE, big] };
  table.add(`validate (gzip, ${sizeMB} MB tar)`, compare({ project: ours('validate', big), peers: [gunzip, goPeer('validate', big)], rounds: 1 }), { rssTarget: 64 });
  table.add(`image-id (gzip, ${sizeMB} MB tar)`, compare({ project: ours('image-id', big), peers: [gunzip], rounds: 1 }), { rssTarget: 64 });
  rmSync(big, { force: true });
}
