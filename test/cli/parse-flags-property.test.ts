import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { goFlagSyntax, parseFlags } from '../../src/cli/command.js';

// parseFlags sets plainly positional arguments aside before parseArgs and puts them back in place (a batch of
// 10,000 paths made parseArgs build a token object for each). The reference is what parseFlags did before:
// every argument through parseArgs. Both must give the same values, positionals in the same order, or the
// same error, for any arguments.
const options = {
  strict: { type: 'boolean' as const },
  debug: { type: 'boolean' as const },
  type: { type: 'string' as const },
  format: { type: 'string' as const, short: 'f' },
  label: { type: 'string' as const, multiple: true },
  quiet: { type: 'boolean' as const, short: 'q' },
};

function reference(argv: readonly string[], allowPositionals: boolean): unknown {
  try {
    const { args, booleans } = goFlagSyntax(argv, options);
    const parsed = parseArgs({ args, options, allowPositionals, strict: true });
    const values = parsed.values as Record<string, unknown>;
    for (const [name, on] of booleans) values[name] = on;
    return { values: { ...values }, positionals: parsed.positionals };
  } catch (e) {
    return { error: (e as Error).message.replace(/\. To specify a positional argument.*$/s, '') };
  }
}

function actual(argv: readonly string[], allowPositionals: boolean): unknown {
  try {
    const parsed = parseFlags(argv, options, allowPositionals);
    return { values: { ...parsed.values }, positionals: parsed.positionals };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Arguments a command line may hold: paths, flags in every spelling, values, terminators, odd dashes. */
const argument = fc.oneof(
  fc.constantFrom('a.json', '/abs/m-00001.json', 'json', 'text', 'x=y', '', ' ', '-', '--', '---'),
  fc.constantFrom('--strict', '-strict', '--strict=true', '-strict=false', '--strict=maybe', '--debug', '-debug=1'),
  fc.constantFrom('--type', '-type', '--type=manifest', '-type=', '--format', '--format=json', '-f', '-fjson', '-f=json', '-qf', '-q'),
  fc.constantFrom('--label', '--label=os=linux', '--nope', '-nope', '--nope=1', '-x', '-1', '--=x'),
  fc.string({ maxLength: 6 }),
);

describe('parseFlags sets plain positionals aside (issue #16: 10,000 paths in one invocation)', () => {
  it('gives parseArgs’ values, positionals in order, and errors for any arguments (property)', () => {
    fc.assert(
      fc.property(fc.array(argument, { maxLength: 12 }), fc.boolean(), (argv, allowPositionals) => {
        assert.deepEqual(actual(argv, allowPositionals), reference(argv, allowPositionals));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the order of 10,000 paths around flags and option values', () => {
    const paths = Array.from({ length: 10_000 }, (_, i) => `/batch/m-${String(i).padStart(5, '0')}.json`);
    const argv = ['--format', 'json', ...paths.slice(0, 5000), '-strict', ...paths.slice(5000, 9998), '--', '--debug', ...paths.slice(9998)];
    const parsed = parseFlags(argv, options);
    assert.equal(parsed.values.format, 'json');
    assert.equal(parsed.values.strict, true);
    assert.equal(parsed.values.debug, undefined);
    assert.deepEqual(parsed.positionals, [...paths.slice(0, 9998), '--debug', ...paths.slice(9998)]);
  });
});
