import { constants as zc } from 'node:zlib';
import { FerryError } from '../../errors';
import type { Chunk } from '../../io/chunk';
import { OutputFile, preallocate } from '../output-file';
import { TrailingWrites } from '../trailing-writes';
import {
  EMBEDDED_DESCRIPTOR_SECTORS,
  GD_AT_END,
  GRAIN_SECTORS,
  GRAIN_SIZE,
  GTES_PER_GT,
  GT_COVER_SECTORS,
  GT_SECTORS,
  LITTLE_ENDIAN_HOST,
  MAX_SPARSE_FILE_SECTORS,
  MarkerType,
  SECTOR,
  SparseFlags,
} from '../../formats/vmdk/constants';
import { encodeSparseHeader } from '../../formats/vmdk/sparse-header';
import { ZlibPool, type Batch, type CompressedGrain } from '../../deflate/zlib-pool';

/** Compressed chunks that may wait to be written: keeps both cores busy, bounds memory (~2× a chunk each). */
const MAX_CHUNKS_IN_FLIGHT = 2;

/** Writes one extent file from grain-aligned chunks given in ascending order (gaps are zero). */
export interface ExtentWriter {
  /**
   * Takes the next chunk. It may return while the chunk is still being written: the chunk's memory
   * stays in use until the next call of any of these methods has returned.
   */
  write(chunk: Chunk): Promise<void>;
  /** Resolves once none of the chunks given is in use (a failed write is raised by the next write or finish). */
  quiesce(): Promise<void>;
  /** Writes the metadata and closes the file. */
  finish(): Promise<void>;
  /** Closes the file without finishing it (the caller removes it). */
  close(): Promise<void>;
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Zeros to fill the disk's short last grain to a whole one (only ever written from). */
const ZERO_PAD = Buffer.alloc(GRAIN_SIZE);

function gtBytes(gt: Uint32Array): Buffer {
  return Buffer.from(gt.buffer, gt.byteOffset, gt.byteLength).subarray(0);
}

// Grain tables are little-endian on disk; so is every platform Node runs on that we ship for.
if (!LITTLE_ENDIAN_HOST) throw new Error('big-endian hosts are not supported');

/** Sector layout of a hosted sparse extent, as VMware and qemu lay it out (docs/vmdk.md#grain-directory-and-tables). */
export function sparseLayout(capacitySectors: number, embeddedDescriptor: boolean) {
  const gdEntries = Math.ceil(capacitySectors / GT_COVER_SECTORS);
  const gdSectors = Math.ceil((gdEntries * 4) / SECTOR);
  const descriptorOffset = embeddedDescriptor ? 1 : 0;
  const descriptorSectors = embeddedDescriptor ? EMBEDDED_DESCRIPTOR_SECTORS : 0;
  const rgdOffset = 1 + descriptorSectors;
  const rgtStart = rgdOffset + gdSectors;
  const gdOffset = rgtStart + gdEntries * GT_SECTORS;
  const gtStart = gdOffset + gdSectors;
  const overHead = roundUp(gtStart + gdEntries * GT_SECTORS, GRAIN_SECTORS);
  return { gdEntries, gdSectors, descriptorOffset, descriptorSectors, rgdOffset, rgtStart, gdOffset, gtStart, overHead };
}

/** The largest capacity one sparse extent file can address with 32-bit sector pointers. */
export function sparseCapacityFits(capacitySectors: number, embeddedDescriptor: boolean): boolean {
  const { overHead } = sparseLayout(capacitySectors, embeddedDescriptor);
  return overHead + roundUp(capacitySectors, GRAIN_SECTORS) <= MAX_SPARSE_FILE_SECTORS;
}

/** monolithicSparse and each twoGbMaxExtentSparse piece: header, GD/GTs twice, grains. */
export class SparseExtentWriter implements ExtentWriter {
  private readonly layout: ReturnType<typeof sparseLayout>;
  private nextGrain: number;
  private gtIndex = -1;
  private readonly gt = new Uint32Array(GTES_PER_GT);
  private readonly trailing = new TrailingWrites();

  private constructor(
    private readonly file: OutputFile,
    private readonly capacitySectors: number,
    private readonly descriptor: string | undefined,
  ) {
    this.layout = sparseLayout(capacitySectors, descriptor !== undefined);
    this.nextGrain = this.layout.overHead;
  }

