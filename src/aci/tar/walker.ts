/**
 * A push parser for tar streams: feed it chunks of the uncompressed archive in order, it reports entries,
 * body bytes and problems, with byte offsets. Bounded memory: only headers (and PAX/GNU long-name data up
 * to a limit) are buffered. Knows ustar, GNU (long names, old sparse), star, v7 and PAX (local and global).
 * Portable (no node:).
 */
import type { TarEntryType, TarHeader } from './header.js';
import { concatBytes } from '../../internal/bytes.js';
import { TarHeaderError, checksumMatches, cString, decodeName, formatOf, isHeaderOnly, isZeroBlock, parseNumeric, parseNumericExact, parsePaxNumber, parsePaxRecords, typeOfFlag } from './header.js';

/** Codes the walker reports; see src/aci/codes.ts. */
export type WalkerIssueCode =
  | 'TAR_BAD_CHECKSUM'
  | 'TAR_BAD_HEADER'
  | 'TAR_NO_END'
  | 'TAR_HEADER_ONLY_SIZE'
  | 'TAR_TRUNCATED'
  | 'TAR_TRAILING_DATA'
  | 'TAR_LIMIT_EXCEEDED'
  | 'TAR_NAME_NOT_UTF8'
  | 'TAR_SPARSE_ENTRY'
  | 'TAR_UNUSUAL_TYPE';

/** Where a walker issue happened. */
export interface WalkerIssueContext {
  readonly entry?: string;
  readonly offset: number;
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

/** Callbacks of a walk. `onEntry` returns true to receive the entry's body through `onData`. */
export interface TarWalkerHandlers {
  onEntry?(header: TarHeader, rawHeader: Uint8Array | undefined): boolean | void;
  onData?(chunk: Uint8Array, header: TarHeader): void;
  onEntryEnd?(header: TarHeader): void;
  onIssue(code: WalkerIssueCode, message: string, context: WalkerIssueContext): void;
  /** The end-of-archive marker was read at `offset`. */
  onEndMarker?(offset: number): void;
}

/** Limits and switches of a walk. */
export interface TarWalkerOptions {
  /** Largest PAX or GNU long-name header, in bytes (default 1 MiB). */
  readonly maxPaxBytes?: number;
  /** Longest member or link name, in bytes (default 4096, Linux PATH_MAX). */
  readonly maxPathBytes?: number;
  /** Most entries (default 1,000,000). */
  readonly maxEntries?: number;
  /** Pass each entry's raw header blocks (extension headers included) to onEntry, for copying archives. */
  readonly keepRawHeaders?: boolean;
}

/** Default limits. */
export const TAR_DEFAULTS = { maxPaxBytes: 1 << 20, maxPathBytes: 4096, maxEntries: 1_000_000 } as const;

const enum State {
  Header,
  ExtData,
  SparseExt,
  Data,
  Pad,
  Zero1,
  End,
  Dead,
}

const EMPTY = new Uint8Array(0);

/** The push parser. Call `write(chunk)` for each chunk in order, then `end()`. */
export class TarWalker {
  /** Bytes consumed so far (the current offset in the tar stream). */
  offset = 0;
  /** Entries reported (extension headers are not entries). */
  entryCount = 0;
  /** True once the end-of-archive marker was read. */
  sawEnd = false;
  /** True after a fatal problem (bad header, limit): later bytes are ignored. */
  dead = false;

  private state = State.Header;
  private readonly block = new Uint8Array(512);
  private blockFill = 0;
  // Extension headers waiting for their entry.
  private entryStart = -1;
  private longName: Uint8Array | undefined;
  private longLink: Uint8Array | undefined;
  private pax: Record<string, string> | undefined;
  private readonly global: Record<string, string> = {};
  private extType = 0;
  private extBuf: Uint8Array = EMPTY;
  private extFill = 0;
  private extSkip = false;
  private extTotal = 0;
  private remaining = 0;
  private pad = 0;
  private current: TarHeader | undefined;
  private wantBody = false;
  private pendingHeader: TarHeader | undefined;
  private raw: Uint8Array[] | undefined;
  private readonly maxPax: number;
  private readonly maxPath: number;
  private readonly maxEntries: number;

