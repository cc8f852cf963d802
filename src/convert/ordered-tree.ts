/**
 * Writing a squashed tree in the order GNU tar extracts cleanly: depth first, each directory followed by
 * everything below it, so a read-only directory's mode and any directory's mtime are restored once (tar sets
 * them when it leaves the directory). Bodies come from the layers in layer order, not in path order: a body
 * whose turn has not come yet is parked in a spool file next to the output and copied in when its turn comes.
 * One image layer written in path order (what `docker build` makes) needs no spool at all; memory stays flat
 * either way (one chunk at a time, one small record per path).
 */
import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TarEntryInput } from '../aci/tar/write-tar.js';
import { AppcError } from '../issues/appc-error.js';
import type { AciWriter } from './aci-writer.js';

/** One entry in output order; a file with a body names where the body is (`layer`, `ordinal`). */
export interface OrderedItem {
  readonly entry: TarEntryInput;
  readonly body?: { readonly layer: number; readonly ordinal: number; readonly size: number };
}

const CHUNK = 1 << 20;

/** Writes items in their order, taking bodies as the layers deliver them. */
export class OrderedTreeWriter {
  private next = 0;
  private spool: FileHandle | undefined;
  private spoolPath: string | undefined;
  private spoolEnd = 0;
  /** Where parked bodies are in the spool, by item index. */
  private readonly parked = new Map<number, { offset: number; size: number }>();
  /** The item whose body is being received, and whether it goes straight out or into the spool. */
  private current: { index: number; direct: boolean; offset: number } | undefined;

  constructor(
    private readonly writer: AciWriter,
    private readonly items: readonly OrderedItem[],
  ) {}

  /** Writes every item up to the first whose body has not arrived. */
  async advance(): Promise<void> {
    while (this.next < this.items.length) {
      const item = this.items[this.next]!;
      if (item.body === undefined || item.body.size === 0) {
        await this.writer.entry(item.entry);
      } else {
        const at = this.parked.get(this.next);
        if (at === undefined) return;
        await this.writer.header(item.entry);
        await this.copyFromSpool(at.offset, at.size);
        await this.writer.endFile(at.size);
        this.parked.delete(this.next);
      }
      this.next++;
    }
  }

  /** The body of item `index` starts: it goes straight out when its turn has come, else to the spool. */
  async begin(index: number): Promise<void> {
    await this.advance();
    if (index === this.next) {
      await this.writer.header(this.items[index]!.entry);
      this.current = { index, direct: true, offset: 0 };
    } else {
      await this.openSpool();
      this.current = { index, direct: false, offset: this.spoolEnd };
    }
  }

  /** Body bytes of the current item. */
  async data(chunk: Uint8Array): Promise<void> {
    if (this.current!.direct) await this.writer.data(chunk);
    else {
      let o = 0;
      while (o < chunk.length) {
        const { bytesWritten } = await this.spool!.write(chunk, o, chunk.length - o, this.spoolEnd);
        o += bytesWritten;
        this.spoolEnd += bytesWritten;
      }
    }
  }

  /** The current item's body is complete. */
  async end(size: number): Promise<void> {
    const c = this.current!;
    this.current = undefined;
    if (c.direct) {
      await this.writer.endFile(size);
      this.next++;
    } else this.parked.set(c.index, { offset: c.offset, size });
  }

  /** Writes what is left; every body must have arrived. */
  async finish(): Promise<void> {
    await this.advance();
    if (this.next < this.items.length) throw new AppcError('CONVERT_INPUT_CHANGED', `the body of ${this.items[this.next]!.entry.name} never arrived (the input changed while converting)`);
  }

  /** Removes the spool file (call in `finally`). */
  async close(): Promise<void> {
    const fh = this.spool;
    this.spool = undefined;
    await fh?.close().catch(() => undefined);
    if (this.spoolPath !== undefined) await unlink(this.spoolPath).catch(() => undefined);
  }

  private async openSpool(): Promise<void> {
    if (this.spool !== undefined) return;
    this.spoolPath = join(dirname(this.writer.output), `.convert-spool-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.spool = await open(this.spoolPath, 'wx+', 0o600);
  }

  private async copyFromSpool(offset: number, size: number): Promise<void> {
    let pos = 0;
    while (pos < size) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await this.spool!.read(buf, 0, buf.length, offset + pos);
      if (bytesRead === 0) throw new Error('the spool file is shorter than what was written to it');
      await this.writer.data(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  }
}
