#!/usr/bin/env node
// Builds fixtures/aci/members-*.aci: archives in sized gzip members (src/aci/gzip-members.ts, the gzip this
// library writes), valid and damaged, for the hostile-archive table. The member writer here is independent
// of the library (node:zlib deflateRawSync and crc32, headers written byte by byte), and the members are
// small (4 KiB of tar each) so a small fixture has many. Run by make-aci-fixtures.mjs, or on its own:
// node test/tools/make-gzip-member-fixtures.mjs. The expected issues are what the serial decoder says.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'fixtures', 'aci');
const work = mkdtempSync(join(tmpdir(), 'aci-member-fixtures-'));
const MANIFEST = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/fixture","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}';
const BLOCK = 4096;

/** One sized member: header with FEXTRA subfield `AC` (LEN 4) holding the member's total length. */
function member(data, { claim } = {}) {
  const body = deflateRawSync(data, { level: 6 });
  const total = 20 + body.length + 8;
  const h = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, 8, 0, 0x41, 0x43, 4, 0, 0, 0, 0, 0]);
  h.writeUInt32LE(claim ?? total, 16);
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc32(data) >>> 0, 0);
  t.writeUInt32LE(data.length, 4);
  return Buffer.concat([h, body, t]);
}

const lay = join(work, 'layout');
mkdirSync(join(lay, 'rootfs', 'etc'), { recursive: true });
writeFileSync(join(lay, 'manifest'), MANIFEST);
writeFileSync(join(lay, 'rootfs', 'etc', 'hosts'), '127.0.0.1 localhost\n');
let text = '';
for (let i = 0; text.length < 40000; i++) text += `line ${i} of a text file that compresses ${i % 7} times\n`;
writeFileSync(join(lay, 'rootfs', 'etc', 'text'), text);
const tar = execFileSync('tar', ['-C', lay, '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-cf', '-', 'manifest', 'rootfs']);
const blocks = [];
for (let o = 0; o < tar.length; o += BLOCK) blocks.push(tar.subarray(o, o + BLOCK));
const members = blocks.map((b) => member(b));
const expected = {};
function write(name, bytes, issues) {
  writeFileSync(join(out, name), bytes);
  writeFileSync(join(out, name.replace(/\.aci$/, '.expected.json')), JSON.stringify(issues, null, 2) + '\n');
  expected[name] = issues;
}

write('members-ok.aci', Buffer.concat(members), []);
// A subfield that lies (claims 100 bytes less): still valid gzip, the serial decoder ignores the subfield.
const lying = members.slice();
lying[1] = member(blocks[1], { claim: members[1].length - 100 });
write('members-lying-size.aci', Buffer.concat(lying), []);
// The third member's CRC-32 flipped.
const badCrc = members.slice();
badCrc[2] = Buffer.from(badCrc[2]);
badCrc[2][badCrc[2].length - 8] ^= 0xff;
write('members-bad-crc.aci', Buffer.concat(badCrc), [{ code: 'ACI_CORRUPT_COMPRESSION' }]);
// Cut in the middle of the third member.
const cut = Buffer.concat(members.slice(0, 2).concat([members[2].subarray(0, members[2].length >> 1)]));
write('members-truncated.aci', cut, [{ code: 'ACI_TRUNCATED' }]);
// Bytes that are not gzip between the second and the third member.
write('members-garbage-between.aci', Buffer.concat([...members.slice(0, 2), Buffer.from('GARBAGE'), ...members.slice(2)]), [{ code: 'ACI_TRAILING_DATA' }]);
// Zero bytes between two members: gzip readers take zeros after a member as padding, node:zlib stops there.
write('members-zeros-between.aci', Buffer.concat([...members.slice(0, 2), Buffer.alloc(16), ...members.slice(2)]), [{ code: 'ACI_TRUNCATED', entry: 'rootfs/etc/text' }]);
// A member of foreign gzip (no subfield) in the middle: valid, read serially from there on.
write('members-foreign-member.aci', Buffer.concat([...members.slice(0, 2), gzipSync(Buffer.concat(blocks.slice(2, 4))), ...members.slice(4)]), []);

rmSync(work, { recursive: true, force: true });
console.log(`wrote ${Object.keys(expected).length} sized-member fixtures to ${out}`);
