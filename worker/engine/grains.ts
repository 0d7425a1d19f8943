import { createXXHash128, type IHasher } from 'hash-wasm';
import { GRAIN_SIZE } from './writers/vmdk/constants';

const ZERO_GRAIN = Buffer.alloc(GRAIN_SIZE);

/** Marks each grain of `data` (the last may be short) that is entirely zero. */
export function markZeroGrains(data: Buffer, zero: Uint8Array): number {
  const grains = Math.ceil(data.length / GRAIN_SIZE);
  for (let g = 0; g < grains; g++) {
    const start = g * GRAIN_SIZE;
    const end = Math.min(start + GRAIN_SIZE, data.length);
    const grain = data.subarray(start, end);
    zero[g] = (end - start === GRAIN_SIZE ? grain.equals(ZERO_GRAIN) : grain.equals(ZERO_GRAIN.subarray(0, end - start))) ? 1 : 0;
  }
  return grains;
}

/**
 * The digest the verification pass compares: XXH3-128 over (grain index, grain bytes) of every
 * non-zero 64 KiB grain in disk order. Its cost follows the data, not the virtual size, and two
 * disks have the same digest exactly when they hold the same bytes (a 128-bit hash made to catch
 * accidental differences; nothing here is adversarial, and it runs three times faster than SHA-256,
 * which matters because both the conversion and the verification pay for it).
 */
export class GrainDigest {
  private readonly index = Buffer.alloc(8);
  dataBytes = 0;

  private constructor(private readonly hash: IHasher | undefined) {}

  /** Without `hashing`, only counts the data bytes (a conversion that will not be verified). */
  static async create(hashing = true): Promise<GrainDigest> {
    return new GrainDigest(hashing ? await createXXHash128() : undefined);
  }

  add(offset: number, data: Buffer, zero: Uint8Array): void {
    const first = offset / GRAIN_SIZE;
    const grains = Math.ceil(data.length / GRAIN_SIZE);
    for (let g = 0; g < grains; g++) {
      if (zero[g]) continue;
      const grain = data.subarray(g * GRAIN_SIZE, Math.min((g + 1) * GRAIN_SIZE, data.length));
      this.dataBytes += grain.length;
      if (!this.hash) continue;
      this.index.writeBigUInt64LE(BigInt(first + g));
      this.hash.update(this.index);
      this.hash.update(grain);
    }
  }

  /** The digest, or undefined when created without hashing. */
  hex(): string | undefined {
    return this.hash?.digest('hex');
  }
}
