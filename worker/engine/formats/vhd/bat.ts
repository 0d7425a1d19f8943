// The block allocation table of a dynamic or differencing VHD (VHD spec, "Block Allocation
// Table and Data Blocks"; qemu block/vpc.c): big-endian sector offsets of blocks, each block a
// sector bitmap then the data. docs/vhd.md#block-allocation-table.
import { corrupt } from '../../errors';

const SECTOR = 512;
/** An entry for a block that holds nothing (it reads as zeros, or as the parent's data). */
export const UNALLOCATED = 0xffffffff;
/** 2040 GiB in 256 KiB blocks; a table larger than this is not one any tool writes. */
export const MAX_BAT_ENTRIES = 1 << 23;

/** A block's sector bitmap: one bit per sector, padded to whole sectors. */
export function sectorBitmapBytes(blockSize: number): number {
  return Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;
}

/** The first `entries` entries of the table's bytes. */
export function decodeBat(raw: Buffer, entries: number): Uint32Array {
  const bat = new Uint32Array(entries);
  for (let i = 0; i < entries; i++) bat[i] = raw.readUInt32BE(i * 4);
  return bat;
}

export interface BatBounds {
  path: string;
  /** Where the table is in the file, for naming an entry by its offset. */
  tablePos: number;
  blockSize: number;
  diskSize: number;
  /** Where block data must end: the footer at the end of the file, or the file's end. */
  dataLimit: number;
  /** The file's own structures, which no block may overlap. */
  metadata: Array<{ start: number; length: number }>;
}

const overlaps = (a: number, aLen: number, b: number, bLen: number): boolean => a < b + bLen && b < a + aLen;

/** Checks every allocated block lies in the data area and off the metadata; answers the bytes they hold. */
export function checkBat(bat: Uint32Array, b: BatBounds): number {
  const bitmapSize = sectorBitmapBytes(b.blockSize);
  let allocated = 0;
  for (let i = 0; i < bat.length; i++) {
    const entry = bat[i]!;
    if (entry === UNALLOCATED) continue;
    const pos = entry * SECTOR;
    const used = Math.min(b.blockSize, b.diskSize - i * b.blockSize);
    const span = bitmapSize + used;
    if (pos + span > b.dataLimit) {
      throw corrupt(b.path, `BAT entry ${i} (at offset ${b.tablePos + i * 4}) points to a block at offset ${pos} that extends beyond the data area (which ends at ${b.dataLimit}).`);
    }
    if (b.metadata.some((m) => overlaps(pos, span, m.start, m.length))) {
      throw corrupt(b.path, `BAT entry ${i} (at offset ${b.tablePos + i * 4}) points to offset ${pos}, inside the disk's own metadata.`);
    }
    allocated += used;
  }
  return allocated;
}
