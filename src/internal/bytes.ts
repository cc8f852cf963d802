/** Byte helpers shared by the archive and signature code (portable: no Node APIs). */

/**
 * A copy of `bytes`, of the same type: Buffer's own `slice()` returns a view of the same memory, which a chunk
 * freed after use (aci/garbage.ts dropChunk) would leave empty; TypedArray's `slice` always copies.
 */
export function copyBytes<T extends Uint8Array>(bytes: T): T {
  return Uint8Array.prototype.slice.call(bytes) as T;
}

/** Joins byte arrays into one (returns the only part as it is). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Iterates a web stream as an async generator of chunks (web streams are not async-iterable in every runtime). */
export async function* iterateStream<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