  static async create(path: string, capacitySectors: number, descriptor?: string): Promise<SparseExtentWriter> {
    if (!sparseCapacityFits(capacitySectors, descriptor !== undefined)) {
      throw new FerryError('E_UNSUPPORTED', `A sparse VMDK extent cannot hold ${capacitySectors * SECTOR} bytes (the limit is just under 2 TiB).`, 'Choose a split (twoGbMaxExtentSparse) or flat disk.');
    }
    if (descriptor !== undefined && Buffer.byteLength(descriptor) > EMBEDDED_DESCRIPTOR_SECTORS * SECTOR) {
      throw new FerryError('E_INTERNAL', 'The embedded descriptor does not fit its 10 KiB slot.');
    }
    const file = await OutputFile.create(path);
    const w = new SparseExtentWriter(file, capacitySectors, descriptor);
    await file.truncate(w.layout.overHead * SECTOR);
    return w;
  }

  /**
   * Starts writing the finished grain table and its redundant copy; the caller awaits the
   * returned writes. They go out beside the grains' write, not before it: waiting on each small
   * write in turn cost a round trip through libuv's threads per table, a quarter of a sparse
   * conversion's time when the data is spread over many tables.
   */
  private flushGt(): Array<Promise<void>> {
    if (this.gtIndex < 0) return [];
    const bytes = Buffer.from(gtBytes(this.gt)); // a copy: this.gt is refilled for the next table
    const { rgtStart, gtStart } = this.layout;
    return [this.file.write(bytes, (rgtStart + this.gtIndex * GT_SECTORS) * SECTOR), this.file.write(bytes, (gtStart + this.gtIndex * GT_SECTORS) * SECTOR)];
  }

  async write(chunk: Chunk): Promise<void> {
    const first = chunk.offset / GRAIN_SIZE;
    const grains = Math.ceil(chunk.data.length / GRAIN_SIZE);
    const buffers: Buffer[] = [];
    const writes: Array<Promise<void>> = [];
    const startSector = this.nextGrain;
    for (let g = 0; g < grains; g++) {
      if (chunk.zero[g]) continue;
      const index = first + g;
      const table = Math.floor(index / GTES_PER_GT);
      if (table !== this.gtIndex) {
        writes.push(...this.flushGt());
        this.gtIndex = table;
        this.gt.fill(0);
      }
      this.gt[index % GTES_PER_GT] = this.nextGrain;
      this.nextGrain += GRAIN_SECTORS;
      const grain = chunk.data.subarray(g * GRAIN_SIZE, (g + 1) * GRAIN_SIZE);
      if (grain.length === GRAIN_SIZE) buffers.push(grain);
      else {
        // The disk's last grain is short; the file always holds whole grains.
        buffers.push(grain, ZERO_PAD.subarray(0, GRAIN_SIZE - grain.length));
      }
    }
    if (buffers.length > 0) writes.push(this.file.writev(buffers, startSector * SECTOR));
    await this.trailing.push(writes);
  }

  quiesce(): Promise<void> {
    return this.trailing.quiesce();
  }

  async finish(): Promise<void> {
    await this.trailing.settle();
    await Promise.all(this.flushGt());
    const l = this.layout;
    const gd = new Uint32Array(l.gdSectors * (SECTOR / 4));
    const rgd = new Uint32Array(l.gdSectors * (SECTOR / 4));
    for (let i = 0; i < l.gdEntries; i++) {
      gd[i] = l.gtStart + i * GT_SECTORS;
      rgd[i] = l.rgtStart + i * GT_SECTORS;
    }
    await this.file.write(gtBytes(rgd), l.rgdOffset * SECTOR);
    await this.file.write(gtBytes(gd), l.gdOffset * SECTOR);
    if (this.descriptor !== undefined) {
      const text = Buffer.alloc(l.descriptorSectors * SECTOR);
      text.write(this.descriptor, 'utf8');
      await this.file.write(text, l.descriptorOffset * SECTOR);
    }
    // The header goes last, so a file cut short never looks like a finished disk.
    const header = encodeSparseHeader({
      version: 1,
      flags: SparseFlags.validNewlineTest | SparseFlags.redundantGrainTable,
      capacity: BigInt(this.capacitySectors),
      grainSize: BigInt(GRAIN_SECTORS),
      descriptorOffset: BigInt(l.descriptorOffset),
      descriptorSize: BigInt(l.descriptorSectors),
      numGTEsPerGT: GTES_PER_GT,
      rgdOffset: BigInt(l.rgdOffset),
      gdOffset: BigInt(l.gdOffset),
      overHead: BigInt(l.overHead),
      uncleanShutdown: false,
      compressAlgorithm: 0,
    });
    await this.file.write(header, 0);
    await this.file.close();
  }

