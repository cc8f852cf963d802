/**
 * Makes text from archives, manifests and servers safe to print on a terminal or in a log: control
 * characters (ESC, CR, LF, TAB, C1), Unicode line separators and bidirectional overrides become visible
 * escapes, so a hostile entry name can neither move the cursor, recolour the screen nor start a line of
 * its own (forging `fake.aci: valid`).
 */

// C0 controls, DEL, C1 controls, U+2028/2029 line and paragraph separators, bidi embeddings/overrides/isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same class without /g: a test that keeps no state, for the common text that has nothing to escape.
const HAS_UNSAFE = new RegExp(UNSAFE.source);

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every unsafe character replaced by `\n`, `\r`, `\t`, `\xNN` or `\u{NNNN}`. */
export function escapeTerminalText(text: string): string {
  if (!HAS_UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
