import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fdWriter, isTerminal, whenStreamBuilt } from '../../src/cli/fd-output.js';

const dir = mkdtempSync(join(tmpdir(), 'appc-fd-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A writable that keeps what it is given. */
function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

describe('fdWriter: output straight to a file descriptor', () => {
  it('writes every text, multi-byte characters included, without building the stream', () => {
    const file = join(dir, 'out.txt');
    const fd = openSync(file, 'w');
    let built = 0;
    const write = fdWriter(
      fd,
      () => {
        built++;
        return sink();
      },
      { closed: false },
    );
    write('one ');
    write('');
    write('tw\u00f6 \u{1f600}\n');
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), 'one tw\u00f6 \u{1f600}\n');
    assert.equal(built, 0);
  });

  it('hands over to the stream when the descriptor fails, and keeps using it', () => {
    const fd = openSync(join(dir, 'closed.txt'), 'w');
    closeSync(fd); // EBADF from now on
    const stream = sink();
    const write = fdWriter(fd, () => stream, { closed: false });
    write('first\n');
    write('second\n');
    assert.equal(stream.text(), 'first\nsecond\n');
  });

  it('writes bytes as given, and hands the stream a copy the caller may overwrite at once', async () => {
    const file = join(dir, 'bytes.txt');
    const fd = openSync(file, 'w');
    fdWriter(fd, sink, { closed: false })(Buffer.from('b\u00fctes\n'));
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), 'b\u00fctes\n');
    const bad = openSync(join(dir, 'closed-bytes.txt'), 'w');
    closeSync(bad); // EBADF: the stream takes over
    // A stream that looks at a chunk only later, as a pipe's would.
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        setImmediate(() => {
          chunks.push(Buffer.from(chunk));
          cb();
        });
      },
    });
    const write = fdWriter(bad, () => stream, { closed: false });
    const reused = Buffer.from('first\n');
    write(reused);
    reused.write('XXXXX\n');
    write(Buffer.from('second\n'));
    await new Promise<void>((resolve) => stream.end(resolve));
    assert.equal(Buffer.concat(chunks).toString('utf8'), 'first\nsecond\n');
  });

  it('stays quiet once the output is closed (EPIPE seen by the stream handler)', () => {
    const stream = sink();
    const fd = openSync(join(dir, 'quiet.txt'), 'w');
    const state = { closed: true };
    fdWriter(fd, () => stream, state)('dropped\n');
    closeSync(fd);
    assert.equal(readFileSync(join(dir, 'quiet.txt'), 'utf8'), '');
  });
});

describe('isTerminal: the TTY check without building a stream', () => {
  it('a regular file and the null device are no terminal, and the stream is not asked', () => {
    const fd = openSync(join(dir, 'plain.txt'), 'w');
    const nul = openSync('/dev/null', 'w');
    const ask = (): boolean => assert.fail('the stream was built');
    assert.equal(isTerminal(fd, ask), false);
    assert.equal(isTerminal(nul, ask), false);
    closeSync(fd);
    closeSync(nul);
  });

  it('asks the stream when it cannot tell (a closed descriptor, another character device)', () => {
    const fd = openSync(join(dir, 'gone.txt'), 'w');
    closeSync(fd);
    assert.equal(
      isTerminal(fd, () => true),
      true,
    );
    const zero = openSync('/dev/zero', 'r');
    assert.equal(
      isTerminal(zero, () => false),
      false,
    );
    closeSync(zero);
  });
});

describe('whenStreamBuilt', () => {
  it('runs the setup once, on the stream the getter returns', () => {
    const seen: unknown[] = [];
    whenStreamBuilt('stderr', (s) => seen.push(s));
    const first = process.stderr;
    assert.equal(process.stderr, first);
    assert.deepEqual(seen, [first]);
  });
});
