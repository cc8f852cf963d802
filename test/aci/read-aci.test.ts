import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { readAciEntries } from '../../src/aci/entries.js';
import { computeImageId, readAciManifest } from '../../src/aci/read-aci.js';
import { validateAci } from '../../src/aci/validate-aci.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding } from '../../src/aci/tar/write-tar.js';
import { fixturePath } from '../support/paths.js';

const GO_MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}';
const fx = (name: string): string => fixturePath('aci', name);

/** Go's aci/file_test newTestACI: a gzip tar holding only a manifest, named with or without "./". */
function goTestAci(dotSlash: boolean): Buffer {
  const body = Buffer.from(GO_MANIFEST);
  return gzipSync(
    Buffer.concat([
      encodeTarHeader({ name: dotSlash ? './manifest' : 'manifest', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: body.length }),
      body,
      new Uint8Array(padding(body.length)),
      END_OF_ARCHIVE,
    ]),
  );
}

describe('readAciManifest (A-CD-4, Go ManifestFromImage)', () => {
  for (const dotSlash of [false, true]) {
    it(`A-CD-4 finds the manifest named ${dotSlash ? '"./manifest"' : '"manifest"'}`, async () => {
      const m = await readAciManifest(goTestAci(dotSlash));
      assert.ok(m.manifest.ok);
      assert.equal(m.manifest.ok && m.manifest.value.name, 'example.com/app');
      assert.equal(new TextDecoder().decode(m.raw), GO_MANIFEST);
      assert.equal(m.compression, 'gzip');
    });
  }
  it('A-CD-4 an empty archive has no manifest', async () => {
    await assert.rejects(readAciManifest(gzipSync(Buffer.from(END_OF_ARCHIVE))), { code: 'ACI_MISSING_MANIFEST' });
  });
  it('stops at the manifest: damage after it is not seen', async () => {
    const good = readFileSync(fx('manifest-first.aci'));
    const m = await readAciManifest(good.subarray(0, good.length - 30));
    assert.ok(m.manifest.ok);
  });
  it('returns an invalid manifest with its issues instead of throwing', async () => {
    const m = await readAciManifest(fx('invalid-manifest.aci'));
    assert.equal(m.manifest.ok, false);
    assert.equal(new TextDecoder().decode(m.raw), '{"acKind":"ImageManifest",');
  });
  it('throws the archive error when the archive breaks before the manifest', async () => {
    await assert.rejects(readAciManifest(fx('bad-checksum.aci')), { code: 'TAR_BAD_CHECKSUM' });
    await assert.rejects(readAciManifest(fx('text.aci')), { code: 'ACI_UNKNOWN_FORMAT' });
    await assert.rejects(readAciManifest(fx('openpgp.aci')), { code: 'ACI_UNSUPPORTED_COMPRESSION' });
    await assert.rejects(readAciManifest(fx('gnu-tar-gzip.aci'), { maxManifestBytes: 10 }), { code: 'ACI_LIMIT_EXCEEDED' });
  });
});

describe('computeImageId (A-ID-1)', () => {
  it('A-ID-1 hashes the whole uncompressed stream, padding included', async () => {
    const plain = readFileSync(fx('gnu-tar-plain.aci'));
    const { createHash } = await import('node:crypto');
    const expected = 'sha512-' + createHash('sha512').update(plain).digest('hex');
    for (const name of ['gnu-tar-plain.aci', 'gnu-tar-gzip.aci', 'gnu-tar-bzip2.aci', 'gnu-tar-xz.aci']) assert.equal(await computeImageId(fx(name)), expected);
  });
  it('throws for damaged compression and for files that are not archives', async () => {
    await assert.rejects(computeImageId(fx('bad-crc.aci')), { code: 'ACI_CORRUPT_COMPRESSION' });
    await assert.rejects(computeImageId(fx('truncated-xz.aci')), { code: 'ACI_TRUNCATED' });
    await assert.rejects(computeImageId(fx('zstd.aci')), { code: 'ACI_UNSUPPORTED_COMPRESSION' });
  });
});

