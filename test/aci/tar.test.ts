import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { extract as tarStreamExtract } from 'tar-stream';
import type { TarHeader } from '../../src/aci/tar/header.js';
import { checksumMatches, parseNumeric, parsePaxRecords } from '../../src/aci/tar/header.js';
import { TarWalker, firstNonZero } from '../../src/aci/tar/walker.js';
import { END_OF_ARCHIVE, encodePaxRecords, encodeTarHeader, padding, type TarEntryInput } from '../../src/aci/tar/write-tar.js';
import { fixturePath } from '../support/paths.js';

interface Walked {
  headers: TarHeader[];
  bodies: string[];
  issues: string[];
}

function walk(bytes: Uint8Array, step = bytes.length, options = {}): Walked {
  const out: Walked = { headers: [], bodies: [], issues: [] };
  let body = '';
  const w = new TarWalker(
    {
      onEntry(h) {
        out.headers.push(h);
        body = '';
        return true;
      },
      onData(c) {
        body += Buffer.from(c).toString('latin1');
      },
      onEntryEnd() {
        out.bodies.push(body);
      },
      onIssue(code) {
        out.issues.push(code);
      },
    },
    options,
  );
  for (let i = 0; i < bytes.length; i += step) w.write(bytes.subarray(i, i + step));
  w.end();
  return out;
}

