import { SECTOR, SPARSE_MAGIC } from './constants';

/** SparseExtentHeader (512 bytes, little-endian; docs/vmdk.md#sparse-extent-header). Sector counts throughout. */
export interface SparseExtentHeader {
  version: number;
  flags: number;
  capacity: bigint;
  grainSize: bigint;
  descriptorOffset: bigint;
  descriptorSize: bigint;
  numGTEsPerGT: number;
  rgdOffset: bigint;
  gdOffset: bigint;
  overHead: bigint;
  uncleanShutdown: boolean;
  compressAlgorithm: number;
}

export function encodeSparseHeader(h: SparseExtentHeader): Buffer {
  const b = Buffer.alloc(SECTOR);
  b.writeUInt32LE(SPARSE_MAGIC, 0);
  b.writeUInt32LE(h.version, 4);
  b.writeUInt32LE(h.flags >>> 0, 8);
  b.writeBigUInt64LE(h.capacity, 12);
  b.writeBigUInt64LE(h.grainSize, 20);
  b.writeBigUInt64LE(h.descriptorOffset, 28);
  b.writeBigUInt64LE(h.descriptorSize, 36);
  b.writeUInt32LE(h.numGTEsPerGT, 44);
  b.writeBigUInt64LE(h.rgdOffset, 48);
  b.writeBigUInt64LE(h.gdOffset, 56);
  b.writeBigUInt64LE(h.overHead, 64);
  b.writeUInt8(h.uncleanShutdown ? 1 : 0, 72);
  // The newline-detection characters: a file mangled by a text-mode transfer no longer matches.
  b.writeUInt8(0x0a, 73);
  b.writeUInt8(0x20, 74);
  b.writeUInt8(0x0d, 75);
  b.writeUInt8(0x0a, 76);
  b.writeUInt16LE(h.compressAlgorithm, 77);
  return b;
}

export function isSparseMagic(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === SPARSE_MAGIC;
}

export function parseSparseHeader(b: Buffer): SparseExtentHeader & { newlineOk: boolean } {
  return {
    version: b.readUInt32LE(4),
    flags: b.readUInt32LE(8),
    capacity: b.readBigUInt64LE(12),
    grainSize: b.readBigUInt64LE(20),
    descriptorOffset: b.readBigUInt64LE(28),
    descriptorSize: b.readBigUInt64LE(36),
    numGTEsPerGT: b.readUInt32LE(44),
    rgdOffset: b.readBigUInt64LE(48),
    gdOffset: b.readBigUInt64LE(56),
    overHead: b.readBigUInt64LE(64),
    uncleanShutdown: b.readUInt8(72) !== 0,
    newlineOk: b[73] === 0x0a && b[74] === 0x20 && b[75] === 0x0d && b[76] === 0x0a,
    compressAlgorithm: b.readUInt16LE(77),
  };
}
