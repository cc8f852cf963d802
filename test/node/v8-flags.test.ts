import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { describe, it } from 'node:test';
import { keepV8FlagsAcross, restoreV8Flags, setV8Flags } from '../../src/node/v8-flags.js';

/** Runs `body` with node:v8's setFlagsFromString recorded (and still applied). */
function recordingFlags(body: () => void): string[] {
  const seen: string[] = [];
  const original = v8.setFlagsFromString;
  v8.setFlagsFromString = (flag: string) => {
    seen.push(flag);
    original(flag);
  };
  try {
    body();
  } finally {
    v8.setFlagsFromString = original;
  }
  return seen;
}

describe('V8 flags set at run time, kept across worker threads', () => {
  it('a worker started before any flag is set gets no listener; restoring nothing sets nothing', () => {
    const events: string[] = [];
    keepV8FlagsAcross({ once: (event) => events.push(event) });
    assert.deepEqual(events, []);
    assert.deepEqual(
      recordingFlags(() => restoreV8Flags()),
      [],
    );
  });

  it('every flag set is set again when a worker comes online (it resets them), once each, in order', () => {
    const set = recordingFlags(() => {
      setV8Flags('--semi-space-growth-factor=1', '--heap-growing-percent=10');
      setV8Flags('--max-inlined-bytecode-size-cumulative=200', '--semi-space-growth-factor=1');
    });
    assert.deepEqual(set, ['--semi-space-growth-factor=1', '--heap-growing-percent=10', '--max-inlined-bytecode-size-cumulative=200', '--semi-space-growth-factor=1']);
    let online: (() => void) | undefined;
    keepV8FlagsAcross({
      once: (event, listener) => {
        assert.equal(event, 'online');
        online = listener;
      },
    });
    assert.ok(online);
    assert.deepEqual(
      recordingFlags(() => online!()),
      ['--semi-space-growth-factor=1', '--heap-growing-percent=10', '--max-inlined-bytecode-size-cumulative=200'],
    );
  });
});