function tarOf(entries: { input: TarEntryInput; data?: string }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { input, data } of entries) {
    parts.push(encodeTarHeader(input));
    if (data) {
      parts.push(Buffer.from(data, 'latin1'));
      parts.push(new Uint8Array(padding(data.length)));
    }
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

const base = { mode: 0o644, uid: 0, gid: 0, mtime: 1_600_000_000 } as const;

describe('tar walker', () => {
  const gnu = new Uint8Array(readFileSync(fixturePath('aci', 'gnu-tar-plain.aci')));
  const pax = new Uint8Array(gunzipSync(readFileSync(fixturePath('aci', 'pax-long-names.aci'))));

  it('gives the same entries and offsets whatever the chunk boundaries', () => {
    for (const bytes of [gnu, pax]) {
      const whole = walk(bytes);
      for (const step of [1, 7, 511, 512, 513, 4096]) assert.deepEqual(walk(bytes, step), whole, `step ${step}`);
    }
  });

  it('reads GNU tar members: types, modes, links, offsets', () => {
    const { headers, issues } = walk(gnu);
    assert.deepEqual(issues, []);
    const byName = new Map(headers.map((h) => [h.name, h]));
    assert.equal(byName.get('rootfs/bin/app')?.mode, 0o755);
    assert.equal(byName.get('rootfs/bin/hosts-link')?.type, 'symlink');
    assert.equal(byName.get('rootfs/bin/hosts-link')?.linkname, '../etc/hosts');
    assert.equal(byName.get('rootfs/etc/hosts.hard')?.type, 'link');
    assert.equal(byName.get('rootfs/fifo')?.type, 'fifo');
    assert.equal(headers[0]!.offset, 0);
    for (const h of headers) assert.equal((h.dataOffset - h.offset) % 512, 0);
  });

  it('applies PAX paths and GNU long names and agrees with tar-stream', async () => {
    const ours = walk(pax).headers.map((h) => h.name);
    const theirs: string[] = [];
    const ex = tarStreamExtract();
    ex.on('entry', (h, s, next) => {
      theirs.push(h.name);
      s.resume();
      s.on('end', next);
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
      ex.end(Buffer.from(pax));
    });
    assert.deepEqual(ours, theirs);
    assert.ok(ours.some((n) => n.length > 200));
    assert.ok(ours.includes('rootfs/caf\u00e9-\u65e5\u672c'));
  });

  it('parses octal and base-256 numbers like Go', () => {
    const f = (s: number[] | string): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s));
    assert.equal(parseNumeric(f('0000644\0'), 0, 8), 0o644);
    assert.equal(parseNumeric(f('  644 \0\0'), 0, 8), 0o644);
    assert.equal(parseNumeric(f('\0\0\0\0\0\0\0\0'), 0, 8), 0);
    assert.ok(Number.isNaN(parseNumeric(f('64x\0'), 0, 4)));
    assert.equal(parseNumeric(f([0x80, 0, 0, 0, 0, 0, 1, 0]), 0, 8), 256);
    assert.equal(parseNumeric(f([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 8), -1);
    assert.ok(Number.isNaN(parseNumeric(f([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 12)));
  });

  it('accepts the signed checksum some old tars wrote', () => {
    const h = encodeTarHeader({ ...base, name: 'rootfs/\u00e9', type: 'file' }).slice(-512);
    // Recompute the checksum as signed bytes after putting a high byte in the name field.
    h[10] = 0xe9;
    let signed = 0;
    for (let i = 0; i < 512; i++) signed += i >= 148 && i < 156 ? 32 : h[i]! < 128 ? h[i]! : h[i]! - 256;
    h.set(new TextEncoder().encode(signed.toString(8).padStart(6, '0') + '\0 '), 148);
    assert.ok(checksumMatches(h));
  });

  it('parses PAX records and rejects malformed ones', () => {
    const rec: Record<string, string> = {};
    parsePaxRecords(encodePaxRecords({ path: 'rootfs/\u00e9', 'SCHILY.xattr.user.a': 'b=c' }), rec);
    assert.deepEqual(rec, { path: 'rootfs/\u00e9', 'SCHILY.xattr.user.a': 'b=c' });
    for (const bad of ['99 path=a\n', '5 a=b\n', 'x path=a\n', '12 patha\n', '11 path=ab']) {
      assert.throws(() => parsePaxRecords(new TextEncoder().encode(bad), {}), /PAX/);
    }
  });

  it("refuses a NUL in a PAX key or in a name's value (path, linkpath, uname, gname), as Go's validPAXRecord", () => {
    for (const key of ['path', 'linkpath', 'uname', 'gname']) {
      assert.throws(() => parsePaxRecords(encodePaxRecords({ [key]: 'a\0b' }), {}), { code: 'TAR_BAD_HEADER', message: new RegExp(`"${key}" holds a NUL byte`) });
    }
    assert.throws(() => parsePaxRecords(encodePaxRecords({ 'SCHILY.xattr.a\0b': 'v' }), {}), { code: 'TAR_BAD_HEADER', message: /a\\0b/ });
    const rec: Record<string, string> = {};
    parsePaxRecords(encodePaxRecords({ comment: 'a\0b', 'SCHILY.xattr.user.a': '\0\0' }), rec);
    assert.deepEqual(rec, { comment: 'a\0b', 'SCHILY.xattr.user.a': '\0\0' });
  });

  it('round-trips what the writer encodes: long, non-ASCII names, big ids, xattrs', () => {
    const long = 'rootfs/' + 'x'.repeat(120) + '/' + 'y'.repeat(120);
    const entries = [
      { input: { ...base, name: 'rootfs', type: 'directory' as const, mode: 0o755 } },
      { input: { ...base, name: long, type: 'file' as const, size: 5 }, data: 'hello' },
      { input: { ...base, name: 'rootfs/' + 'p'.repeat(90) + '/' + 'q'.repeat(60), type: 'file' as const, size: 0 } },
      { input: { ...base, name: 'rootfs/\u00fcber', type: 'file' as const, uid: 5_000_000, gid: 3, uname: 'a'.repeat(40), size: 1 }, data: 'z' },
      { input: { ...base, name: 'rootfs/l', type: 'symlink' as const, linkname: '/' + 'l'.repeat(150) } },
      { input: { ...base, name: 'rootfs/x', type: 'file' as const, size: 0, xattrs: { 'user.k': 'v' }, mtime: -5 } },
      { input: { ...base, name: 'rootfs/dev', type: 'character-device' as const, devmajor: 4095, devminor: 1_048_575 } },
    ];
    const { headers, bodies, issues } = walk(tarOf(entries));
    assert.deepEqual(issues, []);
    assert.equal(headers[1]!.name, long);
    assert.equal(bodies[1], 'hello');
    assert.equal(headers[2]!.name, entries[2]!.input.name);
    assert.equal(headers[3]!.name, 'rootfs/\u00fcber');
    assert.equal(headers[3]!.uid, 5_000_000);
    assert.equal(headers[3]!.uname, 'a'.repeat(40));
    assert.equal(headers[4]!.linkname, '/' + 'l'.repeat(150));
    assert.deepEqual(headers[5]!.xattrs, { 'user.k': 'v' });
    assert.equal(headers[5]!.mtime, -5);
    assert.equal(headers[6]!.devmajor, 4095);
    assert.equal(headers[6]!.devminor, 1_048_575);
    assert.equal(headers[0]!.name, 'rootfs');
  });

  it('writes directory names without a trailing slash and a ustar header when everything fits (A-TH-3)', () => {
    const h = encodeTarHeader({ ...base, name: 'rootfs/etc', type: 'directory' });
    assert.equal(h.length, 512);
    assert.equal(Buffer.from(h.subarray(0, 11)).toString('latin1'), 'rootfs/etc\0');
    assert.equal(Buffer.from(h.subarray(257, 265)).toString('latin1'), 'ustar\u000000');
  });

  it('stops at maxEntries and reports the limit', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ input: { ...base, name: `rootfs/${i}`, type: 'file' as const, size: 0 } }));
    const r = walk(tarOf(entries), 512, { maxEntries: 3 });
    assert.equal(r.headers.length, 3);
    assert.deepEqual(r.issues, ['TAR_LIMIT_EXCEEDED']);
  });

  it('finds the first non-zero byte at any alignment', () => {
    const b = new Uint8Array(100);
    assert.equal(firstNonZero(b), -1);
    for (const at of [0, 1, 7, 8, 9, 63, 99]) {
      const c = new Uint8Array(100);
      c[at] = 1;
      assert.equal(firstNonZero(c), at);
      assert.equal(firstNonZero(c.subarray(1)), at - 1);
    }
  });
});