  async close(): Promise<void> {
    await this.trailing.quiesce();
    await this.file.close().catch(() => undefined);
  }
}

/** monolithicFlat and each twoGbMaxExtentFlat piece: the disk's bytes as they are. */
export class FlatExtentWriter implements ExtentWriter {
  private readonly trailing = new TrailingWrites();

  private constructor(private readonly file: OutputFile) {}

  static async create(path: string, bytes: number): Promise<FlatExtentWriter> {
    const file = await OutputFile.create(path);
    try {
      await file.truncate(bytes);
      await preallocate(path, bytes);
    } catch (err) {
      await file.close();
      throw err;
    }
    return new FlatExtentWriter(file);
  }

  async write(chunk: Chunk): Promise<void> {
    // Zero grains are left unwritten: the file reads zero there already.
    const grains = Math.ceil(chunk.data.length / GRAIN_SIZE);
    const writes: Array<Promise<void>> = [];
    let g = 0;
    while (g < grains) {
      if (chunk.zero[g]) {
        g++;
        continue;
      }
      let end = g + 1;
      while (end < grains && !chunk.zero[end]) end++;
      const run = chunk.data.subarray(g * GRAIN_SIZE, end * GRAIN_SIZE);
      writes.push(this.file.write(run, chunk.offset + g * GRAIN_SIZE));
      g = end;
    }
    await this.trailing.push(writes);
  }

  quiesce(): Promise<void> {
    return this.trailing.quiesce();
  }

  async finish(): Promise<void> {
    await this.trailing.settle();
    await this.file.close();
  }

  async close(): Promise<void> {
    await this.trailing.quiesce();
    await this.file.close().catch(() => undefined);
  }
}

function marker(numSectors: number, type: number): Buffer {
  const m = Buffer.alloc(SECTOR);
  m.writeBigUInt64LE(BigInt(numSectors), 0);
  m.writeUInt32LE(0, 8);
  m.writeUInt32LE(type, 12);
  return m;
}

/**
 * streamOptimized (VMware's "Virtual Disk Format 5.0" layout, docs/vmdk.md#streamoptimized): header, descriptor, then grains
 * compressed, each behind a 12-byte LBA/size prefix, each grain table after its grains, the grain directory,
 * a footer (a copy of the header that knows where the directory is) and end-of-stream.
 */
export class StreamExtentWriter implements ExtentWriter {
  private position: number;
  private gtIndex = -1;
  private gtHasGrains = false;
  private readonly gt = new Uint32Array(GTES_PER_GT);
  private readonly gd: Uint32Array;
  private readonly gdEntries: number;
  /** Chunks being compressed, oldest first; their grains are written in this order. */
  private readonly inFlight: Array<Promise<Batch<CompressedGrain>>> = [];

  private constructor(
    private readonly file: OutputFile,
    private readonly capacitySectors: number,
    private readonly descriptor: string,
    private readonly pool: ZlibPool,
  ) {
    this.gdEntries = Math.ceil(capacitySectors / GT_COVER_SECTORS);
    this.gd = new Uint32Array(roundUp(this.gdEntries * 4, SECTOR) / 4);
    this.position = this.overHead * SECTOR;
  }

  private get overHead(): number {
    return roundUp(1 + EMBEDDED_DESCRIPTOR_SECTORS, GRAIN_SECTORS);
  }

  static async create(path: string, capacitySectors: number, descriptor: string, level: number = zc.Z_DEFAULT_COMPRESSION): Promise<StreamExtentWriter> {
    if (capacitySectors > MAX_SPARSE_FILE_SECTORS) {
      throw new FerryError('E_UNSUPPORTED', `A streamOptimized VMDK cannot describe ${capacitySectors * SECTOR} bytes (the limit is 2 TiB).`);
    }
    const file = await OutputFile.create(path);
    return new StreamExtentWriter(file, capacitySectors, descriptor, ZlibPool.create(level));
  }

