// The grain tables a disk's sparse extents have read, and the scratch buffers they share.
import { BufferPool } from '../../io/buffer-pool';

/** Scratch buffers for grain tables and compressed grains: sizes rounded up (so one fits the next read) and how many are kept. */
const SCRATCH_ROUND = 1024 * 1024;
const MAX_SCRATCH = 4;
const GT_CACHE_ENTRIES = 256;
/** 32 TiB in 32 MiB grain tables; a larger directory is not one VMware writes. */
export const MAX_GD_ENTRIES = 1 << 20;

/**
 * Grain tables read, shared by every sparse extent of one disk so that the budget holds for the
 * disk: a 2 TiB split disk has a thousand extents, each with 64 tables. Cleared when full (reads
 * go forward, so what was read long ago is rarely wanted again).
 */
const zeroTables = new Map<number, { table: Uint32Array; bytes: Buffer }>();

/** A shared all-zero grain table of `n` entries (read only) and its bytes on disk. */
export function zeroTable(n: number): { table: Uint32Array; bytes: Buffer } {
  let z = zeroTables.get(n);
  if (!z) zeroTables.set(n, (z = { table: new Uint32Array(n), bytes: Buffer.alloc(n * 4) }));
  return z;
}

export class GrainTableCache {
  private readonly tables = new Map<number, Uint32Array>();
  private extents = 0;

  /** A key space of its own for one extent. */
  register(): number {
    return this.extents++;
  }

  get(extent: number, index: number): Uint32Array | undefined {
    return this.tables.get(extent * MAX_GD_ENTRIES + index);
  }

  /** Makes room for `count` more tables. */
  reserve(count: number): void {
    if (this.tables.size + count > GT_CACHE_ENTRIES) this.tables.clear();
  }

  set(extent: number, index: number, gt: Uint32Array): void {
    this.tables.set(extent * MAX_GD_ENTRIES + index, gt);
  }
}

/** What the sparse extents of one disk share, so that its budgets hold for the whole disk. */
export class SharedExtentState {
  readonly tables = new GrainTableCache();
  /** For reads of tables and compressed grains: as many as reads run side by side. */
  readonly scratch = new BufferPool(SCRATCH_ROUND, MAX_SCRATCH);
  /** What a grain never written reads as: zeros, or (a delta disk) its parent's data. */
  constructor(readonly unwritten: 'zero' | 'below' = 'zero') {}
}