describe('archive sources', () => {
  const path = fx('gnu-tar-gzip.aci');
  const bytes = readFileSync(path);
  const sources: [string, () => unknown][] = [
    ['a path', () => path],
    ['bytes', () => new Uint8Array(bytes)],
    ['a Node stream', () => createReadStream(path, { highWaterMark: 37 })],
    ['a web ReadableStream', () => Readable.toWeb(createReadStream(path))],
    [
      'an async iterable of small chunks',
      () =>
        (async function* () {
          for (let i = 0; i < bytes.length; i += 5) yield bytes.subarray(i, i + 5);
        })(),
    ],
  ];
  for (const [name, make] of sources) {
    it(`validates from ${name}`, async () => {
      const r = await validateAci(make() as string);
      assert.deepEqual(r.issues, []);
      assert.equal(r.entryCount, 14);
    });
  }
});

describe('readAciEntries', () => {
  it('iterates entries with bodies, skipping unread ones', async () => {
    const seen: string[] = [];
    let hosts = '';
    for await (const e of readAciEntries(fx('gnu-tar-bzip2.aci'))) {
      seen.push(e.path);
      if (e.path === 'rootfs/etc/hosts') for await (const c of e.body) hosts += Buffer.from(c).toString();
    }
    assert.equal(seen.length, 14);
    assert.equal(hosts, '127.0.0.1 localhost\n');
  });
  it('can stop early', async () => {
    for await (const e of readAciEntries(fx('gnu-tar-xz.aci'))) {
      assert.equal(e.path, 'manifest');
      break;
    }
  });
  it('throws AppcErrors for damage, after the entries before it', async () => {
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of readAciEntries(fx('truncated-tar.aci'))) seen.push(e.path);
      })(),
      { code: 'ACI_TRUNCATED', entry: 'rootfs/a' },
    );
    assert.deepEqual(seen, ['rootfs', 'rootfs/a']);
    await assert.rejects(
      (async () => {
        for await (const e of readAciEntries(fx('trailing-data-in-tar.aci'))) void e;
      })(),
      { code: 'ACI_TRAILING_DATA' },
    );
  });
  it('keeps raw headers when asked (PAX blocks included)', async () => {
    for await (const e of readAciEntries(fx('pax-path.aci'), { keepRawHeaders: true })) {
      assert.equal(e.rawHeader!.length % 512, 0);
      if (e.path.startsWith('rootfs/ppp')) assert.equal(e.rawHeader!.length, 1536);
    }
  });
});

describe('limits', () => {
  it('maxEntries, maxTotalBytes, maxPathBytes, maxPaxBytes are options with clear issues', async () => {
    const entries = await validateAci(fx('gnu-tar-gzip.aci'), { maxEntries: 5 });
    assert.deepEqual(
      entries.issues.map((i) => [i.code, i.params?.['limit']]),
      [['ACI_LIMIT_EXCEEDED', 'maxEntries']],
    );
    assert.equal(entries.imageId !== undefined, true);
    const total = await validateAci(fx('gnu-tar-gzip.aci'), { maxTotalBytes: 4096 });
    assert.deepEqual(
      total.issues.map((i) => [i.code, i.params?.['limit']]),
      [['ACI_LIMIT_EXCEEDED', 'maxTotalBytes']],
    );
    assert.equal(total.imageId, undefined);
    const path = await validateAci(fx('pax-long-names.aci'), { maxPathBytes: 100 });
    assert.ok(path.issues.every((i) => i.code === 'ACI_LIMIT_EXCEEDED' && i.params?.['limit'] === 'maxPathBytes'));
    const pax = await validateAci(fx('pax-path.aci'), { maxPaxBytes: 50 });
    assert.ok(pax.issues.some((i) => i.params?.['limit'] === 'maxPaxBytes'));
    const man = await validateAci(fx('minimal.aci'), { maxManifestBytes: 20 });
    assert.deepEqual(
      man.issues.map((i) => [i.code, i.entry, i.params?.['limit']]),
      [['ACI_LIMIT_EXCEEDED', 'manifest', 'maxManifestBytes']],
    );
  });
  it('a decompression bomb stops at maxTotalBytes without growing memory', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    const before = process.memoryUsage().rss;
    const r = await validateAci(bomb, { maxTotalBytes: 8 << 20 });
    assert.ok(r.issues.some((i) => i.params?.['limit'] === 'maxTotalBytes'));
    assert.ok(process.memoryUsage().rss - before < 100 << 20);
  });
  it('rejects a negative limit as API misuse', async () => {
    await assert.rejects(validateAci(fx('minimal.aci'), { maxEntries: -1 }), TypeError);
  });
  it('an aborted signal stops the read', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(validateAci(fx('minimal.aci'), { signal: ac.signal }), /stop/);
  });
});