  private header(gdOffset: bigint): Buffer {
    return encodeSparseHeader({
      version: 3,
      flags: SparseFlags.validNewlineTest | SparseFlags.compressedGrains | SparseFlags.markers,
      capacity: BigInt(this.capacitySectors),
      grainSize: BigInt(GRAIN_SECTORS),
      descriptorOffset: 1n,
      descriptorSize: BigInt(EMBEDDED_DESCRIPTOR_SECTORS),
      numGTEsPerGT: GTES_PER_GT,
      rgdOffset: 0n,
      gdOffset,
      overHead: BigInt(this.overHead),
      uncleanShutdown: false,
      compressAlgorithm: 1,
    });
  }

  /**
   * Appends the finished grain table, behind its marker, to `buffers`, which are written from
   * this.position on: the table goes out in the same write as the grains before it.
   */
  private appendGt(buffers: Buffer[]): void {
    if (this.gtIndex < 0 || !this.gtHasGrains) return;
    this.gd[this.gtIndex] = this.position / SECTOR + 1;
    buffers.push(marker(GT_SECTORS, MarkerType.grainTable), Buffer.from(gtBytes(this.gt))); // a copy: this.gt is refilled
    this.position += (1 + GT_SECTORS) * SECTOR;
  }

  /**
   * Hands the chunk to the compression threads and returns at once (the grains are copied), so
   * reading, compressing and writing overlap; only when several chunks are in flight does it wait
   * for the oldest and write it.
   */
  async write(chunk: Chunk): Promise<void> {
    const job = this.pool.compress(chunk);
    job.catch(() => undefined); // Observed when its turn comes; never an unhandled rejection.
    this.inFlight.push(job);
    while (this.inFlight.length > MAX_CHUNKS_IN_FLIGHT) await this.emitOldest();
  }

  /** Writes the oldest compressed chunk and hands its memory back to the pool. */
  private async emitOldest(): Promise<void> {
    const batch = await this.inFlight.shift()!;
    try {
      await this.emit(batch.items);
    } finally {
      batch.release();
    }
  }

  /** Writes compressed grains (each behind its LBA/size prefix) and the grain tables they complete. */
  private async emit(grains: CompressedGrain[]): Promise<void> {
    const buffers: Buffer[] = [];
    const start = this.position;
    for (const { index, data } of grains) {
      const table = Math.floor(index / GTES_PER_GT);
      if (table !== this.gtIndex) {
        this.appendGt(buffers);
        this.gtIndex = table;
        this.gtHasGrains = false;
        this.gt.fill(0);
      }
      const prefix = Buffer.alloc(12);
      prefix.writeBigUInt64LE(BigInt(index * GRAIN_SECTORS), 0);
      prefix.writeUInt32LE(data.length, 8);
      const total = roundUp(12 + data.length, SECTOR);
      buffers.push(prefix, data);
      if (total > 12 + data.length) buffers.push(Buffer.alloc(total - 12 - data.length));
      this.gt[index % GTES_PER_GT] = this.position / SECTOR;
      this.gtHasGrains = true;
      this.position += total;
    }
    if (buffers.length > 0) await this.file.writev(buffers, start);
  }

  async finish(): Promise<void> {
    try {
      while (this.inFlight.length > 0) await this.emitOldest();
    } finally {
      await this.pool.destroy();
    }
    const start = this.position;
    const tail: Buffer[] = [];
    this.appendGt(tail);
    const gdSectors = this.gd.byteLength / SECTOR;
    const gdSector = this.position / SECTOR + 1;
    const descriptor = Buffer.alloc(EMBEDDED_DESCRIPTOR_SECTORS * SECTOR);
    descriptor.write(this.descriptor, 'utf8');
    tail.push(marker(gdSectors, MarkerType.grainDirectory), gtBytes(this.gd), marker(1, MarkerType.footer), this.header(BigInt(gdSector)), marker(0, MarkerType.eos));
    await this.file.writev(tail, start);
    await this.file.write(descriptor, SECTOR);
    await this.file.write(this.header(GD_AT_END), 0);
    await this.file.close();
  }

  /** Nothing to wait for: `write` copies the grains it is given before it returns. */
  quiesce(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
    await this.file.close().catch(() => undefined);
  }
}
