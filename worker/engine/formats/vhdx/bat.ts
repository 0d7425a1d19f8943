// The block allocation table (MS-VHDX §2.5): payload and sector bitmap entries, interleaved.
import { MiB } from './headers';

export const PayloadState = {
  NOT_PRESENT: 0,
  UNDEFINED: 1,
  ZERO: 2,
  UNMAPPED: 3,
  FULLY_PRESENT: 6,
  PARTIALLY_PRESENT: 7,
} as const;
export const SB_BLOCK_PRESENT = 6;

/** Each sector bitmap block is 1 MiB: one bit for each of 2^23 logical sectors. */
export const SECTORS_PER_BITMAP = 2 ** 23;
export const BITMAP_BLOCK_SIZE = MiB;
export const ENTRY_SIZE = 8;

export interface BatGeometry {
  blockSize: number;
  logicalSectorSize: number;
  /** Payload blocks per sector bitmap block. */
  chunkRatio: number;
  payloadBlocks: number;
  bitmapBlocks: number;
  /** Entries the BAT must hold for this disk (MS-VHDX §2.5). */
  entryCount: number;
}

export function batGeometry(virtualSize: number, blockSize: number, logicalSectorSize: number, differencing: boolean): BatGeometry {
  const chunkRatio = (SECTORS_PER_BITMAP * logicalSectorSize) / blockSize;
  const payloadBlocks = Math.ceil(virtualSize / blockSize);
  const bitmapBlocks = Math.ceil(payloadBlocks / chunkRatio);
  const entryCount = differencing
    ? bitmapBlocks * (chunkRatio + 1)
    : payloadBlocks === 0
      ? 0
      : payloadBlocks + Math.floor((payloadBlocks - 1) / chunkRatio);
  return { blockSize, logicalSectorSize, chunkRatio, payloadBlocks, bitmapBlocks, entryCount };
}

/** BAT index of payload block `block`: a sector bitmap entry follows every `chunkRatio` payload entries. */
export function payloadEntryIndex(block: number, chunkRatio: number): number {
  return block + Math.floor(block / chunkRatio);
}

/** BAT index of the sector bitmap entry of chunk `chunk`. */
export function bitmapEntryIndex(chunk: number, chunkRatio: number): number {
  return chunk * (chunkRatio + 1) + chunkRatio;
}

export interface BatEntry {
  state: number;
  /** Bytes into the file (FileOffsetMB × 1 MiB); may exceed 2^53 in a hostile file, so check before use. */
  fileOffset: number;
}

export function decodeBatEntry(buf: Buffer, at: number): BatEntry {
  const lo = buf.readUInt32LE(at);
  const hi = buf.readUInt32LE(at + 4);
  return { state: lo & 7, fileOffset: (hi * 4096 + (lo >>> 20)) * MiB };
}