describe('tar numbers (Go parseNumeric range: int64)', () => {
  const field = (bytes: number[]): Uint8Array => Uint8Array.from(bytes);
  it('reads base-256 values above 2^53 exactly as BigInt, and as the nearest double', async () => {
    const { parseNumeric, parseNumericExact } = await import('../../src/aci/tar/header.js');
    const big = field([0x80, 0x20, 0, 0, 0, 0, 0, 1]); // 2^53 + 1 in 8 bytes
    assert.equal(parseNumericExact(big, 0, 8), (1n << 53n) + 1n);
    assert.equal(parseNumeric(big, 0, 8), Number((1n << 53n) + 1n));
    const max = field([0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(parseNumericExact(max, 0, 12), (1n << 63n) - 1n);
    const over = field([0x80, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(parseNumericExact(over, 0, 12), undefined);
    assert.ok(Number.isNaN(parseNumeric(over, 0, 12)));
    const minusOne = field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(parseNumericExact(minusOne, 0, 8), -1n);
    assert.equal(parseNumeric(minusOne, 0, 8), -1);
  });
  it('PAX numbers beyond int64 are refused, within it accepted', async () => {
    const { parsePaxNumber } = await import('../../src/aci/tar/header.js');
    // int64's largest value as a double rounds to 2^63.
    assert.equal(parsePaxNumber('9223372036854775807', false), 2 ** 63);
    assert.ok(Number.isNaN(parsePaxNumber('9223372036854775808', false)));
    assert.equal(parsePaxNumber('-1.5', true), -1.5);
  });
  it('an entry with a base-256 uid above 2^53 carries the exact value in header.exact', async () => {
    const { readAciEntries } = await import('../../src/aci/entries.js');
    const { fixturePath } = await import('../support/paths.js');
    for await (const e of readAciEntries(fixturePath('aci', 'big-numbers.aci'))) {
      if (e.path !== 'rootfs/big') continue;
      assert.equal(e.header.exact?.uid, (1n << 60n) + 1n);
      assert.equal(e.header.exact?.mtime, (1n << 55n) + 1n);
    }
  });
});
