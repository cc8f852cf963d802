/** Turns manifest bytes into text the way Go reads them: invalid UTF-8 becomes U+FFFD, and we say where. */

/** Decoded text and, when the bytes were not valid UTF-8, the offset of the first bad byte. */
export interface DecodedText {
  readonly text: string;
  readonly invalidUtf8At?: number;
}

/** Finds the offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

// Decoders are stateless between whole-buffer decode() calls, so one of each serves every document.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes UTF-8 bytes leniently (as Go does) and reports the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  // Valid input (nearly all of it) is checked and decoded in one native pass; only invalid input is searched.
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const text = lenient.decode(bytes);
    return bad < 0 ? { text } : { text, invalidUtf8At: bad };
  }
}
