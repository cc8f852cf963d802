/** `actool validate`: checks manifests, ACIs and layouts; one line per issue; exit 1 if any input is invalid. */
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { EXIT } from '../io.js';
import type { ReportFormat } from '../format-issues.js';
import { formatReport, REPORT_FORMATS } from '../format-issues.js';
import { expandInputs } from '../expand-inputs.js';
import { PASSPHRASE_HELP, readPassphraseFile } from '../flags.js';
import type { InputType, PathReport } from '../../node/validate-path.js';
import { validateEach } from '../../node/validate-many.js';
import { keepYoungGenerationSmall } from '../../aci/garbage.js';
import { useBatchJit } from '../../node/batch-jit.js';
import { createProgress } from '../progress.js';
import { escapeTerminalText } from '../terminal-text.js';
import { ByteOutput } from '../byte-output.js';
import { LONG_BATCH } from '../long-batch.js';

const TYPES: readonly InputType[] = ['manifest', 'appimage', 'layout'];

/** What Go's actool --debug calls a valid input: "app container image", "image layout", or the manifest's kind. */
function debugKind(report: PathReport): string {
  if (report.type === 'appimage') return 'app container image';
  if (report.type === 'layout') return 'image layout';
  return report.kind ?? report.type;
}

/** The validate command. */
export const command: Command = {
  name: 'validate',
  help: `Usage: actool validate [--type=manifest|appimage|layout] [--strict] [--format=text|json|github] FILE|DIR|GLOB...

Validates every input given, even after failures. The type is detected as the Go actool does:
a directory is an image layout, a file starting with gzip, bzip2, xz or tar magic is an ACI, text is a
manifest (image or pod, by its acKind). Quote glob patterns ('images/**/*.aci') to let actool expand them.

Flags:
  --type=TYPE       force the input type: manifest, appimage or layout
  --strict          treat warnings (spec violations the Go reference accepts) as errors
  --format=FORMAT   text (default): FILE:LINE:COL: SEVERITY CODE /json/pointer: message
                    json: one object per input per line, {"version": 1, "file", "valid", "issues", ...}
                    (fields in docs/cli.md; JSON Schema in schemas/cli-report.schema.json)
                    github: GitHub Actions ::error/::warning annotations
${PASSPHRASE_HELP}
  --debug           also print "FILE: valid KIND" for valid inputs (stderr), as Go's actool -debug does:
                    "valid app container image", "valid image layout", "valid ImageManifest"

Flags may also be written as Go's actool reads them: -strict, -type=manifest, --strict=false.

Exit codes: 0 all inputs valid, 1 any input invalid or unreadable, 2 usage error.
`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      type: { type: 'string' },
      strict: { type: 'boolean' },
      format: { type: 'string' },
      debug: { type: 'boolean' },
      'passphrase-file': { type: 'string' },
    });
    const type = values.type as InputType | undefined;
    if (type !== undefined && !TYPES.includes(type)) throw new UsageError(`--type must be one of ${TYPES.join(', ')} (got ${JSON.stringify(type)})`);
    const format = (values.format ?? 'text') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
    if (positionals.length === 0) throw new UsageError('at least one FILE is required');
    const passphrase = await readPassphraseFile(values['passphrase-file'], io);
    const inputs = await expandInputs(positionals, io.cwd);
    let exit: number = EXIT.OK;
    // Inputs run in parallel on every core; reports are printed in input order as soon as they can be.
    const ready = new Map<number, PathReport>();
    let printed = 0;
    const progress = await createProgress(io);
    const files = progress.files();
    const overall = inputs.length > 1 ? progress.items('validated', inputs.length) : undefined;
    // Lines are written in batches (a write per line was ~4% of a 10,000-manifest run), gathered as bytes (see
    // byte-output.ts): at 64 KiB, before a stderr line, when the event loop next turns (so slow inputs still
    // print promptly), and at the end.
    const output = new ByteOutput(io.stdoutBytes ?? ((bytes) => io.stdout(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'))));
    let scheduled = false;
    const writeOut = (): void => output.flush();
    const flush = (): void => {
      while (ready.has(printed)) {
        const report = ready.get(printed)!;
        ready.delete(printed);
        printed++;
        output.add(formatReport(report, format));
        if (!report.valid) exit = EXIT.INVALID;
        else if (values.debug) {
          writeOut();
          io.stderr(`${escapeTerminalText(report.file)}: valid ${debugKind(report)}\n`);
        }
      }
      if (output.pending && !scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          writeOut();
        });
      }
    };
    // A long batch would otherwise grow V8's young generation to 32 MB of garbage (see aci/garbage.ts), and
    // spend more of its time compiling (see node/batch-jit.ts).
    if (inputs.length >= LONG_BATCH) {
      keepYoungGenerationSmall();
      useBatchJit();
    }
    try {
      await validateEach(inputs, {
        ...(type === undefined ? {} : { type }),
        strict: values.strict === true,
        // Only the JSON report shows the image ID: the other formats skip its sha512 (Go's validate computes none).
        imageId: format === 'json',
        ...(passphrase === undefined ? {} : { passphrase }),
        onResult: (index, report) => {
          files.done(inputs[index]!);
          ready.set(index, report);
          overall?.update(ready.size + printed);
          flush();
        },
        onProgress: (index, p) => files.update(inputs[index]!, p.compressedBytes),
      });
    } finally {
      writeOut();
    }
    progress.stop();
    return exit;
  },
};