  constructor(
    private readonly handlers: TarWalkerHandlers,
    options: TarWalkerOptions = {},
  ) {
    this.maxPax = options.maxPaxBytes ?? TAR_DEFAULTS.maxPaxBytes;
    this.maxPath = options.maxPathBytes ?? TAR_DEFAULTS.maxPathBytes;
    this.maxEntries = options.maxEntries ?? TAR_DEFAULTS.maxEntries;
    if (options.keepRawHeaders) this.raw = [];
  }

  /** Feeds the next chunk of the tar stream. */
  write(chunk: Uint8Array): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.state) {
        case State.Data: {
          const n = Math.min(this.remaining, len - pos);
          if (this.wantBody && this.handlers.onData) this.handlers.onData(chunk.subarray(pos, pos + n), this.current!);
          pos += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case State.Pad: {
          const n = Math.min(this.pad, len - pos);
          pos += n;
          this.offset += n;
          this.pad -= n;
          if (this.pad === 0) this.state = State.Header;
          break;
        }
        case State.Header:
        case State.Zero1:
        case State.SparseExt: {
          let blk: Uint8Array;
          if (this.blockFill === 0 && len - pos >= 512) {
            blk = chunk.subarray(pos, pos + 512);
            pos += 512;
            this.offset += 512;
          } else {
            const n = Math.min(512 - this.blockFill, len - pos);
            this.block.set(chunk.subarray(pos, pos + n), this.blockFill);
            this.blockFill += n;
            pos += n;
            this.offset += n;
            if (this.blockFill < 512) continue;
            this.blockFill = 0;
            blk = this.block;
          }
          const at = this.offset - 512;
          if (this.state === State.Header) this.headerBlock(blk, at);
          else if (this.state === State.Zero1) this.zero1Block(blk, at);
          else this.sparseBlock(blk, at);
          break;
        }
        case State.ExtData: {
          const n = Math.min(this.remaining, len - pos);
          if (!this.extSkip) {
            this.extBuf.set(chunk.subarray(pos, pos + n), this.extFill);
            if (this.raw) this.raw.push(chunk.slice(pos, pos + n));
          }
          this.extFill += n;
          pos += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            const pad = this.pad;
            if (this.raw && pad > 0) this.raw.push(new Uint8Array(pad));
            this.finishExt();
            if (this.dead) break;
            // A global header is an entry of its own; its padding still follows its data.
            this.pad = pad;
            this.state = pad > 0 ? State.Pad : State.Header;
          }
          break;
        }
        case State.End: {
          const rest = chunk.subarray(pos);
          const nz = firstNonZero(rest);
          if (nz !== -1) {
            this.issue('TAR_TRAILING_DATA', `non-zero data at byte ${this.offset + nz}, after the end-of-archive marker`, { offset: this.offset + nz });
            this.state = State.Dead;
            this.dead = true;
          }
          this.offset += rest.length;
          pos = len;
          break;
        }
        case State.Dead:
          this.offset += len - pos;
          pos = len;
          break;
      }
    }
  }

  /** Signals the end of the stream; reports truncation or a missing end marker. */
  end(): void {
    switch (this.state) {
      case State.End:
      case State.Dead:
        return;
      case State.Header:
        if (this.blockFill === 0 && this.entryStart === -1) {
          this.issue('TAR_NO_END', `the archive ends at byte ${this.offset} without the end-of-archive marker (two zero blocks)`, { offset: this.offset });
        } else {
          this.issue('TAR_TRUNCATED', `the archive ends at byte ${this.offset} inside a tar header`, { offset: this.offset - this.blockFill });
        }
        return;
      case State.Zero1:
        // Cut inside the end-of-archive marker: Go takes the first zero block as the end; the archive is
        // still not whole (compatibility policy: truncation is an error).
        this.issue('TAR_TRUNCATED', `the archive ends at byte ${this.offset}, inside its end-of-archive marker (one zero block of two)`, { offset: this.offset - this.blockFill - 512 });
        return;
      default: {
        // Cut inside an entry's data or padding: that entry. Cut inside extension headers: the entry they start
        // (this.current is then the previous, complete entry).
        const h = this.state === State.Data || this.state === State.Pad ? this.current : undefined;
        const missing = this.state === State.Data ? this.remaining + this.pad : this.state === State.Pad ? this.pad : this.remaining;
        this.issue('TAR_TRUNCATED', `the archive ends at byte ${this.offset}, ${missing} bytes short of the end of ${h ? 'entry ' + JSON.stringify(h.name) : 'an extension header'}`, {
          ...(h ? { entry: h.name } : {}),
          offset: h ? h.offset : this.entryStart,
          params: { missing },
        });
      }
    }
  }

  /** Stops the walk: later bytes are counted but not parsed. */
  kill(): void {
    this.state = State.Dead;
    this.dead = true;
  }

  private issue(code: WalkerIssueCode, message: string, context: WalkerIssueContext): void {
    this.handlers.onIssue(code, message, context);
  }

  private fatal(code: 'TAR_BAD_HEADER' | 'TAR_BAD_CHECKSUM' | 'TAR_LIMIT_EXCEEDED', message: string, offset: number, params?: Record<string, string | number | boolean>): void {
    this.issue(code, message, params ? { offset, params } : { offset });
    this.kill();
  }

  private headerBlock(blk: Uint8Array, at: number): void {
    if (isZeroBlock(blk)) {
      this.state = State.Zero1;
      return;
    }
    if (!checksumMatches(blk)) {
      this.fatal('TAR_BAD_CHECKSUM', `tar header at byte ${at} has a bad checksum; the archive is corrupt from here on`, at);
      return;
    }
    if (this.entryStart === -1) this.entryStart = at;
    const flag = blk[156]!;
    const size = parseNumeric(blk, 124, 12);
    if (Number.isNaN(size) || size < 0 || size > Number.MAX_SAFE_INTEGER) {
      this.fatal('TAR_BAD_HEADER', `tar header at byte ${at} has an invalid size field`, at);
      return;
    }
    // Extension headers: x (PAX), g (global PAX), L (GNU long name), K (GNU long link).
    if (flag === 0x78 || flag === 0x67 || flag === 0x4c || flag === 0x4b) {
      if (this.raw) this.raw.push(blk.slice());
      this.extType = flag;
      this.remaining = size;
      this.pad = (512 - (size % 512)) % 512;
      this.extFill = 0;
      this.extTotal += size;
      this.extSkip = this.extTotal > this.maxPax;
      if (this.extSkip) {
        this.issue('TAR_LIMIT_EXCEEDED', `extension header at byte ${at} holds ${size} bytes, more than maxPaxBytes (${this.maxPax}); its records are ignored`, {
          offset: at,
          params: { limit: 'maxPaxBytes', max: this.maxPax, value: size },
        });
      } else {
        this.extBuf = new Uint8Array(size);
      }
      if (flag === 0x67) {
        this.pendingHeader = this.decodeHeader(blk, at, size);
        if (this.pendingHeader === undefined) return;
      }
      if (size === 0) {
        this.finishExt();
        if (!this.dead) this.state = State.Header;
      } else {
        this.state = State.ExtData;
      }
      return;
    }
    const header = this.decodeHeader(blk, at, size);
    if (header === undefined) return;
    if (this.raw) this.raw.push(blk.slice());
    // Old GNU sparse headers may be followed by extension blocks holding more of the sparse map.
    if (header.type === 'gnu-sparse' && blk[482] !== 0) {
      this.pendingHeader = header;
      this.state = State.SparseExt;
      return;
    }
    this.startEntry(header);
  }

  private sparseBlock(blk: Uint8Array, _at: number): void {
    if (this.raw) this.raw.push(blk.slice());
    if (blk[504] !== 0) return;
    const h = this.pendingHeader!;
    this.pendingHeader = undefined;
    this.startEntry({ ...h, dataOffset: this.offset });
  }

  private zero1Block(blk: Uint8Array, at: number): void {
    if (isZeroBlock(blk)) {
      this.state = State.End;
      this.sawEnd = true;
      this.handlers.onEndMarker?.(at - 512);
      return;
    }
    this.issue('TAR_TRAILING_DATA', `a zero block at byte ${at - 512} is followed by non-zero data at byte ${at}; the data after the end-of-archive block is not part of the archive`, {
      offset: at,
    });
    this.kill();
  }

  private finishExt(): void {
    if (this.extSkip) return;
    const data = this.extBuf.subarray(0, this.extFill);
    try {
      switch (this.extType) {
        case 0x78:
          this.pax ??= {};
          parsePaxRecords(data, this.pax);
          break;
        case 0x67: {
          parsePaxRecords(data, this.global);
          const h = this.pendingHeader!;
          this.pendingHeader = undefined;
          // Go reports a global header as an entry of its own (A-VA-1), so layout rules see its name.
          this.startEntry(h);
          break;
        }
        case 0x4c:
          this.longName = cString(data, 0, data.length).slice();
          break;
        case 0x4b:
          this.longLink = cString(data, 0, data.length).slice();
          break;
      }
    } catch (e) {
      if (e instanceof TarHeaderError) this.fatal(e.code, `${e.message} (extension header of the entry at byte ${this.entryStart})`, this.entryStart);
      else throw e;
    }
    this.extBuf = EMPTY;
  }

  /** Decodes a non-extension header block, applying pending extension headers; undefined when fatal. */
  private decodeHeader(blk: Uint8Array, at: number, size: number): TarHeader | undefined {
    const flag = blk[156]!;
    const isGlobal = flag === 0x67;
    const format = formatOf(blk);
    let nameBytes = cString(blk, 0, 100);
    if ((format === 'ustar' || format === 'star') && blk[345] !== 0) {
      const prefix = cString(blk, 345, format === 'star' ? 131 : 155);
      const joined = new Uint8Array(prefix.length + 1 + nameBytes.length);
      joined.set(prefix, 0);
      joined[prefix.length] = 0x2f;
      joined.set(nameBytes, prefix.length + 1);
      nameBytes = joined;
    }
    let linkBytes = cString(blk, 157, 100);
    const pax: Record<string, string> | undefined = isGlobal ? undefined : Object.keys(this.global).length > 0 || this.pax ? { ...this.global, ...this.pax } : undefined;
    if (!isGlobal) {
      if (this.longName) nameBytes = this.longName;
      if (this.longLink) linkBytes = this.longLink;
    }
    let { text: name, ok: nameOk } = decodeName(nameBytes);
    let { text: linkname, ok: linkOk } = decodeName(linkBytes);
    let nameLen = nameBytes.length;
    let linkLen = linkBytes.length;
    const mode = parseNumeric(blk, 100, 8);
    let uid = parseNumeric(blk, 108, 8);
    let gid = parseNumeric(blk, 116, 8);
    let mtime = parseNumeric(blk, 136, 12);
    const devmajor = parseNumeric(blk, 329, 8);
    const devminor = parseNumeric(blk, 337, 8);
    const bad = [
      ['mode', mode],
      ['uid', uid],
      ['gid', gid],
      ['mtime', mtime],
      ...(format === 'v7'
        ? []
        : [
            ['devmajor', devmajor],
            ['devminor', devminor],
          ]),
    ].find(([, v]) => Number.isNaN(v as number));
    if (bad) {
      this.fatal('TAR_BAD_HEADER', `tar header at byte ${at} has an invalid ${bad[0]} field`, at);
      return undefined;
    }
    let uname = format === 'v7' ? '' : decodeName(cString(blk, 265, 32)).text;
    let gname = format === 'v7' ? '' : decodeName(cString(blk, 297, 32)).text;
    let dataSize = size;
    let xattrs: Record<string, string> | undefined;
    let realSize: number | undefined;
    let sparse = flag === 0x53;
    if (pax) {
      for (const key in pax) {
        const v = pax[key]!;
        switch (key) {
          case 'path':
            name = v;
            nameOk = !v.includes('\ufffd') || pax['hdrcharset'] === 'BINARY';
            nameLen = utf8ByteLength(v);
            break;
          case 'linkpath':
            linkname = v;
            linkOk = !v.includes('\ufffd');
            linkLen = utf8ByteLength(v);
            break;
          case 'size':
          case 'uid':
          case 'gid':
          case 'mtime': {
            const n = parsePaxNumber(v, key === 'mtime');
            if (Number.isNaN(n)) {
              this.fatal('TAR_BAD_HEADER', `PAX record ${key}=${JSON.stringify(v.slice(0, 40))} of the entry at byte ${this.entryStart} is not a valid number`, this.entryStart);
              return undefined;
            }
            if (key === 'size') dataSize = n;
            else if (key === 'uid') uid = n;
            else if (key === 'gid') gid = n;
            else mtime = n;
            break;
          }
          case 'uname':
            uname = v;
            break;
          case 'gname':
            gname = v;
            break;
          default:
            if (key.startsWith('SCHILY.xattr.')) (xattrs ??= {})[key.slice(13)] = v;
            else if (key.startsWith('GNU.sparse.')) sparse = true;
        }
      }
      if (sparse) {
        if (pax['GNU.sparse.name'] !== undefined) name = pax['GNU.sparse.name'];
        const rs = pax['GNU.sparse.realsize'] ?? pax['GNU.sparse.size'];
        if (rs !== undefined) realSize = parsePaxNumber(rs, false);
      }
    }
    if (flag === 0x53 && format !== 'gnu') {
      // Go reads the old sparse map only from GNU-format headers and rejects the entry otherwise.
      this.fatal('TAR_BAD_HEADER', `tar header at byte ${at} has the GNU sparse type "S" in a ${format} header`, at);
      return undefined;
    }
    if (flag === 0x53 && realSize === undefined) realSize = parseNumeric(blk, 483, 12);
    let type: TarEntryType = typeOfFlag(flag);
    if (sparse) type = 'gnu-sparse';
    // An old-style regular typeflag on a name ending in "/" is a directory (POSIX; GNU tar and Go read it so).
    else if ((flag === 0 || flag === 0x30) && name.endsWith('/')) type = 'directory';
    const exact = exactFields(blk, format, { uid, gid, mtime, devmajor, devminor }, pax);
    const offset = this.entryStart === -1 ? at : this.entryStart;
    if (!isGlobal) {
      this.longName = undefined;
      this.longLink = undefined;
      this.pax = undefined;
    }
    const declaredSize = dataSize;
    if (isHeaderOnly(type)) dataSize = 0;
    const header: TarHeader = {
      name,
      linkname,
      type,
      typeflag: String.fromCharCode(flag),
      mode: mode & 0o7777,
      uid,
      gid,
      size: isGlobal ? 0 : dataSize,
      declaredSize,
      mtime,
      uname,
      gname,
      devmajor: format === 'v7' ? 0 : devmajor,
      devminor: format === 'v7' ? 0 : devminor,
      ...(pax ? { pax } : {}),
      ...(xattrs ? { xattrs } : {}),
      ...(realSize !== undefined && !Number.isNaN(realSize) ? { realSize } : {}),
      utf8: nameOk && linkOk,
      offset,
      dataOffset: at + 512,
      ...(exact ? { exact } : {}),
    };
    if (nameLen > this.maxPath || linkLen > this.maxPath) {
      const which = nameLen > this.maxPath ? 'name' : 'link name';
      this.issue('TAR_LIMIT_EXCEEDED', `the ${which} of the entry at byte ${offset} is ${Math.max(nameLen, linkLen)} bytes long, more than maxPathBytes (${this.maxPath})`, {
        entry: name.slice(0, 200),
        offset,
        params: { limit: 'maxPathBytes', max: this.maxPath, value: Math.max(nameLen, linkLen) },
      });
    }
    return header;
  }

  private startEntry(header: TarHeader): void {
    this.entryStart = -1;
    this.extTotal = 0;
    this.entryCount++;
    if (this.entryCount > this.maxEntries) {
      this.fatal('TAR_LIMIT_EXCEEDED', `the archive has more than maxEntries (${this.maxEntries}) entries; validation stopped at byte ${header.offset}`, header.offset, {
        limit: 'maxEntries',
        max: this.maxEntries,
      });
      return;
    }
    const where = { entry: header.name, offset: header.offset };
    if (!header.utf8) this.issue('TAR_NAME_NOT_UTF8', `the name or link name of ${JSON.stringify(header.name)} is not valid UTF-8`, where);
    if (header.type === 'gnu-sparse') {
      this.issue(
        'TAR_SPARSE_ENTRY',
        `${JSON.stringify(header.name)} is a GNU sparse file${header.realSize !== undefined ? ` of ${header.realSize} bytes once expanded` : ''}; readers without sparse support see other content`,
        {
          ...where,
          params: { realSize: header.realSize ?? -1 },
        },
      );
    } else if (header.type === 'contiguous-file' || header.type.startsWith('gnu-') || header.type === 'unknown') {
      this.issue('TAR_UNUSUAL_TYPE', `${JSON.stringify(header.name)} has tar type ${JSON.stringify(header.typeflag)} (${header.type}), which ACI builders do not write`, {
        ...where,
        params: { typeflag: header.typeflag },
      });
    }
    if (isHeaderOnly(header.type) && header.declaredSize > 0) {
      this.issue(
        'TAR_HEADER_ONLY_SIZE',
        `${header.type} entry ${JSON.stringify(header.name)} declares a size of ${header.declaredSize} bytes; no data is read for it (as in Go), but other readers may disagree`,
        {
          ...where,
          params: { size: header.declaredSize },
        },
      );
    }
    let raw: Uint8Array | undefined;
    if (this.raw) {
      raw = concatBytes(this.raw);
      this.raw = [];
    }
    this.current = header;
    this.wantBody = this.handlers.onEntry?.(header, raw) === true;
    if (this.dead) return;
    this.remaining = header.size;
    this.pad = (512 - (header.size % 512)) % 512;
    if (header.size === 0) this.finishData();
    else this.state = State.Data;
  }

  private finishData(): void {
    const h = this.current!;
    this.handlers.onEntryEnd?.(h);
    this.state = this.pad > 0 ? State.Pad : State.Header;
    if (this.dead) this.state = State.Dead;
  }
}

