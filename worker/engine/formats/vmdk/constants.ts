// VMDK hosted sparse extent constants (docs/vmdk.md#sparse-extent-header; VMware "Virtual Disk Format 5.0").

export const SECTOR = 512;
export const SPARSE_MAGIC = 0x564d444b; // "KDMV" little-endian
export const GRAIN_SECTORS = 128; // 64 KiB grains
export const GRAIN_SIZE = GRAIN_SECTORS * SECTOR;
export const GTES_PER_GT = 512;
export const GT_COVER_SECTORS = GTES_PER_GT * GRAIN_SECTORS; // 32 MiB of disk per grain table
export const GT_SECTORS = (GTES_PER_GT * 4) / SECTOR; // 4
export const EMBEDDED_DESCRIPTOR_SECTORS = 20; // 10 KiB, as VMware and qemu reserve
export const GD_AT_END = 0xffffffffffffffffn;

/** Grain tables and directories are little-endian; on such a host a Uint32Array over their bytes reads them as they are. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const SparseFlags = {
  validNewlineTest: 0x1,
  redundantGrainTable: 0x2,
  zeroedGrainGte: 0x4,
  compressedGrains: 0x10000,
  markers: 0x20000,
} as const;

export const MarkerType = { eos: 0, grainTable: 1, grainDirectory: 2, footer: 3 } as const;

/** VMware's split size: 2047 MiB per extent (VMDK50's example, VirtualBox's VMDK_2G_SPLIT_SIZE). */
export const SPLIT_EXTENT_SECTORS = 4192256;

/** Grain tables hold 32-bit sector numbers: one sparse extent file cannot pass 2 TiB. */
export const MAX_SPARSE_FILE_SECTORS = 0xffffffff;
