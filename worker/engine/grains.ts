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