type Numbers = Record<'uid' | 'gid' | 'mtime' | 'devmajor' | 'devminor', number>;
const FIELD_AT: Readonly<Record<keyof Numbers, readonly [number, number]>> = { uid: [108, 8], gid: [116, 8], mtime: [136, 12], devmajor: [329, 8], devminor: [337, 8] };

/** The exact values of the header's base-256 numbers that a double cannot hold (Go reads them as int64). */
function exactFields(blk: Uint8Array, format: string, values: Numbers, pax: Readonly<Record<string, string>> | undefined): Partial<Record<keyof Numbers, bigint>> | undefined {
  let out: Partial<Record<keyof Numbers, bigint>> | undefined;
  for (const key of Object.keys(FIELD_AT) as (keyof Numbers)[]) {
    if (Number.isSafeInteger(Math.trunc(values[key])) || (format === 'v7' && (key === 'devmajor' || key === 'devminor'))) continue;
    const [start, length] = FIELD_AT[key];
    const fromPax = pax?.[key];
    const big = fromPax !== undefined ? BigInt(fromPax.split('.')[0]!) : parseNumericExact(blk, start, length);
    if (big !== undefined) (out ??= {})[key] = big;
  }
  return out;
}

function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Index of the first non-zero byte, or -1. Uses 8-byte words where aligned (trailing zeros can be long). */
export function firstNonZero(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  const misalign = (bytes.byteOffset + i) & 7;
  if (misalign !== 0) {
    const head = Math.min(n, 8 - misalign);
    for (; i < head; i++) if (bytes[i] !== 0) return i;
  }
  const words = Math.floor((n - i) / 8);
  if (words > 0) {
    const view = new BigUint64Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) {
      if (view[w] !== 0n) {
        for (let j = i + w * 8; j < i + w * 8 + 8; j++) if (bytes[j] !== 0) return j;
      }
    }
    i += words * 8;
  }
  for (; i < n; i++) if (bytes[i] !== 0) return i;
  return -1;
}
