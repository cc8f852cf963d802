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
