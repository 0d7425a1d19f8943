import type { Run } from '../sources/source';
import { GRAIN_SIZE } from '../formats/vmdk/constants';

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

/** At most 2^25 cells: the map stays within 4 MiB even for a 64 TiB disk. */
const MAX_CELLS = 2 ** 25;

/**
 * Where a conversion found data, as it read the source: one bit per cell of whole grains, set if
 * any grain in it was not all zero. The verification reads the source again only there; in every
 * other cell the source was read once and found zero, so the output need only read zero there.
 */
export class DataMap {
  /** Bytes per cell: a grain, or several where the disk is too large for one bit per grain. */
  readonly cell: number;
  private readonly bits: Uint8Array;

  constructor(readonly size: number) {
    const grains = Math.ceil(size / GRAIN_SIZE);
    this.cell = Math.max(1, Math.ceil(grains / MAX_CELLS)) * GRAIN_SIZE;
    this.bits = new Uint8Array(Math.ceil(Math.ceil(size / this.cell) / 8));
  }

  /** Records the non-zero grains of a chunk read at `offset` (grain-aligned), `zero` as markZeroGrains left it. */
  mark(offset: number, length: number, zero: Uint8Array): void {
    const grains = Math.ceil(length / GRAIN_SIZE);
    for (let g = 0; g < grains; g++) {
      if (zero[g]) continue;
      const cell = Math.floor((offset + g * GRAIN_SIZE) / this.cell);
      this.bits[cell >> 3]! |= 1 << (cell & 7);
    }
  }

  /** Marks the whole disk as data. */
  markAll(): void {
    this.bits.fill(0xff);
  }

  /** The marked cells as data runs, in order and merged (the rest of the disk is not listed). */
  async *runs(): AsyncGenerator<Run> {
    const cells = Math.ceil(this.size / this.cell);
    let start = -1;
    for (let c = 0; c <= cells; c++) {
      // Whole empty bytes are skipped eight cells at a time: most of a large disk is empty.
      if (start < 0 && (c & 7) === 0 && c + 8 <= cells && this.bits[c >> 3] === 0) {
        c += 7;
        continue;
      }
      const set = c < cells && (this.bits[c >> 3]! & (1 << (c & 7))) !== 0;
      if (set && start < 0) start = c;
      else if (!set && start >= 0) {
        const offset = start * this.cell;
        yield { kind: 'data', offset, length: Math.min(this.size, c * this.cell) - offset };
        start = -1;
      }
    }
  }
}
