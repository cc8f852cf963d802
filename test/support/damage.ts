/** Random damage to an archive larger than the in-memory path's 4 MiB, for property tests of the streaming readers. */
import fc from 'fast-check';

/** A cut after the first 4 MiB, a flipped bit anywhere, or bytes appended. */
export type Damage = { readonly kind: 'cut'; readonly at: number } | { readonly kind: 'flip'; readonly at: number } | { readonly kind: 'trailing'; readonly bytes: Uint8Array };

/** Any {@link Damage}. */
export const damageArbitrary: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('trailing' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

/** `image` with `damage` done to a copy (a cut keeps more than 4 MiB, so the streaming path reads it). */
export function applyDamage(image: Buffer, damage: Damage): Buffer {
  if (damage.kind === 'cut') return image.subarray(0, (4 << 20) + 1 + (damage.at % (image.length - (4 << 20) - 1)));
  if (damage.kind === 'trailing') return Buffer.concat([image, damage.bytes]);
  const bytes = Buffer.from(image);
  const at = damage.at % bytes.length;
  bytes[at] = bytes[at]! ^ 0x40;
  return bytes;
}

/** Damage anywhere in a small input, or none: a cut, a flipped bit (which one), or bytes appended. */
export type AnyDamage =
  | { readonly kind: 'none' }
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'trailing'; readonly bytes: Uint8Array };

/** Any {@link AnyDamage}, cuts and flips the likeliest. */
export const anyDamageArbitrary: fc.Arbitrary<AnyDamage> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('trailing' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), weight: 1 },
);

/** `bytes` with `damage` done to a copy (a cut keeps at least one byte). */
export function applyAnyDamage(bytes: Uint8Array, damage: AnyDamage): Uint8Array {
  if (damage.kind === 'none') return bytes;
  if (damage.kind === 'cut') return bytes.subarray(0, 1 + (damage.at % bytes.length));
  if (damage.kind === 'trailing') return new Uint8Array(Buffer.concat([bytes, damage.bytes]));
  const out = bytes.slice();
  const at = damage.at % out.length;
  out[at] = out[at]! ^ (1 << damage.bit);
  return out;
}
