/** The safety limits of archive reading, shared by every reader (one place for their defaults). Portable. */

/** Limits of archive reading; every one has a safe default and a clear issue when hit. */
export interface AciLimits {
  /** Largest manifest, in bytes (default 1 MiB). */
  readonly maxManifestBytes?: number;
  /** Most entries (default 1,000,000). */
  readonly maxEntries?: number;
  /** Most uncompressed bytes read (default 64 GiB): stops decompression bombs. */
  readonly maxTotalBytes?: number;
  /** Largest PAX or GNU long-name header of one entry (default 1 MiB). */
  readonly maxPaxBytes?: number;
  /** Longest member or link name, in bytes (default 4096). */
  readonly maxPathBytes?: number;
}

/** Default limits. */
export const ACI_LIMITS: Required<AciLimits> = {
  maxManifestBytes: 1 << 20,
  maxEntries: 1_000_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxPaxBytes: 1 << 20,
  maxPathBytes: 4096,
};

/** The limits with defaults filled in; throws TypeError for a limit that is not a non-negative number. */
export function resolveLimits(options: AciLimits): Required<AciLimits> {
  const out: Record<string, number> = { ...ACI_LIMITS };
  for (const key of Object.keys(ACI_LIMITS) as (keyof AciLimits)[]) {
    const v = options[key];
    if (v !== undefined) {
      if (!(typeof v === 'number' && v >= 0)) throw new TypeError(`option ${key} must be a non-negative number, got ${String(v)}`);
      out[key] = v;
    }
  }
  return out as Required<AciLimits>;
}
