import { writeFile } from 'node:fs/promises';
import { join, parse } from 'node:path';
import type { Adapter, Subformat } from '../../../../shared/options';
import type { Chunk } from '../../pipeline';
import { GRAIN_SIZE, SECTOR, SPLIT_EXTENT_SECTORS } from './constants';
import { newDiskIdentity, renderDescriptor, type DescriptorExtent } from './descriptor';
import { FlatExtentWriter, SparseExtentWriter, StreamExtentWriter, type ExtentWriter } from './extent-writers';

export interface PlannedExtent {
  fileName: string;
  /** Byte range of the virtual disk this file holds. */
  start: number;
  length: number;
  kind: 'sparse' | 'flat' | 'stream';
}

export interface VmdkPlan {
  subformat: Subformat;
  /** The file a user opens (the descriptor, embedded or not). */
  descriptorFile: string;
  /** True when the descriptor lives inside the (single) extent file. */
  embedded: boolean;
  extents: PlannedExtent[];
}

/** The files a subformat consists of, with VMware's names (`-flat`, `-s001`, `-f001`). */
export function planVmdk(fileName: string, subformat: Subformat, size: number): VmdkPlan {
  const stem = parse(fileName).ext.toLowerCase() === '.vmdk' ? parse(fileName).name : fileName;
  const single = (kind: PlannedExtent['kind']): PlannedExtent[] => [{ fileName, start: 0, length: size, kind }];
  switch (subformat) {
    case 'monolithicSparse':
      return { subformat, descriptorFile: fileName, embedded: true, extents: single('sparse') };
    case 'streamOptimized':
      return { subformat, descriptorFile: fileName, embedded: true, extents: single('stream') };
    case 'monolithicFlat':
      return { subformat, descriptorFile: fileName, embedded: false, extents: [{ fileName: `${stem}-flat.vmdk`, start: 0, length: size, kind: 'flat' }] };
    case 'twoGbMaxExtentSparse':
    case 'twoGbMaxExtentFlat': {
      const sparse = subformat === 'twoGbMaxExtentSparse';
      const piece = SPLIT_EXTENT_SECTORS * SECTOR;
      const extents: PlannedExtent[] = [];
      for (let start = 0, n = 1; start < size; start += piece, n++) {
        extents.push({
          fileName: `${stem}-${sparse ? 's' : 'f'}${String(n).padStart(3, '0')}.vmdk`,
          start,
          length: Math.min(piece, size - start),
          kind: sparse ? 'sparse' : 'flat',
        });
      }
      return { subformat, descriptorFile: fileName, embedded: false, extents };
    }
  }
}

/** Every file name a plan makes, descriptor first. */
export function planFiles(plan: VmdkPlan): string[] {
  const names = plan.extents.map((e) => e.fileName);
  return plan.embedded ? names : [plan.descriptorFile, ...names];
}

export interface VmdkWriterOptions {
  adapter: Adapter;
  hwVersion: number;
  compressionLevel?: number;
}

/** Writes a whole VMDK (descriptor and extents) into `dir`, routing chunks to their extent. */
export class VmdkWriter {
  private current = 0;
  private constructor(
    private readonly dir: string,
    private readonly plan: VmdkPlan,
    private readonly writers: ExtentWriter[],
    private readonly descriptor: string,
  ) {}

  static async create(dir: string, plan: VmdkPlan, size: number, opts: VmdkWriterOptions): Promise<VmdkWriter> {
    const identity = newDiskIdentity();
    const extents: DescriptorExtent[] = plan.extents.map((e) => ({
      access: 'RW',
      sectors: e.length / SECTOR,
      type: e.kind === 'flat' ? 'FLAT' : 'SPARSE',
      fileName: e.fileName,
      ...(e.kind === 'flat' ? { offsetSectors: 0 } : {}),
    }));
    const descriptor = renderDescriptor({
      createType: plan.subformat,
      identity,
      extents,
      adapter: opts.adapter,
      totalSectors: size / SECTOR,
      hwVersion: opts.hwVersion,
    });
    const writers: ExtentWriter[] = [];
    try {
      for (const e of plan.extents) {
        const path = join(dir, e.fileName);
        const sectors = e.length / SECTOR;
        const embedded = plan.embedded ? descriptor : undefined;
        if (e.kind === 'flat') writers.push(await FlatExtentWriter.create(path, e.length));
        else if (e.kind === 'stream') writers.push(await StreamExtentWriter.create(path, sectors, descriptor, opts.compressionLevel));
        else writers.push(await SparseExtentWriter.create(path, sectors, embedded));
      }
    } catch (err) {
      await Promise.all(writers.map((w) => w.close()));
      throw err;
    }
    return new VmdkWriter(dir, plan, writers, descriptor);
  }

  /** Chunks arrive in ascending order; a chunk may straddle extents (their bounds are grain-aligned). */
  async write(chunk: Chunk): Promise<void> {
    let offset = chunk.offset;
    const end = chunk.offset + chunk.data.length;
    while (offset < end) {
      while (this.plan.extents[this.current]!.start + this.plan.extents[this.current]!.length <= offset) this.current++;
      const ext = this.plan.extents[this.current]!;
      const stop = Math.min(end, ext.start + ext.length);
      const rel = offset - chunk.offset;
      const grain0 = rel / GRAIN_SIZE;
      await this.writers[this.current]!.write({
        offset: offset - ext.start,
        data: chunk.data.subarray(rel, stop - chunk.offset),
        zero: chunk.zero.subarray(grain0),
      });
      offset = stop;
    }
  }

  /** Finishes every extent and writes a separate descriptor where the subformat has one. */
  async finish(): Promise<string[]> {
    for (const w of this.writers) await w.finish();
    if (!this.plan.embedded) {
      await writeFile(join(this.dir, this.plan.descriptorFile), this.descriptor, { flag: 'wx' });
    }
    return planFiles(this.plan).map((n) => join(this.dir, n));
  }

  async abort(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.close()));
  }
}
